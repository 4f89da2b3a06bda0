using System.Net;

namespace Gateway.Web;

/// <summary>
/// The <c>Host</c> header values the console answers to, against DNS rebinding: a page served under an attacker's name
/// that later resolves to the gateway would otherwise talk to it as its own origin (RFC 9110 §7.2 names the target
/// host; §15.5.20 defines 421 Misdirected Request for a name this server does not serve). Accepted: the bound address
/// literal; <c>localhost</c> when bound to loopback; any IP address literal when bound to every interface (a literal
/// cannot be rebound: the attack needs a name); and the names in <c>Gateway:Listener:HttpHosts</c> (e.g. the board's
/// mDNS name). The port, when given, must be the one listened on, except for configured names (which may sit behind a
/// proxy on another port). Pure.
/// </summary>
internal sealed class AllowedHosts
{
    private readonly IPAddress _bound;
    private readonly int _port;
    private readonly HashSet<string> _names;

    /// <summary>Creates the check for a console bound to <paramref name="bound"/>:<paramref name="port"/> (the actual port).</summary>
    public AllowedHosts(IPAddress bound, int port, IEnumerable<string> extraNames)
    {
        ArgumentNullException.ThrowIfNull(bound);
        ArgumentNullException.ThrowIfNull(extraNames);
        _bound = bound;
        _port = port;
        _names = new HashSet<string>(extraNames.Select(n => n.Trim().TrimEnd('.')), StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>True when a request with <c>Host: host[:port]</c> is meant for this console.</summary>
    /// <param name="host">The host part, IPv6 literals in brackets (as Kestrel's <c>HostString.Host</c> gives it).</param>
    /// <param name="port">The port part, null when the header has none.</param>
    public bool Allows(string? host, int? port)
    {
        if (string.IsNullOrEmpty(host))
        {
            return false; // HTTP/1.1 requires Host (RFC 9112 §3.2); an empty one names nobody
        }

        var name = host.TrimEnd('.');
        if (_names.Contains(name))
        {
            return true;
        }

        if (port is { } p && p != _port)
        {
            return false;
        }

        if (string.Equals(name, "localhost", StringComparison.OrdinalIgnoreCase))
        {
            return IPAddress.IsLoopback(_bound);
        }

        var literal = name.StartsWith('[') && name.EndsWith(']') ? name[1..^1] : name;
        if (!IPAddress.TryParse(literal, out var address) || (address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6) != name.StartsWith('['))
        {
            return false; // a name nobody configured (IPAddress.TryParse would also take "1" or "0x7f.1": not a literal a browser sends)
        }

        if (!IsCanonical(literal, address))
        {
            return false;
        }

        return _bound.Equals(IPAddress.Any) || _bound.Equals(IPAddress.IPv6Any) || address.Equals(_bound);
    }

    // "127.0.0.1" yes; "2130706433" or "127.1" (which TryParse also reads as addresses) no.
    private static bool IsCanonical(string literal, IPAddress address) =>
        address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 || string.Equals(address.ToString(), literal, StringComparison.Ordinal);
}
