using System.CommandLine;
using System.CommandLine.Parsing;
using Gateway.Console.Addressing;
using Gateway.Console.Keys;
using Gateway.Protocol.Transport;

namespace Gateway.Console.Cli;

/// <summary>
/// gwctl's command line (System.CommandLine): the verbs discover, listen, watch, send, status, keygen and completion with
/// consistent options (<c>--json</c>, <c>--timeout</c>, <c>--key-file</c> or GWCTL_KEY_FILE, <c>--color</c>).
/// A bad command line exits 64 with the problem and where to find help; every other failure is one line on stderr
/// and an exit code from <see cref="ExitCodes"/>.
/// </summary>
internal static class GwctlCli
{
    /// <summary>Parses and runs <paramref name="args"/>; returns the exit code.</summary>
    public static async Task<int> RunAsync(string[] args, Func<ColorMode, Terminal> terminals, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(terminals);
        var root = Build(terminals);
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            var terminal = terminals(ColorMode.Auto);
            foreach (var error in parse.Errors)
            {
                await terminal.ErrorWriter.WriteLineAsync($"gwctl: {error.Message}").ConfigureAwait(false);
            }

            var verb = parse.CommandResult.Command == root ? string.Empty : parse.CommandResult.Command.Name + " ";
            await terminal.ErrorWriter.WriteLineAsync($"gwctl: see 'gwctl {verb}--help'").ConfigureAwait(false);
            return ExitCodes.Usage;
        }

        return await parse.InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false, ProcessTerminationTimeout = null }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The command tree.</summary>
    public static RootCommand Build(Func<ColorMode, Terminal> terminals)
    {
        var json = new Option<bool>("--json") { Description = "machine-readable output: JSON (one message per line for live output)", Recursive = true };
        var color = new Option<ColorMode>("--color") { Description = "colours: auto (on a terminal, unless NO_COLOR is set), always, never", DefaultValueFactory = _ => ColorMode.Auto, Recursive = true };

        var root = new RootCommand(
            "gwctl: the Gateway's remote control console. Find gateways, watch their telemetry, send them signed commands, and record what they send.\n\n"
            + "<gateway> is tcp://host:port or host:port (the gateway's TCP listener), ws://host:port[/ws] (its WebSocket listener), tls://host:port or wss://host:port[/ws] (the same with Gateway:Listener:Tls; --ca-file, --pin), udp://host:port (its UDP command port), "
            + "listen://host:port/<device> (a gateway connected to 'gwctl listen --control host:port'), "
            + "or mqtt://host:port/<prefix> (the MQTT broker of the gateway's MQTT link and its topic prefix, e.g. mqtt://127.0.0.1:1883/gateway/pi-01).\n\n"
            + ExitCodes.Help)
        {
            json,
            color,
        };

        root.Subcommands.Add(DiscoverVerb.Build(json, color, terminals));
        root.Subcommands.Add(ListenVerb.Build(json, color, terminals));
        root.Subcommands.Add(WatchVerb.Build(json, color, terminals));
        root.Subcommands.Add(SendVerb.Build(json, color, terminals, status: false));
        root.Subcommands.Add(SendVerb.Build(json, color, terminals, status: true));
        root.Subcommands.Add(KeygenVerb.Build(json, color, terminals));
        root.Subcommands.Add(CompletionVerb.Build(color, terminals));
        return root;
    }

    /// <summary>A <c>--timeout</c> option with <paramref name="defaultValue"/>.</summary>
    public static DurationOption Timeout(TimeSpan defaultValue, string description) => new("--timeout", defaultValue, description);

    /// <summary>Parses a duration option value, reporting a readable error.</summary>
    public static TimeSpan? DurationArgument(ArgumentResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var text = result.Tokens.Count > 0 ? result.Tokens[^1].Value : string.Empty;
        try
        {
            return Durations.Parse(text);
        }
        catch (FormatException ex)
        {
            result.AddError($"{(result.Parent as OptionResult)?.Option.Name ?? "duration"}: {ex.Message}");
            return TimeSpan.Zero;
        }
    }

    /// <summary>The <c>&lt;gateway&gt;</c> argument.</summary>
    public static Argument<GatewayAddress> GatewayArgument() => new("gateway")
    {
        Description = GatewayAddress.Expected,
        CustomParser = result =>
        {
            var text = result.Tokens.Count > 0 ? result.Tokens[0].Value : string.Empty;
            try
            {
                return GatewayAddress.Parse(text);
            }
            catch (FormatException ex)
            {
                result.AddError(ex.Message);
                return null;
            }
        },
    };

    /// <summary>The <c>--key-file</c> option (falls back to GWCTL_KEY_FILE).</summary>
    public static Option<string?> KeyFile(string purpose) => new("--key-file", "-k")
    {
        Description = $"the command key file ({{\"key\":…,\"secret\":…}}, mode 600; 'gwctl keygen' makes one) {purpose}; default: ${KeyFileReader.EnvironmentVariable}",
    };

    /// <summary>The <c>--mqtt-user</c> and <c>--mqtt-password-file</c> options (the password falls back to GWCTL_MQTT_PASSWORD).</summary>
    public static (Option<string?> User, Option<string?> PasswordFile) MqttLogin() =>
    (
        new("--mqtt-user") { HelpName = "name", Description = "for mqtt:// addresses: the user name to log in to the broker with" },
        new("--mqtt-password-file") { HelpName = "file", Description = $"for mqtt:// addresses: a file (mode 600) holding the broker password; default: ${BrokerLogin.PasswordVariable}" }
    );

    /// <summary>The broker login the parsed <c>--mqtt-user</c> and <c>--mqtt-password-file</c> ask for (null: anonymous, or not an mqtt:// address).</summary>
    /// <exception cref="GwctlException">The options do not fit the address, or the password file is unusable.</exception>
    public static BrokerLogin? MqttLoginOf(ParseResult parse, GatewayAddress address, (Option<string?> User, Option<string?> PasswordFile) options)
    {
        ArgumentNullException.ThrowIfNull(parse);
        return BrokerLogin.From(address, parse.GetValue(options.User), parse.GetValue(options.PasswordFile), Environment.GetEnvironmentVariable(BrokerLogin.PasswordVariable));
    }

    /// <summary>A host:port option value.</summary>
    public static HostEndpoint? HostPortArgument(ArgumentResult result, bool allowPortZero)
    {
        ArgumentNullException.ThrowIfNull(result);
        var text = result.Tokens.Count > 0 ? result.Tokens[^1].Value : string.Empty;
        try
        {
            return HostEndpoint.Parse(text, allowPortZero);
        }
        catch (FormatException ex)
        {
            result.AddError($"{(result.Parent as OptionResult)?.Option.Name}: {ex.Message}");
            return null;
        }
    }

    /// <summary>Runs a verb's body, turning a <see cref="GwctlException"/> into its message and exit code.</summary>
    public static async Task<int> Guard(Terminal terminal, Func<Task<int>> body)
    {
        ArgumentNullException.ThrowIfNull(terminal);
        ArgumentNullException.ThrowIfNull(body);
        try
        {
            return await body().ConfigureAwait(false);
        }
        catch (GwctlException ex)
        {
            await terminal.ErrorWriter.WriteLineAsync($"gwctl: {ex.Message}").ConfigureAwait(false);
            return ex.ExitCode;
        }
        catch (OperationCanceledException)
        {
            return 130; // interrupted (128 + SIGINT), as shells report it
        }
    }
}
