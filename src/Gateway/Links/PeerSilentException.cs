namespace Gateway.Links;

/// <summary>A peer said nothing valid for longer than it may (<c>IdleTimeout</c>, docs/protocol.md): the session ends.</summary>
internal sealed class PeerSilentException : Exception
{
    public PeerSilentException()
    {
    }

    public PeerSilentException(string message)
        : base(message)
    {
    }

    public PeerSilentException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
