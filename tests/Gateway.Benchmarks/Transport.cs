using Gateway.Benchmarks.Upstreams;
using Gateway.Configuration;
using Gateway.Links;
using Gateway.Protocol.Transport;
using Gateway.Status;
using Microsoft.Extensions.Logging;

namespace Gateway.Benchmarks;

/// <summary>The two acknowledged transports the benchmarks compare.</summary>
internal enum Transport
{
    /// <summary>NDJSON over TCP: <see cref="TcpUpstreamLink"/>.</summary>
    Tcp,

    /// <summary>One message per text frame: <see cref="WebSocketUpstreamLink"/>.</summary>
    WebSocket,
}

/// <summary>Receivers, links and raw sends for a <see cref="Transport"/>.</summary>
internal static class Transports
{
    /// <summary>Parses <c>tcp</c>, <c>ws</c> or <c>both</c>.</summary>
    public static Transport[]? Parse(string text) => text switch
    {
        "tcp" => [Transport.Tcp],
        "ws" => [Transport.WebSocket],
        "both" => [Transport.Tcp, Transport.WebSocket],
        _ => null,
    };

    /// <summary>A short name for output.</summary>
    public static string Name(this Transport transport) => transport == Transport.Tcp ? "TCP" : "WebSocket";

    /// <summary>Starts an acking receiver for the transport.</summary>
    public static async Task<BenchUpstream> StartReceiverAsync(this Transport transport, LatencyHistogram? latency = null) =>
        transport == Transport.Tcp ? new TcpBenchUpstream(acknowledge: true, latency) : await WebSocketBenchUpstream.StartAsync(acknowledge: true, latency);

    /// <summary>
    /// The gateway's real link of the transport, pointed at <paramref name="receiver"/>, with the other settings of
    /// <paramref name="settings"/> (window, rate); the link's name (its outbox cursor) is the transport's.
    /// </summary>
    public static UpstreamLink CreateLink(this Transport transport, BenchUpstream receiver, UpstreamLinkOptions settings, GatewayOptions gateway, Outbox.Outbox outbox, ILoggerFactory loggers)
    {
        ArgumentNullException.ThrowIfNull(receiver);
        ArgumentNullException.ThrowIfNull(loggers);
        return transport == Transport.Tcp
            ? new TcpUpstreamLink(settings with { Name = "tcp", Endpoint = new HostEndpoint("127.0.0.1", ((TcpBenchUpstream)receiver).Port) }, gateway, outbox, new StatusBoard(), loggers.CreateLogger<TcpUpstreamLink>())
            : new WebSocketUpstreamLink(settings with { Name = "websocket", Url = ((WebSocketBenchUpstream)receiver).Url }, gateway, outbox, new StatusBoard(), loggers.CreateLogger<WebSocketUpstreamLink>());
    }

    /// <summary>Sends the pre-encoded messages over the raw transport; see <see cref="RawSend"/>.</summary>
    public static Task<Measured> SendRawAsync(this Transport transport, RawSend raw, long lastSeq, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(raw);
        return transport == Transport.Tcp ? raw.OverTcpAsync(lastSeq, timeout) : raw.OverWebSocketAsync(lastSeq, timeout);
    }
}
