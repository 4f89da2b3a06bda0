using System.Diagnostics;
using Gateway.Health;
using Gateway.Sampling;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace Gateway.Outbox;

/// <summary>
/// Every reading, durably: numbers each reading as it arrives, commits in groups (every
/// <see cref="OutboxOptions.CommitInterval"/> or <see cref="OutboxOptions.CommitBatch"/> readings, so an SD card
/// sees a bounded commit rate), enforces the size and age caps by dropping the oldest readings with a recorded
/// gap, keeps readings in memory (bounded) while the disk refuses them, and recovers from a corrupt file by moving
/// it aside. Links read committed readings from their cursor.
/// </summary>
internal sealed partial class Outbox : IReadingSink, IAsyncDisposable
{
    /// <summary>The gap reason for readings lost with a corrupt database file (docs/protocol.md, <c>gap</c>).</summary>
    public const string CorruptReason = "corrupt";

    private static readonly TimeSpan MaintenancePeriod = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How long the committing task sleeps while nothing waits to be committed when it has no <see cref="Heartbeat"/>;
    /// with one it sleeps for the heartbeat's <see cref="Health.Heartbeat.Period"/> (it wakes then only to beat and run
    /// maintenance).
    /// </summary>
    public static readonly TimeSpan IdleBeat = TimeSpan.FromSeconds(1);

    private readonly OutboxOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Lock _lock = new();          // pending readings and counters (the hot path)
    private readonly Lock _dbLock = new();        // the writer connection; taken before _lock, never inside it
    private readonly SeqReservation _reservation;
    private List<StoredRecord> _pending = [];
    private List<StoredRecord> _spare = []; // the last committed batch's list, emptied: the next batch fills it without growing it again
    private readonly List<Gap> _pendingGaps = [];
    private readonly Dictionary<string, (long Seq, bool Durable)> _cursorUpdates = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DateTimeOffset> _lastAcks = new(StringComparer.Ordinal); // this run's, for status
    private readonly SemaphoreSlim _wake = new(0, int.MaxValue);
    private readonly CancellationTokenSource _stop = new();
    private TaskCompletionSource _committedSignal = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private OutboxDatabase? _db;
    private Task? _writer;
    private long _lastAssigned;
    private long _lastCommitted;
    private long _stored;
    private long _dropped;
    private long _gaps;
    private long _commits;
    private bool _diskTrouble;
    private long _nextMaintenance;
    private int _disposed;

    /// <summary>Creates the outbox; <see cref="Start"/> opens the database.</summary>
    public Outbox(OutboxOptions options, TimeProvider time, ILogger<Outbox> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _time = time;
        _logger = logger;
        _reservation = new SeqReservation(options.Path + ".seq");
    }

    /// <summary>The database file.</summary>
    public string DatabasePath => _options.Path;

    /// <summary>The last seq committed (every reading up to it is durable).</summary>
    public long LastCommitted => Interlocked.Read(ref _lastCommitted);

    /// <summary>Figures for status: stored, pending, dropped, gaps, commit latency, size.</summary>
    public OutboxFigures Figures
    {
        get
        {
            lock (_lock)
            {
                return new OutboxFigures(_stored, _pending.Count, _dropped, _gaps, _commits, LastCommitLatency, _diskTrouble, _lastCommitted, UsedBytes);
            }
        }
    }

    /// <summary>Beaten once per round of the committing task (at least every <see cref="IdleBeat"/>), so the watchdog notices a hung disk.</summary>
    public Heartbeat? Heartbeat { get; set; }

    /// <summary>How long the last commit took.</summary>
    public TimeSpan LastCommitLatency { get; private set; }

    /// <summary>Bytes in use in the database file after the last maintenance.</summary>
    public long UsedBytes { get; private set; }

    /// <summary>
    /// Opens (or recovers) the database and starts the committing task. A file SQLite reports as damaged is moved
    /// aside and a fresh one started, with the loss recorded as a gap (reason <c>corrupt</c>); any other failure to
    /// open it (a read-only disk, no permission) leaves the file alone and throws <see cref="OutboxUnavailableException"/>.
    /// </summary>
    public void Start()
    {
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(_options.Path)!);
        OutboxSalvage? salvage = null;
        try
        {
            _db = OutboxDatabase.Open(_options.Path);
        }
        catch (SqliteException ex) when (OutboxDatabase.IsDamaged(ex))
        {
            var aside = MoveAside(_options.Path);
            LogMovedAside(_logger, _options.Path, ex.Message, aside);
            salvage = OutboxSalvage.Read(aside);
            _db = OpenOrThrow(_options.Path);
        }
        catch (SqliteException ex)
        {
            throw new OutboxUnavailableException(_options.Path, ex);
        }

