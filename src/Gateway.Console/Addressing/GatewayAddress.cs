using Gateway.Mqtt.Formatter;
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

    /// <summary>The MQTT broker a gateway's MQTT link (<c>Gateway:Upstream:Mqtt</c>) publishes to, under its topic prefix.</summary>
    Mqtt,
}

/// <summary>
/// A <c>&lt;gateway&gt;</c> argument: <c>tcp://host:port</c>, <c>tls://host:port</c> (the TCP listener with
/// <c>Gateway:Listener:Tls</c>), <c>ws://host:port[/path]</c>, <c>wss://host:port[/path]</c> (the WebSocket listener
/// with TLS, RFC 6455 §3), <c>udp://host:port</c>, <c>listen://host:port/&lt;device&gt;</c> (the control port of
/// <c>gwctl listen</c> and the device to reach through it), <c>mqtt://host:port/&lt;prefix&gt;</c> (a broker, and the
/// gateway's topic prefix with its device filled in), or bare <c>host:port</c>, meaning TCP.
/// </summary>
/// <param name="Transport">How to reach it.</param>
/// <param name="Endpoint">Where.</param>
/// <param name="Path">The WebSocket path (<c>/ws</c> unless given); the topic prefix for <c>mqtt://</c> (e.g. <c>gateway/pi-01</c>); empty for the others.</param>
/// <param name="Device">
/// The device named in a <c>listen://</c> address; for <c>mqtt://</c> the prefix's last level when it is a device id
/// (the default prefix <c>gateway/{device}</c> ends with it); null otherwise.
/// </param>
internal sealed record GatewayAddress(TransportKind Transport, HostEndpoint Endpoint, string Path, string? Device)
{
    /// <summary>What <see cref="Parse"/> accepts, phrased for error messages.</summary>
    public const string Expected = "tcp://host:port, tls://host:port, ws://host:port[/ws], wss://host:port[/ws], udp://host:port, listen://host:port/<device>, mqtt://host:port/<topic prefix>, or host:port (TCP)";

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
        if (authority.Contains('@', StringComparison.Ordinal))
        {
            // A password in an argument shows in process lists and shell history.
            throw new FormatException($"'{Redacted(text, authority)}': credentials do not go in the address; give --mqtt-user, and the password in --mqtt-password-file or $GWCTL_MQTT_PASSWORD");
        }

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
            case "mqtt":
                var prefix = TopicPrefix(path, text);
                var last = prefix[(prefix.LastIndexOf('/') + 1)..];
                return new GatewayAddress(TransportKind.Mqtt, endpoint, prefix, CommandFields.IsToken(last) ? last : null);
            case "mqtts":
                throw new FormatException($"'{text}': TLS to the broker is not supported by gwctl yet; use mqtt:// to a broker listener without TLS");
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
        TransportKind.Mqtt => $"mqtt://{Endpoint}/{Path}",
        _ => $"listen://{Endpoint}/{Device}",
    };

    // The gateway's TopicPrefix with its device filled in: what follows the authority's slash, one trailing slash
    // dropped as the gateway drops it. A topic name may hold neither wildcard nor U+0000 (MQTT 3.1.1 §4.7.1, §4.7.3).
    private static string TopicPrefix(string path, string whole)
    {
        var prefix = path.Length > 0 ? path[1..] : string.Empty;
        prefix = prefix.EndsWith('/') ? prefix[..^1] : prefix;
        if (prefix.Length == 0)
        {
            throw new FormatException($"'{whole}': name the gateway's topic prefix after the broker, e.g. mqtt://127.0.0.1:1883/gateway/pi-01 (its Gateway:Upstream:Mqtt:TopicPrefix, default gateway/{{device}}, with the device filled in)");
        }

        if (prefix.IndexOfAny(['+', '#']) >= 0)
        {
            throw new FormatException($"'{whole}': the topic prefix '{prefix}' holds a wildcard (+ or #); give the gateway's own prefix, e.g. gateway/pi-01 (MQTT 3.1.1 §4.7.1: topic names have no wildcards)");
        }

        if (MqttTopic.CheckTopicName(new MqttTopics(prefix).Commands) is { } problem)
        {
            throw new FormatException($"'{whole}': the topic prefix is not usable in a topic name ({problem})");
        }

        return prefix;
    }

    private static string Redacted(string text, string authority) => text.Replace(authority, "…@" + authority[(authority.LastIndexOf('@') + 1)..], StringComparison.Ordinal);

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
