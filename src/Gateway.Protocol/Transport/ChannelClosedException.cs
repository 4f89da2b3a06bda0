namespace Gateway.Protocol.Transport;

/// <summary>The connection of an <see cref="IMessageChannel"/> is gone: reset, closed while sending, or the peer stopped reading.</summary>
public class ChannelClosedException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ChannelClosedException()
    {
    }

    /// <summary>Creates the exception with what happened.</summary>
    public ChannelClosedException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with what happened and the transport's own error.</summary>
    public ChannelClosedException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
