namespace Gateway.Hosting;

/// <summary>
/// The gateway's command line: its own switches (<c>--help</c>, <c>--version</c>, <c>--config FILE</c>) and
/// configuration overrides (<c>--Gateway:DeviceId=pi-01</c> or <c>--Gateway:DeviceId pi-01</c>).
/// </summary>
/// <param name="ShowHelp">--help / -h was given.</param>
/// <param name="ShowVersion">--version was given.</param>
/// <param name="ConfigFile">The system configuration file from --config, or null for the default.</param>
/// <param name="Overrides">Arguments left for the configuration's command-line provider.</param>
/// <param name="Error">Why the command line is unusable, or null.</param>
internal sealed record CommandLine(bool ShowHelp, bool ShowVersion, string? ConfigFile, IReadOnlyList<string> Overrides, string? Error)
{
    /// <summary>The text --help prints.</summary>
    public const string Usage = """
        Usage: Gateway [--config FILE] [--Gateway:Key=value ...]
               Gateway --help | --version

        IoT telemetry gateway: reads the board's sensors, stores every reading and pushes it upstream.

        Options:
          --config FILE             system configuration file (default /etc/gateway/appsettings.json;
                                    optional when defaulted, required when given)
          --Gateway:Key=value       override one setting, e.g. --Gateway:DeviceId=pi-01
          -h, --help                show this help
          --version                 show the version

        Configuration, lowest precedence first: appsettings.json next to the program, appsettings.json in the
        working directory, the system file, environment variables GATEWAY_<Key> (sections joined by "__",
        e.g. GATEWAY_Gateway__DeviceId=pi-01), then the command line. Every setting lives under "Gateway";
        see README.md for the reference.

        Exit codes: 0 stopped cleanly, 1 failed while running, 64 bad command line, 78 invalid configuration.
        """;

    /// <summary>Splits <paramref name="args"/> into the gateway's switches and configuration overrides.</summary>
    public static CommandLine Parse(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        bool help = false, version = false;
        string? config = null;
        var overrides = new List<string>();
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            switch (arg)
            {
                case "-h" or "--help" or "-?":
                    help = true;
                    continue;
                case "--version":
                    version = true;
                    continue;
                case "--config":
                    if (i + 1 >= args.Count || args[i + 1].StartsWith("--", StringComparison.Ordinal))
                    {
                        return Fail("--config needs a file path, e.g. --config /etc/gateway/appsettings.json");
                    }

                    config = args[++i];
                    continue;
            }

            if (arg.StartsWith("--config=", StringComparison.Ordinal))
            {
                config = arg["--config=".Length..];
                if (config.Length == 0)
                {
                    return Fail("--config= needs a file path");
                }

                continue;
            }

            if (!arg.StartsWith("--", StringComparison.Ordinal) || arg.Length == 2)
            {
                return Fail($"unexpected argument '{arg}'; settings are given as --Gateway:Key=value");
            }

            var eq = arg.IndexOf('=', StringComparison.Ordinal);
            if (eq > 2)
            {
                overrides.Add(arg);
                continue;
            }

            // "--Key value": the value is the next argument.
            if (!arg.Contains(':', StringComparison.Ordinal) || i + 1 >= args.Count || args[i + 1].StartsWith("--", StringComparison.Ordinal))
            {
                return Fail($"unknown option '{arg}'; settings are given as --Gateway:Key=value (see --help)");
            }

            overrides.Add(arg + "=" + args[++i]);
        }

        return new CommandLine(help, version, config, overrides, null);

        static CommandLine Fail(string error) => new(false, false, null, [], error);
    }
}