        // Seq continues from the last commit; after a lost database, above everything that may have been handed out.
        _lastAssigned = salvage is null ? Math.Max(_db.LastSeq, 0) : Math.Max(Math.Max(_db.LastSeq, _reservation.Reserved), salvage.LastSeq ?? 0);
        _lastCommitted = _lastAssigned;
        if (salvage is not null)
        {
            RecordCorruptionLoss(salvage);
        }

        UsedBytes = _db.UsedBytes();
        _gaps = OutboxDatabase.Gaps(_db.Connection).Count;
        var (count, min, max) = _db.Extent();
        LogOpened(_logger, _options.Path, count, min, max, _lastAssigned + 1);
        _writer = Task.Run(WriteLoop);
    }

    private static OutboxDatabase OpenOrThrow(string path)
    {
        try
        {
            return OutboxDatabase.Open(path);
        }
        catch (SqliteException ex)
        {
            throw new OutboxUnavailableException(path, ex);
        }
    }

    // The fresh database starts after _lastAssigned; every seq from the first the links still waited for up to it is
    // gone with the old file. Their cursors are carried over, so each link resumes (and is told of the gap) from where
    // it acknowledged; a link whose cursor could not be read starts at 0 and hears of the whole range.
    private void RecordCorruptionLoss(OutboxSalvage salvage)
    {
        var db = _db!;
        foreach (var (link, (seq, durable)) in salvage.Cursors)
        {
            db.SetCursor(link, Math.Min(seq, _lastAssigned), durable);
        }

        var from = salvage.FirstLost;
        if (from > _lastAssigned)
        {
            return;
        }

        var gap = new Gap(from, _lastAssigned, CorruptReason, _time.GetUtcNow());
        db.RecordGap(gap);
        var lost = Math.Max(0, Math.Min(salvage.LastSeq ?? _lastAssigned, _lastAssigned) - from + 1);
        _dropped += lost;
        LogCorruptionLoss(_logger, lost, gap.From, gap.To, salvage.Cursors.Count, salvage.LastSeq?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "unknown");
    }

    /// <inheritdoc/>
    public void Accept(in SampledReading reading) =>
        Enqueue(RecordKind.Reading, reading.SensorId, reading.Quantity, reading.Value, reading.Unit, null, reading.Timestamp);

    /// <inheritdoc/>
    public void AcceptHealth(HealthChange change, DateTimeOffset timestamp)
    {
        ArgumentNullException.ThrowIfNull(change);
        Enqueue(RecordKind.Health, change.SensorId, StoredRecord.HealthQuantity, (int)change.State, string.Empty,
            $"{change.State.ToString().ToLowerInvariant()}: {change.Message}", timestamp);
    }

    private void Enqueue(RecordKind kind, string sensor, string quantity, double value, string unit, string? text, DateTimeOffset timestamp)
    {
        // Millisecond precision, as stored and sent.
        var ts = DateTimeOffset.FromUnixTimeMilliseconds(timestamp.ToUnixTimeMilliseconds());
        bool wake;
        lock (_lock)
        {
            var seq = ++_lastAssigned;
            if (seq > _reservation.Reserved)
            {
                _reservation.Cover(seq); // one small fsync per SeqReservation.BlockSize readings
            }

            // The committing task sleeps while nothing is pending: the first reading wakes it (to commit at the next
            // tick), a full batch wakes it to commit at once.
            wake = _pending.Count == 0 && _pendingGaps.Count == 0 && _cursorUpdates.Count == 0;
            _pending.Add(new StoredRecord(seq, kind, ts, sensor, quantity, value, unit, text));
            if (_pending.Count > _options.MemoryLimit)
            {
                DropOldestPending();
            }

            wake |= _pending.Count == _options.CommitBatch;
        }

        if (wake)
        {
            _wake.Release();
        }
    }

    // Called under the lock when the disk has refused readings for long enough that the memory bound is reached.
    // Drops a tenth of the bound at once, so that a sustained overload costs one list shift per many readings.
    private void DropOldestPending()
    {
        var excess = Math.Min(_pending.Count, _pending.Count - _options.MemoryLimit + Math.Max(1, _options.MemoryLimit / 10));
        var from = _pending[0].Seq;
        var to = _pending[excess - 1].Seq;
        _pending.RemoveRange(0, excess);
        _dropped += excess;
        _pendingGaps.Add(new Gap(from, to, "MemoryLimit", _time.GetUtcNow()));
        _gaps++;
        LogDropped(_logger, excess, from, to, "MemoryLimit");
    }

    /// <summary>Completes when a commit has made seq greater than <paramref name="afterSeq"/> durable (or at once if it already is).</summary>
    public async Task WaitForCommitAsync(long afterSeq, CancellationToken cancellationToken)
    {
        while (true)
        {
            Task signal;
            lock (_lock)
            {
                if (_lastCommitted > afterSeq)
                {
                    return;
                }

                signal = _committedSignal.Task;
            }

            // Each commit completes the current signal; a commit that did not reach afterSeq means waiting again.
            await signal.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Opens <paramref name="link"/>'s cursor: registered in the file on first use (a new link starts at the
    /// oldest stored record), at its stored position after that, also across restarts. Dispose it when the link stops.
    /// </summary>
    /// <param name="link">The link's name, unique among links.</param>
    /// <param name="durable">True for an acknowledged link: clean-up keeps every record until it is acknowledged.</param>
    public OutboxCursor OpenCursor(string link, bool durable)
    {
        ArgumentException.ThrowIfNullOrEmpty(link);
        var reader = OpenReader();
        try
        {
            return new OutboxCursor(this, reader, link, durable, Cursor(link, durable));
        }
        catch
        {
            reader.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Opens a cursor that follows the commits from now on (the live feed, UDP broadcast): it starts at
    /// <see cref="LastCommitted"/>, is not stored and holds nothing back.
    /// </summary>
    public OutboxCursor OpenLiveCursor() => new(this, OpenReader(), null, durable: false, LastCommitted);

    private OutboxReader OpenReader() => OutboxReader.Open((_db ?? throw new InvalidOperationException("the outbox is not started")).Path);

    /// <summary>Registers (or finds) a link's cursor; a new durable link starts at the oldest stored reading.</summary>
    public long Cursor(string link, bool durable)
    {
        lock (_dbLock)
        {
            var db = _db ?? throw new InvalidOperationException("the outbox is not started");
            lock (_lock)
            {
                if (_cursorUpdates.TryGetValue(link, out var pending))
                {
                    return pending.Seq;
                }
            }

            if (db.Cursors().TryGetValue(link, out var cursor))
            {
                return cursor.Seq;
            }

            var start = Math.Max(0, db.Extent().MinSeq - 1);
            db.SetCursor(link, start, durable);
            return start;
        }
    }

    /// <summary>
    /// Moves a link's cursor forward to <paramref name="seq"/> (an acknowledgement); never backwards. The move is kept
    /// in memory and written with the next group commit (≤ CommitInterval later), so acks cost no fsync of their own;
    /// a crash in between only means those readings are sent again (at-least-once).
    /// </summary>
    public void Acknowledge(string link, long seq, bool durable)
    {
        var current = Cursor(link, durable);
        if (seq <= current)
        {
            return;
        }

        MoveCursor(link, seq, durable);
    }

    // Queues a registered cursor's move (forward: its OutboxCursor checked) for the next group commit.
    internal void MoveCursor(string link, long seq, bool durable)
    {
        bool wake;
        lock (_lock)
        {
            wake = _pending.Count == 0 && _pendingGaps.Count == 0 && _cursorUpdates.Count == 0;
            _cursorUpdates[link] = (Math.Min(seq, _lastCommitted), durable);
            _lastAcks[link] = _time.GetUtcNow();
        }

        if (wake)
        {
            _wake.Release(); // the committing task sleeps while nothing is pending
        }
    }

    /// <summary>
    /// The readings (not health changes) measured within <paramref name="window"/> of now, oldest first, looked for among
    /// the last <paramref name="max"/> seqs committed: what the web console's charts start from (issue 18, item 4). Read
    /// on a connection of its own, so it never holds up a commit.
    /// </summary>
    public List<StoredRecord> Recent(TimeSpan window, int max)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(max, 1);
        var since = _time.GetUtcNow() - window;
        var rows = new List<StoredRecord>();
        using (var reader = OpenReader())
        {
            reader.ReadAfter(Math.Max(0, LastCommitted - max), max, rows);
        }

        rows.RemoveAll(r => r.Kind != RecordKind.Reading || r.Timestamp < since);
        return rows;
    }

    /// <summary>
    /// What <paramref name="link"/> still owes its peer (issue 18: "what each link still owes"): the seq its peer has
    /// acknowledged through, how many seqs were committed after it, when the oldest of those was sampled, and when the
    /// peer last acknowledged anything in this run. Null for a name with no cursor (a link that keeps no place, UDP),
    /// and while the outbox is not running or its database cannot be read.
    /// </summary>
    public LinkOwed? Owed(string link)
    {
        ArgumentNullException.ThrowIfNull(link);
        lock (_dbLock)
        {
            if (_db is not { } db)
            {
                return null; // not started yet (or stopped): nothing to say
            }

            long? acknowledged = null;
            DateTimeOffset? lastAck;
            long lastCommitted;
            lock (_lock)
            {
                lastAck = _lastAcks.TryGetValue(link, out var at) ? at : null;
                lastCommitted = _lastCommitted;
                if (_cursorUpdates.TryGetValue(link, out var pending))
                {
                    acknowledged = pending.Seq;
                }
            }

            // Not moved since the last commit: the stored cursor (read outside the hot path's lock). A database that
            // cannot be read (a failing disk, which the outbox reports on its own) leaves the figures out: status and
            // the summary still answer.
            try
            {
                acknowledged ??= db.Cursors().TryGetValue(link, out var stored) ? stored.Seq : null;
                if (acknowledged is not { } through)
                {
                    return null;
                }

                var backlog = Math.Max(0, lastCommitted - through);
                return new LinkOwed(through, backlog, backlog == 0 ? null : db.FirstTimestampAfter(through), lastAck);
            }
            catch (SqliteException)
            {
                return null;
            }
        }
    }

    /// <summary>
    /// Every gap recorded with a to-seq above <paramref name="afterSeq"/> (a link's cursor), each starting no lower than
    /// <paramref name="afterSeq"/> + 1: a link is told only of seqs it has not acknowledged.
    /// </summary>
    public IReadOnlyList<Gap> Gaps(long afterSeq = 0)
    {
        lock (_dbLock)
        {
            var gaps = OutboxDatabase.Gaps((_db ?? throw new InvalidOperationException("the outbox is not started")).Connection, afterSeq);
            return [.. gaps.Select(g => g.From > afterSeq ? g : g with { From = afterSeq + 1 })];
        }
    }

    // Rounds fall on ticks CommitInterval apart while something waits to be committed (a reading waits at most one
    // interval, as before); with nothing pending the task sleeps until a reading or an acknowledgement arrives, or
    // its heartbeat's period (IdleBeat without one) passes. A wake-up costs a timer, a thread-pool worker and, on a Pi, measurable CPU at idle.
    private async Task WriteLoop()
    {
        var stopping = false;
        var ticks = new CommitTicks(_time.GetTimestamp(), _options.CommitInterval, _time.TimestampFrequency);
        Task? wake = null; // kept across rounds so that no release of the semaphore is lost
        while (true)
        {
            if (!stopping)
            {
                try
                {
                    wake ??= _wake.WaitAsync(_stop.Token);
                    var delay = HasWork() ? ticks.UntilNext(_time.GetTimestamp()) : Heartbeat?.Period ?? IdleBeat;
                    using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token))
                    {
                        await Task.WhenAny(wake, Task.Delay(delay, _time, timeout.Token)).ConfigureAwait(false);
#pragma warning disable CA1849 // CancelAsync would hand the delay's cancellation to another pool thread: a wake-up for nothing
                        timeout.Cancel(); // an abandoned delay would still wake the process when it fires
#pragma warning restore CA1849
                    }

                    _stop.Token.ThrowIfCancellationRequested();
                    if (wake.IsCompleted)
                    {
                        wake = null;
                        if (!BatchFull())
                        {
                            continue; // the first of a batch: it commits at the next tick
                        }
                    }
                }
                catch (OperationCanceledException)
                {
                    stopping = true;
                }
            }

            var remaining = Commit();
            Maintain();
            Heartbeat?.Beat();
            if (stopping && (remaining == 0 || _diskTrouble))
            {
                return;
            }
        }
    }

    private bool HasWork()
    {
        lock (_lock)
        {
            return _pending.Count > 0 || _pendingGaps.Count > 0 || _cursorUpdates.Count > 0;
        }
    }

    private bool BatchFull()
    {
        lock (_lock)
        {
            return _pending.Count >= _options.CommitBatch;
        }
    }

    // Commits everything pending; returns how many readings are still pending (after a failure).
    private int Commit()
    {
        List<StoredRecord> batch;
        List<Gap> gaps;
        List<KeyValuePair<string, (long Seq, bool Durable)>> cursors;
        lock (_lock)
        {
            if (_pending.Count == 0 && _pendingGaps.Count == 0 && _cursorUpdates.Count == 0)
            {
                return 0;
            }

            batch = _pending;
            _pending = _spare;
            _spare = [];
            gaps = [.. _pendingGaps];
            _pendingGaps.Clear();
            cursors = [.. _cursorUpdates];
            _cursorUpdates.Clear();
        }

        var started = Stopwatch.GetTimestamp();
        try
        {
            lock (_dbLock)
            {
                foreach (var gap in gaps)
                {
                    _db!.RecordGap(gap);
                }

                gaps.Clear();
                _db!.Append(batch);
                foreach (var (link, (seq, durable)) in cursors)
                {
                    _db.SetCursor(link, seq, durable);
                }

                cursors.Clear();
            }
        }
        catch (SqliteException ex)
        {
            lock (_lock)
            {
                // Put them back in front, in order, and try again at the next interval.
                batch.AddRange(_pending);
                _pending.Clear();
                _spare = _pending;
                _pending = batch;
                _pendingGaps.InsertRange(0, gaps);
                foreach (var (link, update) in cursors)
                {
                    _cursorUpdates.TryAdd(link, update); // a newer ack since then wins
                }

                if (_pending.Count > _options.MemoryLimit)
                {
                    DropOldestPending();
                }

                if (!_diskTrouble)
                {
                    _diskTrouble = true;
                    LogCommitFailed(_logger, _options.Path, ex.SqliteErrorCode, ex.Message, _pending.Count, _options.MemoryLimit);
                }

                return _pending.Count;
            }
        }

        TaskCompletionSource signal;
        var committed = batch.Count;
        var through = committed > 0 ? batch[^1].Seq : 0;
        lock (_lock)
        {
            LastCommitLatency = Stopwatch.GetElapsedTime(started);
            if (committed > 0)
            {
                _lastCommitted = through;
            }

            // Kept for the next batch unless a burst grew it past twice CommitBatch (a backlog held through disk trouble).
            batch.Clear();
            if (batch.Capacity <= 2 * _options.CommitBatch)
            {
                _spare = batch;
            }

            _stored += committed;
            _commits++;
            if (_diskTrouble)
            {
                _diskTrouble = false;
                LogCommitRecovered(_logger, _options.Path);
            }

            signal = _committedSignal;
            _committedSignal = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        signal.TrySetResult();
        if (committed > 0)
        {
            LogCommitted(_logger, committed, through, LastCommitLatency.TotalMilliseconds);
        }

        return 0;
    }

    // Caps and clean-up, at most every few seconds: rows every durable link has acknowledged go; then the age and
    // size caps drop the oldest rows, recording the exact range as a gap.
    private void Maintain()
    {
        var now = _time.GetTimestamp();
        if (now < _nextMaintenance || _diskTrouble)
        {
            return;
        }

        _nextMaintenance = now + (long)(MaintenancePeriod.TotalSeconds * _time.TimestampFrequency);
        try
        {
            lock (_dbLock)
            {
                var db = _db!;
                var durable = db.Cursors().Values.Where(c => c.Durable).Select(c => c.Seq).ToList();
                if (durable.Count > 0)
                {
                    db.DeleteThrough(durable.Min());
                }

                var old = db.LastSeqBefore(_time.GetUtcNow() - _options.MaxAge);
                if (old > 0)
                {
                    DropThrough(db, old, "MaxAge");
                }

                var keep = db.SeqToKeepUnder(_options.MaxBytes);
                if (keep > 0)
                {
                    DropThrough(db, keep, "MaxBytes");
                }

                UsedBytes = db.UsedBytes();
            }
        }
        catch (SqliteException ex)
        {
            LogMaintenanceFailed(_logger, ex.Message);
        }
    }

    private void DropThrough(OutboxDatabase db, long seq, string reason)
    {
        var from = db.FirstSeqAfter(0);
        if (from == 0 || from > seq)
        {
            return;
        }

        var gap = new Gap(from, seq, reason, _time.GetUtcNow());
        var deleted = db.DeleteThrough(seq, gap);
        lock (_lock)
        {
            _dropped += deleted;
            _gaps++;
        }

        LogDropped(_logger, deleted, from, seq, reason);
    }

    /// <summary>Forces the maintenance pass now (tests and the status command).</summary>
    internal void MaintainNow()
    {
        Commit(); // pending cursor moves first, as the writer's next round would
        _nextMaintenance = 0;
        Maintain();
    }

    private static string MoveAside(string path)
    {
        var aside = $"{path}.corrupt-{DateTime.UtcNow:yyyyMMddTHHmmssZ}";
        File.Move(path, aside, overwrite: true);
        foreach (var suffix in new[] { "-wal", "-shm" })
        {
            if (File.Exists(path + suffix))
            {
                File.Move(path + suffix, aside + suffix, overwrite: true);
            }
        }

        return aside;
    }

    /// <summary>Commits everything pending and closes the database.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        await _stop.CancelAsync().ConfigureAwait(false);
        if (_writer is not null)
        {
            await _writer.ConfigureAwait(false);
        }

        var figures = Figures;
        if (figures.Pending > 0)
        {
            LogLostAtShutdown(_logger, figures.Pending);
        }

        _db?.Dispose();
        _stop.Dispose();
        _wake.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Outbox {Path}: {Count} readings stored (seq {MinSeq}..{MaxSeq}); next seq {NextSeq}")]
    private static partial void LogOpened(ILogger logger, string path, long count, long minSeq, long maxSeq, long nextSeq);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Committed {Count} readings through seq {Seq} in {Milliseconds:0.0} ms")]
    private static partial void LogCommitted(ILogger logger, int count, long seq, double milliseconds);

    [LoggerMessage(Level = LogLevel.Error, Message = "Outbox {Path} is not a usable database ({Error}); moved it aside to {Aside} and started a fresh one")]
    private static partial void LogMovedAside(ILogger logger, string path, string error, string aside);

    [LoggerMessage(Level = LogLevel.Error, Message = "Outbox lost {Count} stored readings with the corrupt file: seq {From}..{To} (reason corrupt) is recorded as a gap and sent upstream; {Cursors} link cursor(s) salvaged, last seq stored {LastSeq}")]
    private static partial void LogCorruptionLoss(ILogger logger, long count, long from, long to, int cursors, string lastSeq);

    [LoggerMessage(Level = LogLevel.Error, Message = "Outbox {Path} cannot store readings (SQLite error {Code}: {Error}); holding {Pending} in memory (limit {Limit}) and retrying")]
    private static partial void LogCommitFailed(ILogger logger, string path, int code, string error, int pending, int limit);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Outbox {Path} stores readings again")]
    private static partial void LogCommitRecovered(ILogger logger, string path);

    [LoggerMessage(Level = LogLevel.Error, Message = "Outbox dropped {Count} readings, seq {From}..{To}, reason {Reason}; a gap is recorded and sent upstream")]
    private static partial void LogDropped(ILogger logger, long count, long from, long to, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Outbox maintenance failed: {Error}; retrying later")]
    private static partial void LogMaintenanceFailed(ILogger logger, string error);

    [LoggerMessage(Level = LogLevel.Error, Message = "Outbox stopped with {Pending} readings that could not be stored")]
    private static partial void LogLostAtShutdown(ILogger logger, int pending);
}

/// <summary>What one link owes its peer; see <see cref="Outbox.Owed"/>.</summary>
/// <param name="Acknowledged">The seq the peer has everything through.</param>
/// <param name="Backlog">Seqs committed after it (readings, events and any lost in between, which go as gaps).</param>
/// <param name="Oldest">When the oldest reading not yet acknowledged was sampled; null when there is none.</param>
/// <param name="LastAck">When the peer last acknowledged, in this run; null when it has not.</param>
internal sealed record LinkOwed(long Acknowledged, long Backlog, DateTimeOffset? Oldest, DateTimeOffset? LastAck);

/// <summary>The outbox's figures, as status and the console show them.</summary>
internal sealed record OutboxFigures(long Stored, int Pending, long Dropped, long Gaps, long Commits, TimeSpan LastCommitLatency, bool DiskTrouble, long LastCommittedSeq, long UsedBytes);
