namespace Gateway.Commands;

/// <summary>
/// Where commands come from: one connection (or the UDP port) with its own rate limit. Made by
/// <see cref="CommandPipeline.OpenSource"/>; the link and peer appear in the audit.
/// </summary>
internal sealed class CommandSource
{
    private readonly Lock _lock = new();
    private readonly TokenBucket _bucket;
    private readonly TimeProvider _time;

    internal CommandSource(string link, string peer, int ratePerSecond, TimeProvider time)
    {
        Link = link;
        Peer = peer;
        _time = time;
        _bucket = new TokenBucket(ratePerSecond, ratePerSecond, time.GetTimestamp(), time.TimestampFrequency);
    }

    // Another name for the same source: same link, same rate (one bucket, one lock).
    private CommandSource(CommandSource source, string peer)
    {
        Link = source.Link;
        Peer = peer;
        _time = source._time;
        _bucket = source._bucket;
        _lock = source._lock;
    }

    /// <summary>The link, e.g. <c>listener tcp</c> or <c>tcp:backup</c>.</summary>
    public string Link { get; }

    /// <summary>The peer's address, e.g. <c>127.0.0.1:51234</c>.</summary>
    public string Peer { get; }

    /// <summary>
    /// The same source (its link, and the same rate: commands through either count against one limit) under another
    /// <paramref name="peer"/> name, e.g. the MQTT topic a Home Assistant switch's command came on, so that the log and
    /// the audit name where each command really came from.
    /// </summary>
    public CommandSource As(string peer)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(peer);
        return new CommandSource(this, peer);
    }

    /// <summary>Takes one command from this source's rate.</summary>
    public bool TryTake()
    {
        lock (_lock)
        {
            return _bucket.TryTake(_time.GetTimestamp());
        }
    }
}
