namespace Gateway.Protocol.Transport;

/// <summary>
/// The peer of an <see cref="IMessageChannel"/> broke the framing (docs/protocol.md, Framing): a line or frame over the
/// size limit, or a binary frame. The connection is unusable; <see cref="Reply"/> is what to tell the peer before
/// closing it.
/// </summary>
public sealed class FramingViolationException : Exception
{
    /// <summary>Creates the exception.</summary>
    public FramingViolationException()
    {
    }

    /// <summary>Creates the exception saying what the peer sent.</summary>
    public FramingViolationException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception saying what the peer sent, with the underlying error.</summary>
    public FramingViolationException(string message, Exception inner)
        : base(message, inner)
    {
    }

    /// <summary>The error to tell the peer before closing, if any.</summary>
    public ErrorMessage? Reply { get; init; }
}
