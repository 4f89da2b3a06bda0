using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Gateway.Console.Addressing;

/// <summary>A host and a port as typed on the command line: <c>host:port</c>, <c>192.0.2.1:7000</c> or <c>[::1]:7000</c>.</summary>
/// <param name="Host">A DNS name or an IP address literal (without brackets).</param>
/// <param name="Port">The port; 0 only where binding to any free port is allowed.</param>
internal sealed record HostPort(string Host, int Port)
{
    /// <summary>What <see cref="Parse"/> accepts, phrased for error messages.</summary>
    public const string Expected = "host:port, e.g. 127.0.0.1:7000, [::1]:7000 or gateway.local:7000";

    /// <summary>Parses <paramref name="text"/>.</summary>
    /// <param name="text">The text typed.</param>
    /// <param name="allowPortZero">True where port 0 (any free port, for a server) makes sense.</param>
    /// <exception cref="FormatException">What is wrong with it.</exception>
    public static HostPort Parse(string text, bool allowPortZero = false)
    {
        ArgumentNullException.ThrowIfNull(text);
        var s = text.Trim();
        string host;
        string port;
        if (s.StartsWith('['))
        {
            var close = s.IndexOf(']', StringComparison.Ordinal);
            if (close < 0 || close + 1 >= s.Length || s[close + 1] != ':')
            {
                throw new FormatException($"'{text}' is not {Expected}");
            }

            host = s[1..close];
            port = s[(close + 2)..];
            if (!IPAddress.TryParse(host, out var v6) || v6.AddressFamily != AddressFamily.InterNetworkV6)
            {
                throw new FormatException($"'{host}' in brackets is not an IPv6 address");
            }
        }
        else
        {
            var colon = s.LastIndexOf(':');
            if (colon < 0)
            {
                throw new FormatException($"'{text}' has no port; expected {Expected}");
            }

            if (s.IndexOf(':', StringComparison.Ordinal) != colon)
            {
                throw new FormatException($"'{text}': an IPv6 address goes in brackets, e.g. [::1]:7000");
            }

            host = s[..colon];
            port = s[(colon + 1)..];
            if (!IsHostName(host))
            {
                throw new FormatException($"'{host}' is not a host name or IP address; expected {Expected}");
            }
        }

        var lowest = allowPortZero ? 0 : 1;
        if (!int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out var number) || number < lowest || number > 65535)
        {
            throw new FormatException($"'{port}' is not a port; expected a number from {lowest} to 65535");
        }

        return new HostPort(host, number);
    }

    /// <summary>True when the host is a loopback address or <c>localhost</c>.</summary>
    public bool IsLoopback => string.Equals(Host, "localhost", StringComparison.OrdinalIgnoreCase)
        || (IPAddress.TryParse(Host, out var ip) && IPAddress.IsLoopback(ip));

    /// <summary>The address to bind a server socket to: the literal, or loopback for <c>localhost</c>.</summary>
    /// <exception cref="FormatException">A name other than localhost: servers bind to addresses.</exception>
    public IPAddress BindAddress() =>
        string.Equals(Host, "localhost", StringComparison.OrdinalIgnoreCase) ? IPAddress.Loopback
        : IPAddress.TryParse(Host, out var ip) ? ip
        : throw new FormatException($"'{Host}': a listening address must be an IP address (or localhost), e.g. 127.0.0.1 or 0.0.0.0");

    /// <inheritdoc/>
    public override string ToString() => Host.Contains(':', StringComparison.Ordinal)
        ? string.Create(CultureInfo.InvariantCulture, $"[{Host}]:{Port}")
        : string.Create(CultureInfo.InvariantCulture, $"{Host}:{Port}");

    // RFC 1123 host names: labels of letters, digits and hyphens, 1-63 characters, not starting or ending with '-'.
    // IPv4 literals pass the same rule.
    private static bool IsHostName(string host)
    {
        if (host.Length is 0 or > 253)
        {
            return false;
        }

        foreach (var label in host.Split('.'))
        {
            if (label.Length is 0 or > 63 || label[0] == '-' || label[^1] == '-' || !label.All(c => char.IsAsciiLetterOrDigit(c) || c == '-'))
            {
                return false;
            }
        }

        return true;
    }
}
