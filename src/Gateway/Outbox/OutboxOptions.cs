namespace Gateway.Outbox;

/// <summary><c>Gateway:Outbox</c>: where readings are stored and how much may be kept.</summary>
internal sealed record OutboxOptions
{
    /// <summary><c>Path</c>: the SQLite file (default <c>gateway.db</c> in the state directory).</summary>
    public required string Path { get; init; }

    /// <summary><c>CommitInterval</c>: longest time a reading waits for its batch to commit (default 100 ms: at most ~10 commits/s).</summary>
    public TimeSpan CommitInterval { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary><c>CommitBatch</c>: a batch commits early once it holds this many readings.</summary>
    public int CommitBatch { get; init; } = 50_000;

    /// <summary><c>MaxBytes</c>: cap on the data in the file; the oldest readings go first (a gap is recorded).</summary>
    public long MaxBytes { get; init; } = 512L * 1024 * 1024;

    /// <summary><c>MaxAge</c>: readings older than this go (a gap is recorded).</summary>
    public TimeSpan MaxAge { get; init; } = TimeSpan.FromDays(30);

    /// <summary><c>MemoryLimit</c>: readings held in memory while the disk cannot take them (e.g. full); beyond it the oldest go.</summary>
    public int MemoryLimit { get; init; } = 200_000;
}
