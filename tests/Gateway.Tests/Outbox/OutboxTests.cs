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

    private static List<StoredReading> ReadAll(OutboxStore outbox)
    {
        using var reader = outbox.OpenReader();
        return OutboxDatabase.ReadAfter(reader, 0, int.MaxValue);
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
        Assert.Equal(new StoredReading(1, T0, "env", "temperature", 20, "Cel"), rows[0]);
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
    public async Task Health_changes_are_stored_like_readings_with_their_message()
    {
        await using var outbox = Open(Options());
        outbox.AcceptHealth(new HealthChange("env", HealthState.Failed, "NACK at 0x76"), T0);
        await outbox.WaitForCommitAsync(0, TestContext.Current.CancellationToken).WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);

        var row = Assert.Single(ReadAll(outbox));
        Assert.Equal(("env", "health", 2.0, "failed: NACK at 0x76"), (row.SensorId, row.Quantity, row.Value, row.Text));
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
}
