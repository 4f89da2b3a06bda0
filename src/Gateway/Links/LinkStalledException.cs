namespace Gateway.Links;

/// <summary>
/// A write to the upstream did not finish within the link's <c>WriteTimeout</c>: the peer is connected (it may even
/// keep pinging) but does not read. The connection is dropped and retried with backoff; the link shows <c>stalled</c>.
/// </summary>
internal sealed class LinkStalledException : Exception
{
    public LinkStalledException()
    {
    }

    public LinkStalledException(string message)
        : base(message)
    {
    }

    public LinkStalledException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
