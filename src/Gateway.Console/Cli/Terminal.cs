using Spectre.Console;

namespace Gateway.Console.Cli;

/// <summary>When to colour the output (<c>--color</c>).</summary>
internal enum ColorMode
{
    /// <summary>Colours on a terminal, none when the output is a file or pipe, or when NO_COLOR is set.</summary>
    Auto,

    /// <summary>Always ANSI colours.</summary>
    Always,

    /// <summary>Never.</summary>
    Never,
}

/// <summary>
/// Where gwctl writes: stdout for results, stderr for messages, each a Spectre console that writes ANSI only when
/// it goes to a terminal (Spectre detects ANSI from TERM alone, so it would colour a pipe; this does not), honouring
/// NO_COLOR (no-color.org) and <c>--color</c>.
/// </summary>
internal sealed class Terminal
{
    public Terminal(TextWriter stdout, TextWriter stderr, bool stdoutIsTerminal, bool stderrIsTerminal, ColorMode color, bool noColorEnvironment)
    {
        StdoutIsTerminal = stdoutIsTerminal;
        Out = Create(stdout, Colours(color, stdoutIsTerminal, noColorEnvironment), stdoutIsTerminal);
        Error = Create(stderr, Colours(color, stderrIsTerminal, noColorEnvironment), stderrIsTerminal);
        OutWriter = stdout;
        ErrorWriter = stderr;
    }

    /// <summary>The process's own console.</summary>
    public static Terminal System(ColorMode color) => new(
        global::System.Console.Out,
        global::System.Console.Error,
        !global::System.Console.IsOutputRedirected,
        !global::System.Console.IsErrorRedirected,
        color,
        !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("NO_COLOR")));

    /// <summary>True when stdout is a terminal: live views instead of one line per reading.</summary>
    public bool StdoutIsTerminal { get; }

    /// <summary>Results, tables, live views.</summary>
    public IAnsiConsole Out { get; }

    /// <summary>Messages and errors.</summary>
    public IAnsiConsole Error { get; }

    /// <summary>Plain stdout, for machine-readable lines (<c>--json</c>, one line per reading).</summary>
    public TextWriter OutWriter { get; }

    /// <summary>Plain stderr.</summary>
    public TextWriter ErrorWriter { get; }

    /// <summary>Whether to colour, from the mode, whether the stream is a terminal and NO_COLOR.</summary>
    public static bool Colours(ColorMode mode, bool isTerminal, bool noColorEnvironment) => mode switch
    {
        ColorMode.Always => true,
        ColorMode.Never => false,
        _ => isTerminal && !noColorEnvironment,
    };

    private static IAnsiConsole Create(TextWriter writer, bool colours, bool interactive)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            // A terminal gets ANSI control sequences (the live view moves the cursor) even when colours are off.
            Ansi = colours || interactive ? AnsiSupport.Yes : AnsiSupport.No,
            ColorSystem = colours ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = interactive ? InteractionSupport.Yes : InteractionSupport.No,
            Out = new AnsiConsoleOutput(writer),
        });
        if (!interactive)
        {
            console.Profile.Width = 200; // a file or pipe has no width: do not wrap tables at 80 columns
        }

        return console;
    }
}
