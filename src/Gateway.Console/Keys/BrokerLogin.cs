using Gateway.Console.Addressing;
using Gateway.Console.Cli;

namespace Gateway.Console.Keys;

/// <summary>
/// The user name and password gwctl gives an MQTT broker in CONNECT (MQTT 3.1.1 §3.1.3.4, §3.1.3.5), as the gateway's
/// link does with <c>Gateway:Upstream:Mqtt:Username</c>/<c>Password</c>: the user from <c>--mqtt-user</c>, the password
/// from <c>--mqtt-password-file</c> or <see cref="PasswordVariable"/>, never from an argument, which process lists and
/// shell history show. <see cref="ToString"/> never shows the password.
/// </summary>
internal sealed class BrokerLogin
{
    /// <summary>The environment variable holding the broker password when <c>--mqtt-password-file</c> is not given.</summary>
    public const string PasswordVariable = "GWCTL_MQTT_PASSWORD";

    private BrokerLogin(string user, string? password)
    {
        User = user;
        Password = password;
    }

    /// <summary>The user name.</summary>
    public string User { get; }

    /// <summary>The password, or null for none.</summary>
    public string? Password { get; }

    /// <summary>
    /// The login for <paramref name="address"/>: null without <c>--mqtt-user</c> (anonymous); the password from the
    /// file when given, else from <paramref name="environmentPassword"/> when set, else none.
    /// </summary>
    /// <exception cref="GwctlException">The options do not fit the address (64), or the password file is missing, open to others or empty (78).</exception>
    public static BrokerLogin? From(GatewayAddress address, string? user, string? passwordFile, string? environmentPassword)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.Transport != TransportKind.Mqtt)
        {
            return user is null && passwordFile is null
                ? null
                : throw new GwctlException(ExitCodes.Usage, $"--mqtt-user and --mqtt-password-file are for mqtt:// addresses, not {address}");
        }

        if (user is null)
        {
            // MQTT 3.1.1 §3.1.2.9: no password without a user name.
            return passwordFile is null ? null : throw new GwctlException(ExitCodes.Usage, "--mqtt-password-file needs --mqtt-user (MQTT has no password without a user name)");
        }

        if (user.Length == 0 || user.Any(char.IsControl))
        {
            throw new GwctlException(ExitCodes.Usage, "--mqtt-user: expected a user name without control characters");
        }

        var password = passwordFile is not null ? ReadPasswordFile(passwordFile)
            : string.IsNullOrEmpty(environmentPassword) ? null
            : environmentPassword;
        return new BrokerLogin(user, password);
    }

    /// <summary>The user, and whether a password is set; never the password.</summary>
    public override string ToString() => $"{User} ({(Password is null ? "no password" : "password set")})";

    // The file's text without its final line break; refused when others may read it, as key files are.
    private static string ReadPasswordFile(string path)
    {
        string text;
        try
        {
            KeyFileReader.RequirePrivate(path, "MQTT password file");
            text = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new GwctlException(ExitCodes.Config, $"MQTT password file '{path}' not found: give the right --mqtt-password-file, or the password in ${PasswordVariable}", ex);
        }
        catch (Exception ex) when (ex is UnauthorizedAccessException or IOException)
        {
            throw new GwctlException(ExitCodes.Config, $"cannot read MQTT password file '{path}': {ex.Message}", ex);
        }

        var password = text.EndsWith("\r\n", StringComparison.Ordinal) ? text[..^2] : text.EndsWith('\n') ? text[..^1] : text;
        return password.Length > 0 ? password : throw new GwctlException(ExitCodes.Config, $"MQTT password file '{path}' is empty: write the broker password in it (one line)");
    }
}
