using System.Globalization;
using System.Net;

namespace Gateway.Configuration;

/// <summary>A network endpoint as written in configuration: <c>host:port</c>, <c>192.0.2.1:7000</c> or <c>[::1]:7000</c>.</summary>
/// <param name="Host">A DNS name or an IP address literal (without brackets).</param>
/// <param name="Port">TCP or UDP port, 1–65535.</param>
internal sealed record HostEndpoint(string Host, int Port)
{
    /// <summary>What <see cref="TryParse"/> accepts, phrased for error messages.</summary>
    public const string Expected = "host:port with a port from 1 to 65535, e.g. 127.0.0.1:7000, [::1]:7000 or gateway.local:7000";

    /// <summary>The address a listener binds for this endpoint: <c>localhost</c> is the IPv4 loopback, anything else must be an IP address.</summary>
    /// <exception cref="FormatException">The host is a name other than localhost.</exception>
    public IPAddress BindAddress() =>
        string.Equals(Host, "localhost", StringComparison.OrdinalIgnoreCase) ? IPAddress.Loopback : IPAddress.Parse(Host);

    /// <summary>True when the endpoint is on this machine only (localhost or a loopback address).</summary>
    public bool IsLoopback => string.Equals(Host, "localhost", StringComparison.OrdinalIgnoreCase)
        || (IPAddress.TryParse(Host, out var ip) && IPAddress.IsLoopback(ip));

    /// <summary>Parses an endpoint; false for anything that is not exactly host and port.</summary>
    public static bool TryParse(string? text, out HostEndpoint? endpoint)
    {
        endpoint = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        var s = text.Trim();
        string host;
        string port;
        if (s.StartsWith('['))
        {
            var close = s.IndexOf(']', StringComparison.Ordinal);
            if (close < 0 || close + 1 >= s.Length || s[close + 1] != ':')
            {
                return false;
            }

            host = s[1..close];
            port = s[(close + 2)..];
            if (!IPAddress.TryParse(host, out var v6) || v6.AddressFamily != System.Net.Sockets.AddressFamily.InterNetworkV6)
            {
                return false;
            }
        }
        else
        {
            var colon = s.LastIndexOf(':');
            if (colon <= 0 || s.IndexOf(':', StringComparison.Ordinal) != colon)
            {
                return false; // no port, or an unbracketed IPv6 literal
            }

            host = s[..colon];
            port = s[(colon + 1)..];
            if (!IsHostName(host))
            {
                return false;
            }
        }

        if (!int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out var number) || number is < 1 or > 65535)
        {
            return false;
        }

        endpoint = new HostEndpoint(host, number);
        return true;
    }

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
            if (label.Length is 0 or > 63 || label[0] == '-' || label[^1] == '-')
            {
                return false;
            }

            foreach (var c in label)
            {
                if (!char.IsAsciiLetterOrDigit(c) && c != '-')
                {
                    return false;
                }
            }
        }

        return true;
    }
}
