namespace Gateway.Links;

/// <summary>What status and commands see of a link: its name, kind, state and last error, and a way to reconnect it.</summary>
internal interface ILinkControl
{
    /// <summary>The link's name, e.g. <c>tcp</c> or <c>websocket:backup</c>.</summary>
    string Name { get; }

    /// <summary>The kind: <c>tcp</c>, <c>websocket</c>, <c>mqtt</c>, <c>http</c>, <c>udp</c>.</summary>
    string Kind { get; }

    /// <summary>Where it connects, e.g. <c>collector.local:7000</c>.</summary>
    string Target { get; }

    /// <summary>The current state: <c>connecting</c>, <c>up</c>, <c>backing off</c>, <c>stalled</c> (the peer did not take a write within its timeout).</summary>
    string State { get; }

    /// <summary>Why it last went down, or null.</summary>
    string? LastError { get; }

    /// <summary>What the link has read from the outbox to send and had acknowledged since start (for <c>/metrics</c>).</summary>
    Outbox.DeliveryCounts Counts { get; }

    /// <summary>Connections made since start (the first included): more than one means it reconnected.</summary>
    long Connects { get; }

    /// <summary>Drops the current connection (if any) and connects again now, skipping any backoff.</summary>
    /// <returns>False when the link has no connection to renew.</returns>
    bool Reconnect();
}

/// <summary>The gateway's links, for <c>status</c> and <c>link.reconnect</c>.</summary>
internal sealed class LinkRegistry
{
    private readonly Lock _lock = new();
    private readonly List<ILinkControl> _links = [];

    /// <summary>Adds a link.</summary>
    public T Add<T>(T link)
        where T : ILinkControl
    {
        lock (_lock)
        {
            _links.Add(link);
        }

        return link;
    }

    /// <summary>Every link, in the order added.</summary>
    public IReadOnlyList<ILinkControl> All
    {
        get
        {
            lock (_lock)
            {
                return [.. _links];
            }
        }
    }
}
