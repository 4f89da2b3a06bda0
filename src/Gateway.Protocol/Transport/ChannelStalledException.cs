namespace Gateway.Protocol.Transport;

/// <summary>
/// The peer of an <see cref="IMessageChannel"/> did not take a send within the write timeout: connected (maybe even
/// pinging) but not reading. The connection is unusable, as for any <see cref="ChannelClosedException"/>; a link
/// reports it as stalled (docs/protocol.md, Delivery: <c>WriteTimeout</c>).
/// </summary>
public sealed class ChannelStalledException : ChannelClosedException
{
    /// <summary>Creates the exception.</summary>
    public ChannelStalledException()
    {
    }

    /// <summary>Creates the exception saying how long the peer did not read.</summary>
    public ChannelStalledException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with the transport's own error.</summary>
    public ChannelStalledException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
