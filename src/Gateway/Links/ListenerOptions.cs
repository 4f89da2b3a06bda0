using Gateway.Protocol.Transport;

namespace Gateway.Links;

/// <summary><c>Gateway:Listener</c>: where consoles and browsers connect to watch live readings.</summary>
internal sealed record ListenerOptions
{
    /// <summary><c>Tcp</c>: NDJSON listener address (loopback unless command keys are configured); port 0 picks a free port.</summary>
    public HostEndpoint? Tcp { get; init; }

    /// <summary><c>WebSocket</c>: WebSocket listener address (path <c>/ws</c>, subprotocol <c>gateway.v1</c>).</summary>
    public HostEndpoint? WebSocket { get; init; }

    /// <summary><c>Http</c>: the web console (pages, <c>/api/…</c> and its own <c>/ws</c>); see src/Gateway/Web.</summary>
    public HostEndpoint? Http { get; init; }

    /// <summary>
    /// <c>Metrics</c>: a listener for <c>/metrics</c> (Prometheus text) and <c>/healthz</c> only, for scraping without
    /// the web console (which serves both too); loopback unless command keys are configured.
    /// </summary>
    public HostEndpoint? Metrics { get; init; }

    /// <summary><c>Udp</c>: the UDP command port: one signed command per datagram, the result sent back to the sender.</summary>
    public HostEndpoint? Udp { get; init; }

    /// <summary><c>Tls</c>: TLS on the TCP and WebSocket listeners (<c>tls://</c>, <c>wss://</c>); null: plain.</summary>
    public ListenerTlsOptions? Tls { get; init; }

    /// <summary><c>MaxConnections</c>: per listener; one more is told so and closed.</summary>
    public int MaxConnections { get; init; } = 16;

    /// <summary><c>MaxConnectionsPerAddress</c>: per listener and peer address, so one host cannot hold every slot.</summary>
    public int MaxConnectionsPerAddress { get; init; } = 4;

    /// <summary><c>IdleTimeout</c>: a peer that sends no valid message this long (empty and unparsable lines do not count) is disconnected.</summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary><c>MaxLineLength</c>: the longest message accepted.</summary>
    public int MaxLineLength { get; init; } = Gateway.Protocol.ProtocolInfo.DefaultMaxLineLength;

    /// <summary>How long a write may block on a peer that does not read before the peer is dropped.</summary>
    public TimeSpan WriteTimeout { get; init; } = TimeSpan.FromSeconds(10);
}
