using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Gateway.Protocol.Transport;

/// <summary>
/// A host and a port as written in configuration or typed on gwctl's command line: <c>host:port</c>,
/// <c>192.0.2.1:7000</c> or <c>[::1]:7000</c> (an IPv6 literal goes in brackets, RFC 3986 §3.2.2).
/// </summary>
/// <param name="Host">A DNS name or an IP address literal (without brackets).</param>
/// <param name="Port">TCP or UDP port, 1–65535; 0 (any free port) only where a server may bind one.</param>
public sealed record HostEndpoint(string Host, int Port)
{
    /// <summary>What <see cref="Parse"/> accepts, phrased for error messages.</summary>
    public const string Expected = "host:port with a port from 1 to 65535, e.g. 127.0.0.1:7000, [::1]:7000 or gateway.local:7000";

    /// <summary>True when the endpoint is on this machine only (<c>localhost</c> or a loopback address).</summary>
    public bool IsLoopback => IsLocalhost(Host) || (IPAddress.TryParse(Host, out var ip) && IPAddress.IsLoopback(ip));

    /// <summary>Parses <paramref name="text"/>.</summary>
    /// <param name="text">The text as written.</param>
    /// <param name="allowPortZero">True where port 0 (any free port, for a server) makes sense.</param>
    /// <exception cref="FormatException">What is wrong with it, and what is expected.</exception>
    public static HostEndpoint Parse(string text, bool allowPortZero = false)
    {
        ArgumentNullException.ThrowIfNull(text);
        return TryParse(text, allowPortZero, out var endpoint, out var error) ? endpoint : throw new FormatException(error);
    }

    /// <summary>Parses an endpoint with a port from 1 to 65535; false for anything that is not exactly host and port.</summary>
    public static bool TryParse([NotNullWhen(true)] string? text, [NotNullWhen(true)] out HostEndpoint? endpoint) =>
        TryParse(text, allowPortZero: false, out endpoint, out _);

    /// <summary>Parses an endpoint; on failure <paramref name="error"/> says what is wrong.</summary>
    /// <param name="text">The text as written; surrounding white space is ignored.</param>
    /// <param name="allowPortZero">True where port 0 (any free port, for a server) makes sense.</param>
    /// <param name="endpoint">The endpoint, when the text is one.</param>
    /// <param name="error">What is wrong with the text, when it is not.</param>
    public static bool TryParse(
        [NotNullWhen(true)] string? text,
        bool allowPortZero,
        [NotNullWhen(true)] out HostEndpoint? endpoint,
        [NotNullWhen(false)] out string? error)
    {
        endpoint = null;
        var s = text?.Trim() ?? string.Empty;
        string host;
        string port;
        if (s.StartsWith('['))
        {
            var close = s.IndexOf(']', StringComparison.Ordinal);
            if (close < 0 || close + 1 >= s.Length || s[close + 1] != ':')
            {
                error = $"'{text}' is not {Expected}";
                return false;
            }

            host = s[1..close];
            port = s[(close + 2)..];
            if (!IPAddress.TryParse(host, out var v6) || v6.AddressFamily != AddressFamily.InterNetworkV6)
            {
                error = $"'{host}' in brackets is not an IPv6 address";
                return false;
            }
        }
        else
        {
            var colon = s.LastIndexOf(':');
            if (colon < 0)
            {
                error = $"'{text}' has no port; expected {Expected}";
                return false;
            }

            if (s.IndexOf(':', StringComparison.Ordinal) != colon)
            {
                error = $"'{text}': an IPv6 address goes in brackets, e.g. [::1]:7000";
                return false;
            }

            host = s[..colon];
            port = s[(colon + 1)..];
            if (!IsHostName(host))
            {
                error = $"'{host}' is not a host name or IP address; expected {Expected}";
                return false;
            }
        }

        var lowest = allowPortZero ? 0 : 1;
        if (!int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out var number) || number < lowest || number > 65535)
        {
            error = $"'{port}' is not a port; expected a number from {lowest} to 65535";
            return false;
        }

        endpoint = new HostEndpoint(host, number);
        error = null;
        return true;
    }

    /// <summary>The address a server socket binds for this endpoint: the literal, or the IPv4 loopback for <c>localhost</c>.</summary>
    /// <exception cref="FormatException">The host is a name other than localhost: servers bind to addresses.</exception>
    public IPAddress BindAddress() =>
        IsLocalhost(Host) ? IPAddress.Loopback
        : IPAddress.TryParse(Host, out var ip) ? ip
        : throw new FormatException($"'{Host}': a listening address must be an IP address (or localhost), e.g. 127.0.0.1 or 0.0.0.0");

    /// <summary>The endpoint as it is written: <c>host:port</c>, an IPv6 host in brackets.</summary>
    public override string ToString() => Host.Contains(':', StringComparison.Ordinal)
        ? string.Create(CultureInfo.InvariantCulture, $"[{Host}]:{Port}")
        : string.Create(CultureInfo.InvariantCulture, $"{Host}:{Port}");

    private static bool IsLocalhost(string host) => string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase);

    // RFC 1123 §2.1 host names: labels of letters, digits and hyphens, 1-63 characters, not starting or ending with '-',
    // 253 characters in all. IPv4 literals pass the same rule.
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
