namespace Gateway.Outbox;

/// <summary>
/// What one link has taken from the outbox and had acknowledged since the gateway started, for <c>/metrics</c>. It
/// outlives the link's cursors (a link opens a fresh one after an unexpected failure), so the totals only grow.
/// Written by the link's tasks, read by a scrape on any thread.
/// </summary>
internal sealed class DeliveryCounts
{
    private long _sent;
    private long _acknowledged;

    /// <summary>Records read from the outbox to send, resends after a reconnect included.</summary>
    public long Sent => Interlocked.Read(ref _sent);

    /// <summary>Seqs the peer acknowledged (how far its acknowledgement moved, gaps included).</summary>
    public long Acknowledged => Interlocked.Read(ref _acknowledged);

    /// <summary>Counts <paramref name="count"/> records read to send.</summary>
    public void AddSent(int count) => Interlocked.Add(ref _sent, count);

    /// <summary>Counts an acknowledgement that moved the link forward by <paramref name="seqs"/>.</summary>
    public void AddAcknowledged(long seqs) => Interlocked.Add(ref _acknowledged, seqs);
}
