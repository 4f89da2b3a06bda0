using Gateway.Protocol;

namespace Gateway.Console.Transport;

/// <summary>
/// A connection carrying protocol messages both ways: NDJSON over TCP, or one message per WebSocket text frame.
/// Sends are serialised (whole messages only) and bounded in time; receives are bounded in size.
/// </summary>
internal interface IMessageChannel : IAsyncDisposable
{
    /// <summary>Who is at the other end, e.g. <c>tcp 127.0.0.1:53122</c>.</summary>
    string Peer { get; }

    /// <summary>Sends one message.</summary>
    /// <exception cref="ChannelClosedException">The peer is gone or did not read within the write timeout.</exception>
    Task SendAsync(Message message, CancellationToken cancellationToken);

    /// <summary>The next message or messages (all complete ones already received); empty when the peer closed.</summary>
    /// <exception cref="ProtocolViolationException">The peer sent something over the size limit; the connection is unusable.</exception>
    /// <exception cref="ChannelClosedException">The connection broke.</exception>
    Task<IReadOnlyList<Inbound>> ReceiveAsync(CancellationToken cancellationToken);
}

/// <summary>The peer broke the framing (an oversized line or frame, a binary frame); the connection is closed.</summary>
internal sealed class ProtocolViolationException : Exception
{
    public ProtocolViolationException()
    {
    }

    public ProtocolViolationException(string message)
        : base(message)
    {
    }

    public ProtocolViolationException(string message, Exception inner)
        : base(message, inner)
    {
    }

    /// <summary>The error to tell the peer before closing, if any.</summary>
    public ErrorMessage? Reply { get; init; }
}

/// <summary>The connection is gone: reset, closed while sending, or the peer stopped reading.</summary>
internal sealed class ChannelClosedException : Exception
{
    public ChannelClosedException()
    {
    }

    public ChannelClosedException(string message)
        : base(message)
    {
    }

    public ChannelClosedException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
