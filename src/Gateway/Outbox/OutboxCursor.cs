namespace Gateway.Outbox;

/// <summary>
/// One reader's place in the outbox: the records it has been handed (<see cref="Sent"/>) and the point its peer has
/// acknowledged (<see cref="Acknowledged"/>). Made by <see cref="Outbox.OpenCursor"/> for a link, whose position is
/// stored in the outbox file under the link's name (so a restart resumes from it), or by
/// <see cref="Outbox.OpenLiveCursor"/> for a follower that starts at the last commit and stores nothing. Owns a
/// read-only connection (<see cref="OutboxReader"/>); SQLite stays inside the outbox.
/// </summary>
/// <remarks>
/// One task reads (<see cref="TryRead"/>, <see cref="ReadAsync"/>, <see cref="WaitAsync"/>, <see cref="Rewind"/>);
/// <see cref="Acknowledge"/>, <see cref="Acknowledged"/> and <see cref="Sent"/> may be used from any thread (a link
/// receives acks on another task than the one that sends).
/// </remarks>
internal sealed class OutboxCursor : IDisposable
{
    private readonly Outbox _outbox;
    private readonly OutboxReader _reader;
    private readonly Lock _ackLock = new();
    private long _acknowledged;
    private long _sent;

    // After a read that found nothing: the last seq committed before it ran. Nothing after Sent up to it is stored
    // (the caps or clean-up deleted it), so waiting for a commit means waiting for one beyond it.
    private long _emptyThrough;

    internal OutboxCursor(Outbox outbox, OutboxReader reader, string? link, bool durable, long position)
    {
        _outbox = outbox;
        _reader = reader;
        Link = link;
        Durable = durable;
        _acknowledged = position;
        _sent = position;
    }

    /// <summary>The link whose stored cursor this is; null for a live cursor.</summary>
    public string? Link { get; }

    /// <summary>
    /// True when the link's acknowledged position holds records back from clean-up (an acknowledged link: records
    /// stay until it has them). A non-durable link's position is stored too, but clean-up does not wait for it.
    /// </summary>
    public bool Durable { get; }

    /// <summary>The seq acknowledged through: where the link's stored cursor is, and where <see cref="Rewind"/> goes back to.</summary>
    public long Acknowledged => Volatile.Read(ref _acknowledged);

    /// <summary>The last seq handed out by a read.</summary>
    public long Sent => Volatile.Read(ref _sent);

    /// <summary>Where reads and acknowledgements are counted for <c>/metrics</c> (the link's, kept across its cursors); null: not counted.</summary>
    public DeliveryCounts? Counts { get; set; }

    /// <summary>
    /// Replaces the contents of <paramref name="records"/> with up to <paramref name="max"/> committed records after
    /// <see cref="Sent"/>, in seq order, and moves <see cref="Sent"/> to the last; returns how many (0: none yet, see
    /// <see cref="WaitAsync"/>). Seqs may skip numbers: records lost to a cap are announced by <see cref="Gaps"/>.
    /// </summary>
    public int TryRead(List<StoredRecord> records, int max)
    {
        ArgumentNullException.ThrowIfNull(records);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(max);

        // Taken before the query: every seq up to it is committed, so the query sees each one still stored.
        var committed = _outbox.LastCommitted;
        var sent = Sent;
        if (_reader.ReadAfter(sent, max, records) == 0)
        {
            _emptyThrough = Math.Max(sent, committed);
            return 0;
        }

        Volatile.Write(ref _sent, records[^1].Seq);
        Counts?.AddSent(records.Count);
        return records.Count;
    }

    /// <summary>Completes when a commit may have made a record after <see cref="Sent"/> readable (at once if one already has).</summary>
    public Task WaitAsync(CancellationToken cancellationToken) =>
        _outbox.WaitForCommitAsync(Math.Max(Sent, _emptyThrough), cancellationToken);

    /// <summary>
    /// Like <see cref="TryRead"/>, but waits for the next commit while there is nothing to read; returns at least one
    /// record, or throws <see cref="OperationCanceledException"/>.
    /// </summary>
    public async ValueTask<int> ReadAsync(List<StoredRecord> records, int max, CancellationToken cancellationToken)
    {
        while (true)
        {
            var count = TryRead(records, max);
            if (count > 0)
            {
                return count;
            }

            await WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// The peer has everything through <paramref name="seq"/>: moves <see cref="Acknowledged"/> (and a link's stored
    /// cursor, written with the outbox's next group commit: an ack costs no fsync of its own, and a crash in between
    /// only means those records are sent again). Never backwards, never past <see cref="Sent"/>: an older or repeated
    /// ack changes nothing.
    /// </summary>
    public void Acknowledge(long seq)
    {
        lock (_ackLock)
        {
            seq = Math.Min(seq, Sent);
            if (seq <= _acknowledged)
            {
                return;
            }

            Counts?.AddAcknowledged(seq - _acknowledged);
            Volatile.Write(ref _acknowledged, seq);
            if (Link is not null)
            {
                _outbox.MoveCursor(Link, seq, Durable); // under the lock, so two acks reach the outbox in order
            }
        }
    }

    /// <summary>
    /// Goes back to <see cref="Acknowledged"/>: the next read hands out again everything not acknowledged (what a link
    /// does on each new connection; at least once, the receiver de-duplicates by device and seq).
    /// </summary>
    public void Rewind()
    {
        lock (_ackLock)
        {
            Volatile.Write(ref _sent, _acknowledged);
        }

        _emptyThrough = 0;
    }

    /// <summary>
    /// The ranges recorded as lost that the peer has not acknowledged past, each starting after
    /// <see cref="Acknowledged"/> (sent as <c>gap</c> messages after <c>hello</c>, docs/protocol.md).
    /// </summary>
    public IReadOnlyList<Gap> Gaps() => _outbox.Gaps(Acknowledged);

    /// <summary>Closes the read connection; the stored position stays.</summary>
    public void Dispose() => _reader.Dispose();
}
