using Gateway.Outbox;
using Gateway.Sampling;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using OutboxStore = Gateway.Outbox.Outbox;

namespace Gateway.Tests.Outbox;

/// <summary>The outbox cursor on a real SQLite outbox in a temporary folder: what every link reads through.</summary>
public sealed class OutboxCursorTests : IDisposable
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);
    private static readonly DateTimeOffset T0 = new(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);
    private readonly string _dir = Directory.CreateTempSubdirectory("gw-cursor-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private OutboxOptions Options => new() { Path = Path.Combine(_dir, "gateway.db"), CommitInterval = TimeSpan.FromMilliseconds(20) };

    private OutboxStore Open()
    {
        var outbox = new OutboxStore(Options, TimeProvider.System, NullLogger<OutboxStore>.Instance);
        outbox.Start();
        return outbox;
    }

    private static async Task StoreAsync(OutboxStore outbox, int count, DateTimeOffset? at = null)
    {
        var first = outbox.LastCommitted;
        for (var i = 0; i < count; i++)
        {
            outbox.Accept(new SampledReading("env", "temperature", 20 + i, "Cel", at ?? T0.AddSeconds(i)));
        }

        await outbox.WaitForCommitAsync(first + count - 1, Token).WaitAsync(Bound, Token);
    }

    private static long[] Seqs(List<StoredRecord> rows) => [.. rows.Select(r => r.Seq)];

    private long[] Stored()
    {
        using var reader = OutboxReader.Open(Options.Path);
        var rows = new List<StoredRecord>();
        reader.ReadAfter(0, 1_000, rows);
        return Seqs(rows);
    }

    private long CursorRows()
    {
        using var connection = new SqliteConnection($"Data Source={Options.Path};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM cursors";
        return (long)command.ExecuteScalar()!;
    }

    [Fact]
    public async Task A_new_link_cursor_starts_at_the_oldest_stored_record_and_hands_out_records_in_order_in_bounded_batches()
    {
        await using var outbox = Open();
        await StoreAsync(outbox, 10);
        using var cursor = outbox.OpenCursor("tcp", durable: true);
        var rows = new List<StoredRecord>();

        Assert.Equal((0L, 0L), (cursor.Acknowledged, cursor.Sent));
        Assert.Equal(4, cursor.TryRead(rows, 4));
        Assert.Equal([1L, 2, 3, 4], Seqs(rows));
        Assert.Equal(StoredRecord.Reading(1, T0, "env", "temperature", 20, "Cel"), rows[0]);
        Assert.Equal(4, cursor.Sent);
        Assert.Equal(4, cursor.TryRead(rows, 4));
        Assert.Equal([5L, 6, 7, 8], Seqs(rows));
        Assert.Equal(2, cursor.TryRead(rows, 4));
        Assert.Equal([9L, 10], Seqs(rows));
        Assert.Equal(0, cursor.TryRead(rows, 4));
        Assert.Empty(rows);
        Assert.Equal((0L, 10L), (cursor.Acknowledged, cursor.Sent)); // reading acknowledges nothing
    }

    [Fact]
    public async Task What_a_link_owes_is_its_seqs_after_the_last_ack_with_the_oldest_ones_sample_time_and_the_time_of_the_ack()
    {
        await using var outbox = Open();
        await StoreAsync(outbox, 10);
        using var cursor = outbox.OpenCursor("tcp", durable: true);

        var before = outbox.Owed("tcp")!;
        Assert.Equal((0L, 10L, T0), (before.Acknowledged, before.Backlog, before.Oldest));
        Assert.Null(before.LastAck); // nothing acknowledged in this run

        cursor.TryRead([], 6);
        var ackedAfter = DateTimeOffset.UtcNow;
        cursor.Acknowledge(6);
        var after = outbox.Owed("tcp")!;
        Assert.Equal((6L, 4L, T0.AddSeconds(6)), (after.Acknowledged, after.Backlog, after.Oldest)); // seq 7 was sampled at T0 + 6 s
        Assert.InRange(after.LastAck!.Value, ackedAfter, DateTimeOffset.UtcNow);

        await StoreAsync(outbox, 1); // the ack goes to the file with this commit; the figures read the same from there
        Assert.Equal((6L, 5L, T0.AddSeconds(6)), (outbox.Owed("tcp")!.Acknowledged, outbox.Owed("tcp")!.Backlog, outbox.Owed("tcp")!.Oldest));

        cursor.TryRead([], 10);
        cursor.Acknowledge(11);
        var paid = outbox.Owed("tcp")!;
        Assert.Equal((11L, 0L), (paid.Acknowledged, paid.Backlog));
        Assert.Null(paid.Oldest);
        Assert.Null(outbox.Owed("udp")); // no cursor: a link that keeps no place
    }

    [Fact]
    public async Task An_outbox_not_yet_started_owes_nothing_instead_of_failing_the_status_or_the_summary()
    {
        await using var outbox = new OutboxStore(Options, TimeProvider.System, NullLogger<OutboxStore>.Instance);

        Assert.Null(outbox.Owed("tcp"));
    }

    [Fact]
    public async Task With_nothing_to_read_a_read_waits_for_the_next_commit()
    {
        await using var outbox = Open();
        using var cursor = outbox.OpenCursor("tcp", durable: true);
        var rows = new List<StoredRecord>();

        var read = cursor.ReadAsync(rows, 100, Token).AsTask();
        Assert.False(read.IsCompleted); // nothing accepted, so no commit can have happened
        outbox.Accept(new SampledReading("env", "temperature", 21, "Cel", T0));

        Assert.Equal(1, await read.WaitAsync(Bound, Token));
        Assert.Equal(1, Assert.Single(rows).Seq);
    }

    [Fact]
    public async Task Acknowledgements_move_forward_only_and_never_past_what_was_handed_out()
    {
        await using var outbox = Open();
        await StoreAsync(outbox, 10);
        using var cursor = outbox.OpenCursor("tcp", durable: true);
        cursor.TryRead([], 4);

        cursor.Acknowledge(3);
        Assert.Equal(3, cursor.Acknowledged);
        cursor.Acknowledge(2); // stale
        Assert.Equal(3, cursor.Acknowledged);
        cursor.Acknowledge(1_000); // more than was handed out
        Assert.Equal(4, cursor.Acknowledged);
        outbox.MaintainNow(); // commits the pending cursor move
        Assert.Equal(4, outbox.Cursor("tcp", durable: true));
    }

    [Fact]
    public async Task Rewind_hands_out_again_everything_not_acknowledged()
    {
        await using var outbox = Open();
        await StoreAsync(outbox, 10);
        using var cursor = outbox.OpenCursor("tcp", durable: true);
        var rows = new List<StoredRecord>();
        cursor.TryRead(rows, 8);
        cursor.Acknowledge(5);

        cursor.Rewind();

        Assert.Equal((5L, 5L), (cursor.Acknowledged, cursor.Sent));
        Assert.Equal(5, cursor.TryRead(rows, 100));
        Assert.Equal([6L, 7, 8, 9, 10], Seqs(rows));
    }

    [Fact]
    public async Task A_durable_cursor_holds_records_back_from_clean_up_until_acknowledged_and_a_non_durable_one_does_not()
    {
        await using var outbox = Open();
        await StoreAsync(outbox, 10);
        using var durable = outbox.OpenCursor("tcp", durable: true);
        using var plain = outbox.OpenCursor("plain", durable: false);
        var rows = new List<StoredRecord>();
        durable.TryRead(rows, 100);
        plain.TryRead(rows, 100);

        durable.Acknowledge(6);
        plain.Acknowledge(2);
        outbox.MaintainNow();
        Assert.Equal([7L, 8, 9, 10], Stored());

        durable.Acknowledge(10);
        outbox.MaintainNow();
        Assert.Empty(Stored()); // "plain" at 2 or not
        Assert.Equal(2, outbox.Cursor("plain", durable: false)); // its position is stored all the same
    }

    [Fact]
    public async Task After_a_restart_a_link_resumes_after_its_last_acknowledgement()
    {
        await using (var outbox = Open())
        {
            await StoreAsync(outbox, 10);
            using var cursor = outbox.OpenCursor("tcp", durable: true);
            cursor.TryRead([], 100);
            cursor.Acknowledge(7);
        } // the acknowledgement is written with the commit at shutdown

        await using var reopened = Open();
        using var resumed = reopened.OpenCursor("tcp", durable: true);
        var rows = new List<StoredRecord>();

        Assert.Equal((7L, 7L), (resumed.Acknowledged, resumed.Sent));
        Assert.Equal(3, resumed.TryRead(rows, 100));
        Assert.Equal([8L, 9, 10], Seqs(rows));
    }

    [Fact]
    public async Task Gaps_are_the_lost_ranges_after_the_acknowledged_position()
    {
        await using var outbox = new OutboxStore(Options with { MaxAge = TimeSpan.FromDays(1) }, TimeProvider.System, NullLogger<OutboxStore>.Instance);
        outbox.Start();
        using var cursor = outbox.OpenCursor("tcp", durable: true);
        await StoreAsync(outbox, 5, DateTimeOffset.UtcNow.AddDays(-3));
        await StoreAsync(outbox, 3, DateTimeOffset.UtcNow);
        outbox.MaintainNow(); // 1..5 are older than MaxAge

        Assert.Equal(new Gap(1, 5, "MaxAge", default), Assert.Single(cursor.Gaps()) with { At = default });
        var rows = new List<StoredRecord>();
        cursor.TryRead(rows, 100);
        Assert.Equal([6L, 7, 8], Seqs(rows));
        cursor.Acknowledge(3);
        Assert.Equal(new Gap(4, 5, "MaxAge", default), Assert.Single(cursor.Gaps()) with { At = default });
        cursor.Acknowledge(6);
        Assert.Empty(cursor.Gaps());
    }

    [Fact]
    public async Task A_live_cursor_follows_commits_from_now_on_and_stores_nothing()
    {
        await using var outbox = Open();
        await StoreAsync(outbox, 5);
        using var live = outbox.OpenLiveCursor();
        var rows = new List<StoredRecord>();

        Assert.Equal(0, live.TryRead(rows, 100));
        outbox.Accept(new SampledReading("env", "temperature", 21, "Cel", T0));
        Assert.Equal(1, await live.ReadAsync(rows, 100, Token).AsTask().WaitAsync(Bound, Token));
        Assert.Equal(6, Assert.Single(rows).Seq);
        live.Acknowledge(6);
        outbox.MaintainNow();

        Assert.Null(live.Link);
        Assert.Equal(0, CursorRows());
    }

    [Fact]
    public async Task After_a_read_that_found_the_records_deleted_waiting_lasts_until_a_new_commit()
    {
        await using var outbox = Open();
        await StoreAsync(outbox, 10);
        using var behind = outbox.OpenCursor("plain", durable: false);
        using (var durable = outbox.OpenCursor("tcp", durable: true))
        {
            durable.TryRead([], 100);
            durable.Acknowledge(10);
            outbox.MaintainNow(); // every record acknowledged by the only durable link: deleted
        }

        var rows = new List<StoredRecord>();
        Assert.Equal(0, behind.TryRead(rows, 100));
        var wait = behind.WaitAsync(Token);
        Assert.False(wait.IsCompleted); // not at once (seq 10 is committed, but gone): a loop on it would spin

        outbox.Accept(new SampledReading("env", "temperature", 21, "Cel", T0));
        await wait.WaitAsync(Bound, Token);
        Assert.Equal(1, behind.TryRead(rows, 100));
        Assert.Equal(11, rows[0].Seq);
    }

    [Fact]
    public async Task Health_changes_come_back_as_their_own_kind_and_a_quantity_called_health_as_a_reading()
    {
        await using var outbox = Open();
        outbox.AcceptHealth(new HealthChange("analog", HealthState.Failing, "NACK at 0x48"), T0);
        outbox.Accept(new SampledReading("analog", "health", 3.9, "V", T0));
        await outbox.WaitForCommitAsync(1, Token).WaitAsync(Bound, Token);
        using var cursor = outbox.OpenCursor("tcp", durable: true);
        var rows = new List<StoredRecord>();

        Assert.Equal(2, cursor.TryRead(rows, 100));
        Assert.Equal(new StoredRecord(1, RecordKind.Health, T0, "analog", StoredRecord.HealthQuantity, (int)HealthState.Failing, string.Empty, "failing: NACK at 0x48"), rows[0]);
        Assert.Equal(StoredRecord.Reading(2, T0, "analog", "health", 3.9, "V"), rows[1]);
    }
}
