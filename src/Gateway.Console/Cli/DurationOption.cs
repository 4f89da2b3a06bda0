using System.CommandLine;

namespace Gateway.Console.Cli;

/// <summary>
/// A duration option (<c>--timeout 10s</c>) whose default is applied when it is read, so that help shows the
/// default as people write it ("default 10s") rather than as a TimeSpan ("00:00:10").
/// </summary>
internal sealed class DurationOption
{
    public DurationOption(string name, TimeSpan defaultValue, string description)
    {
        Default = defaultValue;
        Option = new Option<TimeSpan?>(name)
        {
            Description = $"{description}: e.g. 500ms, 10s, 2m (default {ErrorAdvice.Seconds(defaultValue)})",
            CustomParser = GwctlCli.DurationArgument,
            HelpName = "duration",
        };
    }

    /// <summary>The option to add to a command.</summary>
    public Option<TimeSpan?> Option { get; }

    /// <summary>Used when the option is not given.</summary>
    public TimeSpan Default { get; }

    /// <summary>The value given, or the default.</summary>
    public TimeSpan Get(ParseResult parse)
    {
        ArgumentNullException.ThrowIfNull(parse);
        return parse.GetValue(Option) ?? Default;
    }
}
