namespace Gateway.Protocol.Transport;

/// <summary>
/// A connection carrying protocol messages both ways: NDJSON over a byte stream (<see cref="NdjsonChannel"/>), or one
/// message per WebSocket text frame (<see cref="WebSocketChannel"/>); docs/protocol.md, Framing. Sends are serialised
/// (whole messages only) and bounded in time; receives are bounded in size.
/// </summary>
public interface IMessageChannel : IAsyncDisposable
{
    /// <summary>Who is at the other end, e.g. <c>tcp 127.0.0.1:53122</c>.</summary>
    string Peer { get; }

    /// <summary>Sends one message.</summary>
    /// <exception cref="ChannelStalledException">The peer did not read within the write timeout.</exception>
    /// <exception cref="ChannelClosedException">The peer is gone.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    Task SendAsync(Message message, CancellationToken cancellationToken);

    /// <summary>
    /// Sends messages already encoded as NDJSON lines, each ending in a line feed (a link's batch, the live feed's
    /// lines): as they are over a byte stream, one text frame per line over a WebSocket. Whole lines only, in one turn
    /// of the send lock and within one write timeout.
    /// </summary>
    /// <exception cref="ChannelStalledException">The peer did not read within the write timeout.</exception>
    /// <exception cref="ChannelClosedException">The peer is gone.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    Task SendLinesAsync(ReadOnlyMemory<byte> lines, CancellationToken cancellationToken);

    /// <summary>The next message or messages (all complete ones already received); empty when the peer closed.</summary>
    /// <exception cref="FramingViolationException">The peer broke the framing; the connection is unusable.</exception>
    /// <exception cref="ChannelClosedException">The connection broke.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    Task<IReadOnlyList<Inbound>> ReceiveAsync(CancellationToken cancellationToken);
}
