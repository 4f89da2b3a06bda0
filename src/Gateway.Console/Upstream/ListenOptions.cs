using Gateway.Protocol;
using Gateway.Protocol.Transport;

namespace Gateway.Console.Upstream;

/// <summary>
/// How <c>gwctl listen</c> listens: where, and the bounds that keep it standing against many gateways and misbehaving
/// peers, the same kinds the gateway's own listeners have (docs/protocol.md, Listeners).
/// </summary>
internal sealed record ListenOptions
{
    /// <summary>TCP address for gateways' <c>Gateway:Upstream:Tcp:Endpoint</c>.</summary>
    public HostEndpoint? Tcp { get; init; }

    /// <summary>WebSocket address for gateways' <c>Gateway:Upstream:WebSocket:Url</c> (served at <c>/ws</c>).</summary>
    public HostEndpoint? WebSocket { get; init; }

    /// <summary>The control port <c>gwctl send listen://…</c> relays commands through.</summary>
    public HostEndpoint? Control { get; init; }

    /// <summary>The recording, or null.</summary>
    public string? RecordPath { get; init; }

    /// <summary>Connections per listener; one more is told <c>too_many_connections</c> (WebSocket: HTTP 503).</summary>
    public int MaxConnections { get; init; } = 256;

    /// <summary>Time for a new connection to say hello.</summary>
    public TimeSpan HelloTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>A gateway silent this long is dropped (gateways ping every <c>Heartbeat</c>, 15 s by default).</summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>A peer that does not read for this long is dropped.</summary>
    public TimeSpan WriteTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Longest line or WebSocket message accepted.</summary>
    public int MaxLineLength { get; init; } = ProtocolInfo.DefaultMaxLineLength;

    /// <summary>How long acknowledgements are gathered before one is sent (one fsync and one ack cover them all).</summary>
    public TimeSpan AckDelay { get; init; } = TimeSpan.FromMilliseconds(50);

    /// <summary>How long a relayed command waits for the gateway's result.</summary>
    public TimeSpan RelayTimeout { get; init; } = TimeSpan.FromSeconds(60);
}
