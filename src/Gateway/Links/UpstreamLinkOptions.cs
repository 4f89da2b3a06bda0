using Gateway.Protocol;
using Gateway.Protocol.Transport;

namespace Gateway.Links;

/// <summary><c>Gateway:Upstream:Tcp</c> and <c>Gateway:Upstream:WebSocket</c>: an acknowledged upstream link.</summary>
internal sealed record UpstreamLinkOptions
{
    /// <summary>The link's name (its cursor in the outbox): <c>tcp</c> or <c>websocket</c>.</summary>
    public required string Name { get; init; }

    /// <summary><c>Gateway:Upstream:Tcp:Endpoint</c>: where a TCP link connects.</summary>
    public HostEndpoint? Endpoint { get; init; }

    /// <summary><c>Gateway:Upstream:WebSocket:Url</c>: where a WebSocket link connects (<c>ws://</c> or <c>wss://</c>).</summary>
    public Uri? Url { get; init; }

    /// <summary><c>Tls</c>: TLS on the TCP connection (always on for <c>wss://</c>).</summary>
    public bool Tls { get; init; }

    /// <summary><c>CaFile</c>, <c>Pin</c>, <c>ClientCertificate</c>, <c>ClientKey</c>: how TLS is checked and which certificate is presented.</summary>
    public TlsClientSettings TlsSettings { get; init; } = new();

    /// <summary>Where the link connects, for logs and status.</summary>
    public string Target => Url?.ToString() ?? Endpoint?.ToString() ?? "(nowhere)";

    /// <summary><c>Format</c>: the protocol (acknowledged, resumable) or a plain foreign format (no acks).</summary>
    public PayloadFormat Format { get; init; } = PayloadFormat.Protocol;

    /// <summary><c>Plain</c>: protocol messages without hello or acks, for consumers that just read lines (foreign formats are always plain).</summary>
    public bool Plain { get; init; }

    /// <summary>Whether the peer acknowledges (protocol format, not plain): the cursor is durable and resumes.</summary>
    public bool Acknowledged => Format == PayloadFormat.Protocol && !Plain;

    /// <summary><c>Window</c>: readings sent but not yet acknowledged, at most.</summary>
    public int Window { get; init; } = 5_000;

    /// <summary><c>MaxRate</c>: readings per second at most, so draining a backlog does not flood a weak uplink.</summary>
    public int MaxRate { get; init; } = 20_000;

    /// <summary><c>Heartbeat</c>: a ping is sent after this long without sending anything.</summary>
    public TimeSpan Heartbeat { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary><c>IdleTimeout</c>: the connection is dropped after this long without hearing from the peer.</summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary><c>WriteTimeout</c>: a write the peer does not take within this long (connected but not reading) drops the connection as <c>stalled</c>.</summary>
    public TimeSpan WriteTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary><c>BackoffMax</c>: the longest reconnect delay.</summary>
    public TimeSpan BackoffMax { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary><c>MaxLineLength</c>: the longest line accepted from the peer.</summary>
    public int MaxLineLength { get; init; } = ProtocolInfo.DefaultMaxLineLength;
}
