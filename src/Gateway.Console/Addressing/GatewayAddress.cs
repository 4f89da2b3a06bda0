using Gateway.Protocol.Commands;
using Gateway.Protocol.Transport;

namespace Gateway.Console.Addressing;

/// <summary>How gwctl reaches a gateway.</summary>
internal enum TransportKind
{
    /// <summary>The gateway's TCP listener (<c>Gateway:Listener:Tcp</c>): NDJSON.</summary>
    Tcp,

    /// <summary>The gateway's WebSocket listener (<c>Gateway:Listener:WebSocket</c>), path <c>/ws</c>, subprotocol <c>gateway.v1</c>.</summary>
    WebSocket,

    /// <summary>The gateway's UDP command port (<c>Gateway:Listener:Udp</c>): one command per datagram.</summary>
    Udp,

    /// <summary>A running <c>gwctl listen --control</c>: commands relayed down the link a gateway holds to it.</summary>
    Listen,
}

/// <summary>
/// A <c>&lt;gateway&gt;</c> argument: <c>tcp://host:port</c>, <c>tls://host:port</c> (the TCP listener with
/// <c>Gateway:Listener:Tls</c>), <c>ws://host:port[/path]</c>, <c>wss://host:port[/path]</c> (the WebSocket listener
/// with TLS, RFC 6455 §3), <c>udp://host:port</c>, <c>listen://host:port/&lt;device&gt;</c> (the control port of
/// <c>gwctl listen</c> and the device to reach through it), or bare <c>host:port</c>, meaning TCP.
/// </summary>
/// <param name="Transport">How to reach it.</param>
/// <param name="Endpoint">Where.</param>
/// <param name="Path">The WebSocket path (<c>/ws</c> unless given); empty for the others.</param>
/// <param name="Device">The device named in a <c>listen://</c> address; null otherwise.</param>
internal sealed record GatewayAddress(TransportKind Transport, HostEndpoint Endpoint, string Path, string? Device)
{
    /// <summary>What <see cref="Parse"/> accepts, phrased for error messages.</summary>
    public const string Expected = "tcp://host:port, tls://host:port, ws://host:port[/ws], wss://host:port[/ws], udp://host:port, listen://host:port/<device>, or host:port (TCP)";

    /// <summary>Whether the connection is TLS (<c>tls://</c>, <c>wss://</c>).</summary>
    public bool Tls { get; init; }

    /// <summary>How the server's certificate is checked when <see cref="Tls"/> (<c>--ca-file</c>, <c>--pin</c>; by default the system's trust store).</summary>
    public TlsClientSettings TlsSettings { get; init; } = new();

    /// <summary>The WebSocket path the gateway's listener serves.</summary>
    public const string DefaultWebSocketPath = "/ws";

    /// <summary>Parses a <c>&lt;gateway&gt;</c> argument.</summary>
    /// <exception cref="FormatException">What is wrong with it, and what is expected.</exception>
    public static GatewayAddress Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var s = text.Trim();
        var schemeEnd = s.IndexOf("://", StringComparison.Ordinal);
        if (schemeEnd < 0)
        {
            return new GatewayAddress(TransportKind.Tcp, ParseEndpoint(s, text), string.Empty, null);
        }

        var scheme = s[..schemeEnd].ToLowerInvariant();
        var rest = s[(schemeEnd + 3)..];
        var slash = rest.IndexOf('/', StringComparison.Ordinal);
        var authority = slash < 0 ? rest : rest[..slash];
        var path = slash < 0 ? string.Empty : rest[slash..];
        var endpoint = ParseEndpoint(authority, text);
        switch (scheme)
        {
            case "tcp":
            case "tls":
            case "udp":
                if (path.Length > 1)
                {
                    throw new FormatException($"'{text}': a {scheme}:// address has no path; expected {scheme}://host:port");
                }

                return new GatewayAddress(scheme == "udp" ? TransportKind.Udp : TransportKind.Tcp, endpoint, string.Empty, null) { Tls = scheme == "tls" };
            case "ws":
            case "wss":
                return new GatewayAddress(TransportKind.WebSocket, endpoint, path.Length == 0 ? DefaultWebSocketPath : path, null) { Tls = scheme == "wss" };
            case "listen":
                var device = path.TrimStart('/');
                if (!CommandFields.IsToken(device))
                {
                    throw new FormatException($"'{text}': name the device after the control port, e.g. listen://127.0.0.1:7009/pi-01 (a device id is {CommandFields.TokenAllowed})");
                }

                return new GatewayAddress(TransportKind.Listen, endpoint, string.Empty, device);
            default:
                throw new FormatException($"'{text}': unknown scheme '{scheme}://'; expected {Expected}");
        }
    }

    /// <summary>The address as gwctl shows it, e.g. <c>tcp://127.0.0.1:7000</c>.</summary>
    public override string ToString() => Transport switch
    {
        TransportKind.Tcp => $"{(Tls ? "tls" : "tcp")}://{Endpoint}",
        TransportKind.WebSocket => $"{(Tls ? "wss" : "ws")}://{Endpoint}{Path}",
        TransportKind.Udp => $"udp://{Endpoint}",
        _ => $"listen://{Endpoint}/{Device}",
    };

    private static HostEndpoint ParseEndpoint(string authority, string whole)
    {
        try
        {
            return HostEndpoint.Parse(authority);
        }
        catch (FormatException ex)
        {
            throw new FormatException($"'{whole}' is not a gateway address ({ex.Message}); expected {Expected}", ex);
        }
    }
}
