using Gateway.Outbox;
using Gateway.Sampling;
using Microsoft.Extensions.Logging.Abstractions;
using OutboxStore = Gateway.Outbox.Outbox;

namespace Gateway.Tests.Outbox;

public sealed class OutboxTests : IDisposable
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);
    private readonly string _dir = Directory.CreateTempSubdirectory("gw-outbox-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private OutboxOptions Options(Func<OutboxOptions, OutboxOptions>? change = null)
    {
        var options = new OutboxOptions { Path = Path.Combine(_dir, "gateway.db"), CommitInterval = TimeSpan.FromMilliseconds(20) };
        return change is null ? options : change(options);
    }

    private static OutboxStore Open(OutboxOptions options)
    {
        var outbox = new OutboxStore(options, TimeProvider.System, NullLogger<OutboxStore>.Instance);
        outbox.Start();
        return outbox;
    }

    private static SampledReading R(int i, DateTimeOffset? at = null) => new("env", "temperature", 20 + (i * 0.01), "Cel", at ?? T0.AddSeconds(i));

    private static List<StoredRecord> ReadAll(OutboxStore outbox)
    {
        using var reader = OutboxReader.Open(outbox.DatabasePath);
        var rows = new List<StoredRecord>();
        reader.ReadAfter(0, int.MaxValue, rows);
        return rows;
    }

    [Fact]
    public async Task Readings_are_numbered_from_one_and_stored_in_order_once_their_batch_commits()
    {
        await using var outbox = Open(Options());
        for (var i = 0; i < 1000; i++)
        {
            outbox.Accept(R(i));
        }

        await outbox.WaitForCommitAsync(999, TestContext.Current.CancellationToken).WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);

        var rows = ReadAll(outbox);
        Assert.Equal(Enumerable.Range(1, 1000).Select(i => (long)i), rows.Select(r => r.Seq));
        Assert.Equal(StoredRecord.Reading(1, T0, "env", "temperature", 20, "Cel"), rows[0]);
        Assert.Equal(1000, outbox.Figures.Stored);
        Assert.Equal(0, outbox.Figures.Pending);
    }

    [Fact]
    public async Task Timestamps_are_kept_to_the_millisecond()
    {
        await using var outbox = Open(Options());
        outbox.Accept(new SampledReading("env", "temperature", 1, "Cel", T0.AddTicks(12_345_678)));
        await outbox.WaitForCommitAsync(0, TestContext.Current.CancellationToken).WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);

        Assert.Equal(T0.AddMilliseconds(1234), Assert.Single(ReadAll(outbox)).Timestamp);
    }

    [Fact]
    public async Task Health_changes_are_stored_as_their_own_kind_of_record_with_their_message()
    {
        await using var outbox = Open(Options());
        outbox.AcceptHealth(new HealthChange("env", HealthState.Failed, "NACK at 0x76"), T0);
        outbox.Accept(new SampledReading("env", "health", 3.9, "V", T0));
        await outbox.WaitForCommitAsync(1, TestContext.Current.CancellationToken).WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);

        var rows = ReadAll(outbox);
        Assert.Equal((RecordKind.Health, "env", 2.0, "failed: NACK at 0x76"), (rows[0].Kind, rows[0].SensorId, rows[0].Value, rows[0].Text));
        Assert.Equal(StoredRecord.Reading(2, T0, "env", "health", 3.9, "V"), rows[1]); // a quantity called health is a reading
    }

    [Fact]
    public async Task Everything_pending_is_committed_at_shutdown_and_seq_continues_after_reopening()
    {
        var options = Options(o => o with { CommitInterval = TimeSpan.FromMinutes(10) });
        await using (var outbox = Open(options))
        {
            for (var i = 0; i < 10; i++)
            {
                outbox.Accept(R(i));
            }
        }

        await using var reopened = Open(options);
        reopened.Accept(R(10));
        await reopened.DisposeAsync();

        await using var check = Open(options);
        Assert.Equal(Enumerable.Range(1, 11).Select(i => (long)i), ReadAll(check).Select(r => r.Seq));
    }

    [Fact]
    public async Task Seq_is_never_reused_even_when_every_row_was_deleted()
    {
        var options = Options();
        await using (var outbox = Open(options))
        {
            outbox.Accept(R(0));
            outbox.Accept(R(1));
            await outbox.WaitForCommitAsync(1, TestContext.Current.CancellationToken).WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
            outbox.Cursor("tcp", durable: true);
            outbox.Acknowledge("tcp", 2, durable: true);
            outbox.MaintainNow();
            Assert.Empty(ReadAll(outbox));
        }

        await using var reopened = Open(options);
        reopened.Accept(R(2));
        await reopened.WaitForCommitAsync(2, TestContext.Current.CancellationToken).WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        Assert.Equal(3, Assert.Single(ReadAll(reopened)).Seq);
    }

    [Fact]
    public async Task A_corrupt_database_is_moved_aside_and_numbering_continues_above_everything_handed_out()
    {
        var options = Options();
        await using (var outbox = Open(options))
        {
            outbox.Accept(R(0));
        }

        await File.WriteAllBytesAsync(options.Path, [.. Enumerable.Repeat((byte)0x5A, 8192)], TestContext.Current.CancellationToken);

        await using var recovered = Open(options);
        var before = recovered.LastCommitted;
        recovered.Accept(R(1));
        await recovered.WaitForCommitAsync(before, TestContext.Current.CancellationToken).WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);

        Assert.Single(Directory.GetFiles(_dir, "gateway.db.corrupt-*"), f => !f.EndsWith("-wal", StringComparison.Ordinal) && !f.EndsWith("-shm", StringComparison.Ordinal));
        var row = Assert.Single(ReadAll(recovered));
        Assert.True(row.Seq > 1, $"seq {row.Seq} must not reuse a number handed out before the loss");
    }

    [Fact]
    public async Task A_durable_link_keeps_rows_until_it_acknowledges_them()
    {
        await using var outbox = Open(Options());
        Assert.Equal(0, outbox.Cursor("tcp", durable: true));
        Assert.Equal(0, outbox.Cursor("udp", durable: false));
        for (var i = 0; i < 10; i++)
        {
            outbox.Accept(R(i));
        }

        await outbox.WaitForCommitAsync(9, TestContext.Current.CancellationToken).WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        outbox.Acknowledge("udp", 10, durable: false);
        outbox.MaintainNow();
        Assert.Equal(10, ReadAll(outbox).Count);

        outbox.Acknowledge("tcp", 6, durable: true);
        outbox.MaintainNow();
        Assert.Equal([7L, 8, 9, 10], ReadAll(outbox).Select(r => r.Seq));
        Assert.Equal(6, outbox.Cursor("tcp", durable: true));
        Assert.Equal(0, outbox.Figures.Dropped);
    }

    [Fact]
    public async Task An_acknowledgement_never_moves_a_cursor_backwards_or_past_what_is_committed()
    {
        await using var outbox = Open(Options());
        outbox.Accept(R(0));
        await outbox.WaitForCommitAsync(0, TestContext.Current.CancellationToken).WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        outbox.Cursor("tcp", durable: true);

        outbox.Acknowledge("tcp", 1_000_000, durable: true);
        Assert.Equal(1, outbox.Cursor("tcp", durable: true));
        outbox.Acknowledge("tcp", 0, durable: true);
        Assert.Equal(1, outbox.Cursor("tcp", durable: true));
    }

    [Fact]
    public async Task The_size_cap_drops_the_oldest_readings_and_records_the_exact_gap()
    {
        await using var outbox = Open(Options(o => o with { MaxBytes = 256 * 1024 }));
        for (var i = 0; i < 40_000; i++)
        {
            outbox.Accept(R(i));
        }

        await outbox.WaitForCommitAsync(39_999, TestContext.Current.CancellationToken).WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
        outbox.MaintainNow();

        // The cap may have been enforced more than once while readings streamed in: the gaps must tile the
        // dropped range exactly, from seq 1 to right below the oldest kept reading.
        var rows = ReadAll(outbox);
        var gaps = outbox.Gaps();
        Assert.NotEmpty(gaps);
        Assert.All(gaps, g => Assert.Equal("MaxBytes", g.Reason));
        Assert.Equal(1, gaps[0].From);
        for (var i = 1; i < gaps.Count; i++)
        {
            Assert.Equal(gaps[i - 1].To + 1, gaps[i].From);
        }

        Assert.Equal(rows[0].Seq - 1, gaps[^1].To);          // the gaps end right below the oldest kept reading
        Assert.Equal(40_000, rows[^1].Seq);                  // the newest are kept
        Assert.Equal(Enumerable.Range((int)rows[0].Seq, rows.Count).Select(i => (long)i), rows.Select(r => r.Seq));
        var dropped = gaps.Sum(g => g.Count);
        Assert.Equal(dropped, outbox.Figures.Dropped);       // the counter matches the gaps
        Assert.Equal(gaps.Count, outbox.Figures.Gaps);
        Assert.Equal(40_000 - dropped, rows.Count);
        Assert.True(outbox.UsedBytes <= 256 * 1024, $"{outbox.UsedBytes} bytes used");
    }

    [Fact]
    public async Task The_age_cap_drops_readings_older_than_MaxAge_with_a_gap()
    {
        await using var outbox = Open(Options(o => o with { MaxAge = TimeSpan.FromDays(1) }));
        var now = DateTimeOffset.UtcNow;
        for (var i = 0; i < 5; i++)
        {
            outbox.Accept(R(i, now.AddDays(-3).AddMinutes(i)));
        }

        for (var i = 5; i < 8; i++)
        {
            outbox.Accept(R(i, now));
        }

        await outbox.WaitForCommitAsync(7, TestContext.Current.CancellationToken).WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        outbox.MaintainNow();

        Assert.Equal([6L, 7, 8], ReadAll(outbox).Select(r => r.Seq));
        Assert.Equal(new Gap(1, 5, "MaxAge", default), Assert.Single(outbox.Gaps()) with { At = default });
        Assert.Equal(5, outbox.Figures.Dropped);
    }

    [Fact]
    public async Task Beyond_the_memory_limit_the_oldest_pending_readings_go_with_an_exact_gap()
    {
        var options = Options(o => o with { CommitInterval = TimeSpan.FromMinutes(10), CommitBatch = 1_000_000, MemoryLimit = 1_000 });
        await using (var outbox = Open(options))
        {
            for (var i = 0; i < 1_500; i++)
            {
                outbox.Accept(R(i));
            }

            Assert.True(outbox.Figures.Pending <= 1_000);
        }

        await using var check = Open(options);
        var rows = ReadAll(check);
        var gaps = check.Gaps();
        Assert.All(gaps, g => Assert.Equal("MemoryLimit", g.Reason));
        Assert.Equal(1, gaps[0].From);
        Assert.Equal(rows[0].Seq - 1, gaps[^1].To);
        Assert.Equal(1_500, rows[^1].Seq);
        Assert.Equal(1_500 - gaps.Sum(g => g.Count), rows.Count);
    }

    // Overwrites the root page of the readings b-tree: the rest of the file (cursors, meta) stays readable.
    private static void CorruptReadingsTable(string path)
    {
        long root, pageSize;
        using (var db = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={path};Mode=ReadOnly;Pooling=False"))
        {
            db.Open();
            using var command = db.CreateCommand();
            command.CommandText = "SELECT (SELECT rootpage FROM sqlite_master WHERE name = 'readings'), (SELECT page_size FROM pragma_page_size())";
            using var reader = command.ExecuteReader();
            reader.Read();
            root = reader.GetInt64(0);
            pageSize = reader.GetInt64(1);
        }

        using var file = new FileStream(path, FileMode.Open, FileAccess.Write);
        file.Position = (root - 1) * pageSize;
        file.Write([.. Enumerable.Repeat((byte)0xA5, (int)pageSize)]);
    }

    [Fact]
    public async Task A_corrupt_database_is_announced_as_a_corrupt_gap_to_each_link_from_the_seq_after_its_own_cursor()
    {
        var options = Options();
        await using (var outbox = Open(options))
        {
            for (var i = 0; i < 2_000; i++)
            {
                outbox.Accept(R(i));
            }

            await outbox.WaitForCommitAsync(1_999, TestContext.Current.CancellationToken).WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
            outbox.Acknowledge("tcp", 300, durable: true);
            outbox.Acknowledge("websocket", 700, durable: true);
            outbox.MaintainNow();
        }

        CorruptReadingsTable(options.Path);

        await using var recovered = Open(options);
        var last = recovered.LastCommitted; // the fresh file starts right after it
        Assert.True(last >= 2_000, $"numbering resumes above every seq handed out, not at {last}");

        // Each link keeps its cursor and hears of exactly what it had not acknowledged.
        Assert.Equal(300, recovered.Cursor("tcp", durable: true));
        Assert.Equal(700, recovered.Cursor("websocket", durable: true));
        Assert.Equal(new Gap(301, last, "corrupt", default), Assert.Single(recovered.Gaps(300)) with { At = default });
        Assert.Equal(new Gap(701, last, "corrupt", default), Assert.Single(recovered.Gaps(700)) with { At = default });

        // A link the old file did not know (cursor unknown) hears of it from the lowest known cursor.
        Assert.Equal(0, recovered.Cursor("mqtt", durable: true));
        Assert.Equal(new Gap(301, last, "corrupt", default), Assert.Single(recovered.Gaps(0)) with { At = default });
        Assert.Equal(2_000 - 300, recovered.Figures.Dropped);
        Assert.Equal(1, recovered.Figures.Gaps);
    }

    [Fact]
    public async Task A_database_where_nothing_can_be_read_is_announced_as_a_corrupt_gap_from_seq_1()
    {
        var options = Options();
        await using (var outbox = Open(options))
        {
            outbox.Accept(R(0));
        }

        await File.WriteAllBytesAsync(options.Path, [.. Enumerable.Repeat((byte)0x5A, 8192)], TestContext.Current.CancellationToken);

        await using var recovered = Open(options);
        Assert.Equal(new Gap(1, recovered.LastCommitted, "corrupt", default), Assert.Single(recovered.Gaps()) with { At = default });
    }

    [Theory]
    [InlineData(11, true)]  // SQLITE_CORRUPT
    [InlineData(26, true)]  // SQLITE_NOTADB
    [InlineData(8, false)]  // SQLITE_READONLY: a read-only disk, the file is fine
    [InlineData(14, false)] // SQLITE_CANTOPEN: e.g. a read-only folder with no file yet
    [InlineData(3, false)]  // SQLITE_PERM
    [InlineData(10, false)] // SQLITE_IOERR
    [InlineData(13, false)] // SQLITE_FULL
    [InlineData(5, false)]  // SQLITE_BUSY
    public void Only_damage_to_the_file_itself_moves_it_aside(int sqliteError, bool damaged) =>
        Assert.Equal(damaged, OutboxDatabase.IsDamaged(new Microsoft.Data.Sqlite.SqliteException("test", sqliteError)));
}
