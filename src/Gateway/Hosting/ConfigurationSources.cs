using Microsoft.Extensions.Configuration;

namespace Gateway.Hosting;

/// <summary>
/// Assembles the gateway's configuration from its sources, lowest precedence first: appsettings.json next to
/// the program, appsettings.json in the working directory, the system file (default
/// <c>/etc/gateway/appsettings.json</c>), environment variables prefixed <c>GATEWAY_</c>, the command line.
/// </summary>
internal static class ConfigurationSources
{
    /// <summary>The system configuration file used when --config is not given.</summary>
    public const string DefaultSystemFile = "/etc/gateway/appsettings.json";

    /// <summary>The environment variable prefix; <c>GATEWAY_Gateway__DeviceId</c> sets <c>Gateway:DeviceId</c>.</summary>
    public const string EnvironmentPrefix = "GATEWAY_";

    /// <summary>Adds every source to <paramref name="builder"/> and returns the files actually found, for the start-up log.</summary>
    /// <exception cref="FileNotFoundException">An explicitly given system file does not exist.</exception>
    public static IReadOnlyList<string> AddGatewaySources(
        this IConfigurationBuilder builder, CommandLine commandLine, string programDirectory, string workingDirectory)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(commandLine);
        var used = new List<string>();
        var files = new List<(string Path, bool Optional)>
        {
            (Path.Combine(programDirectory, "appsettings.json"), true),
            (Path.Combine(workingDirectory, "appsettings.json"), true),
        };

        if (commandLine.ConfigFile is { } explicitFile)
        {
            var full = Path.GetFullPath(explicitFile, workingDirectory);
            if (!File.Exists(full))
            {
                throw new FileNotFoundException($"--config: configuration file '{full}' does not exist", full);
            }

            files.Add((full, false));
        }
        else
        {
            files.Add((DefaultSystemFile, true));
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (path, optional) in files)
        {
            var full = Path.GetFullPath(path);
            if (!seen.Add(full))
            {
                continue;
            }

            if (File.Exists(full))
            {
                used.Add(full);
            }

            builder.AddJsonFile(full, optional, reloadOnChange: false);
        }

        builder.AddEnvironmentVariables(EnvironmentPrefix);
        builder.AddCommandLine([.. commandLine.Overrides]);
        return used;
    }
}
