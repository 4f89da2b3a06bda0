using Gateway.Console.Cli;
using Gateway.Protocol.Commands;

namespace Gateway.Console.Keys;

/// <summary>
/// Loads the key that signs commands (<c>--key-file</c>, or the <see cref="EnvironmentVariable"/>): the file format the
/// gateway reads too (<see cref="CommandKeyFile"/>), refused when group or others may read it, as the gateway and ssh
/// refuse such files.
/// </summary>
internal static class KeyFileReader
{
    /// <summary>The environment variable naming the key file when <c>--key-file</c> is not given.</summary>
    public const string EnvironmentVariable = "GWCTL_KEY_FILE";

    /// <summary>The key file to use: the option, else the environment variable; null when neither is set.</summary>
    public static string? Resolve(string? option, string? environment) =>
        !string.IsNullOrWhiteSpace(option) ? option : !string.IsNullOrWhiteSpace(environment) ? environment : null;

    /// <summary>Reads and checks the key file at <paramref name="path"/>.</summary>
    /// <exception cref="GwctlException">Missing, unreadable, open to others, or malformed (exit 78).</exception>
    public static CommandKeyFile Load(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        string text;
        try
        {
            RequirePrivate(path, "key file");
            text = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new GwctlException(ExitCodes.Config, $"key file '{path}' not found: create one with 'gwctl keygen', or give the right --key-file (or {EnvironmentVariable})", ex);
        }
        catch (Exception ex) when (ex is UnauthorizedAccessException or IOException)
        {
            throw new GwctlException(ExitCodes.Config, $"cannot read key file '{path}': {ex.Message}", ex);
        }

        try
        {
            var key = CommandKeyFile.Parse(text);
            return CommandFields.IsToken(key.Key)
                ? key
                : throw new FormatException($"the key id '{key.Key}' is not {CommandFields.TokenAllowed}");
        }
        catch (FormatException ex)
        {
            throw new GwctlException(ExitCodes.Config, $"key file '{path}' is not a key file ({ex.Message}); expected {{\"key\":\"<id>\",\"secret\":\"<base64>\"}} as 'gwctl keygen' writes", ex);
        }
    }

    /// <summary>Refuses a secret's file that group or others may read, write or run (as the gateway and ssh refuse such files).</summary>
    /// <param name="path">The file.</param>
    /// <param name="what">What it is, for the message: <c>key file</c>, <c>MQTT password file</c>.</param>
    /// <exception cref="GwctlException">It is open to others (exit 78).</exception>
    public static void RequirePrivate(string path, string what)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        var mode = File.GetUnixFileMode(path);
        var open = mode & (UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute);
        if (open != 0)
        {
            throw new GwctlException(ExitCodes.Config, $"{what} '{path}' may be read by others (mode {Octal(mode)}); make it private: chmod 600 {path}");
        }
    }

    /// <summary>The file mode in octal, e.g. <c>0644</c>.</summary>
    public static string Octal(UnixFileMode mode) => "0" + Convert.ToString((int)mode & 0x1FF, 8);
}
