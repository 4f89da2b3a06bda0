using System.Globalization;
using System.Text.RegularExpressions;
using Gateway.IntegrationTests.Infrastructure;
using Microsoft.Data.Sqlite;

namespace Gateway.IntegrationTests.Outbox;

/// <summary>The real gateway storing readings at a high rate, killed, restarted and stopped: what was committed stays.</summary>
public sealed partial class DurabilityTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private string Database => _dir.File("state/gateway.db");

    private GatewayProcess Start() => GatewayProcess.Start(_dir.Path,
    [
        "--Gateway:DeviceId=durable",
        $"--Gateway:StateDirectory={_dir.File("state")}",
        "--Gateway:Sampling:Interval=10ms", // every sensor 100 times a second: about 1,500 readings/s
        "--Gateway:Logging:LogLevel:Gateway.Outbox.Outbox=Debug",
        "--Gateway:Logging:LogLevel:Gateway.Sampling.LatestReadings=Debug",
    ]);

    private static long LastCommittedSeq(GatewayProcess gateway) => gateway.Stdout
        .Select(l => CommitPattern().Match(l))
        .Where(m => m.Success)
        .Select(m => long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture))
        .DefaultIfEmpty(0)
        .Max();

    private List<long> StoredSeqs()
    {
        using var db = new SqliteConnection($"Data Source={Database};Mode=ReadOnly;Pooling=False");
        db.Open();
        using var command = db.CreateCommand();
        command.CommandText = "SELECT seq FROM readings ORDER BY seq";
        using var reader = command.ExecuteReader();
        var seqs = new List<long>();
        while (reader.Read())
        {
            seqs.Add(reader.GetInt64(0));
        }

        return seqs;
    }

    private static async Task WaitForCommitAbove(GatewayProcess gateway, long seq)
    {
        var deadline = DateTime.UtcNow + Timeout;
        while (LastCommittedSeq(gateway) <= seq)
        {
            Assert.True(DateTime.UtcNow < deadline, $"no commit above seq {seq}:\n{gateway.Output}");
            await Task.Delay(50);
        }
    }

    [Fact]
    public async Task Kill_9_while_storing_keeps_every_committed_reading_and_seq_continues_without_reuse()
    {
        long committed;
        using (var first = Start())
        {
            await WaitForCommitAbove(first, 2_000);
            first.Kill(); // SIGKILL: no shutdown path runs
            await first.WaitForExitAsync(Timeout);
            committed = LastCommittedSeq(first);
        }

        var afterKill = StoredSeqs();
        Assert.True(afterKill.Count >= committed, $"{afterKill.Count} rows stored, {committed} committed");
        Assert.Equal(Enumerable.Range(1, (int)committed).Select(i => (long)i), afterKill.Take((int)committed));

        using (var second = Start())
        {
            await WaitForCommitAbove(second, afterKill[^1]);
            second.Signal(Signals.SIGTERM);
            Assert.Equal(0, await second.WaitForExitAsync(Timeout));
        }

        var final = StoredSeqs();
        Assert.Equal(final.Distinct().Count(), final.Count);
        Assert.Equal(Enumerable.Range(1, final.Count).Select(i => (long)i), final); // nothing committed lost, nothing reused, no holes
        Assert.True(final[^1] > afterKill[^1]);
    }

    [Fact]
    public async Task A_clean_sigterm_loses_nothing_that_was_read()
    {
        using var gateway = Start();
        await WaitForCommitAbove(gateway, 1_000);

        gateway.Signal(Signals.SIGTERM);
        Assert.Equal(0, await gateway.WaitForExitAsync(Timeout));

        // Every reading the sampler delivered (each is logged) is in the database after a clean stop.
        var delivered = gateway.Stdout.Count(l => l.Contains("Reading ", StringComparison.Ordinal) && l.Contains(" = ", StringComparison.Ordinal));
        using var db = new SqliteConnection($"Data Source={Database};Mode=ReadOnly;Pooling=False");
        db.Open();
        using var command = db.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM readings r JOIN series s ON s.id = r.series WHERE s.quantity <> 'health'";
        Assert.Equal(delivered, Convert.ToInt32(command.ExecuteScalar(), CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task A_corrupt_database_at_start_is_moved_aside_and_the_gateway_runs()
    {
        Directory.CreateDirectory(_dir.File("state"));
        await File.WriteAllBytesAsync(Database, [.. Enumerable.Repeat((byte)0x42, 16_384)], TestContext.Current.CancellationToken);

        using var gateway = Start();
        await gateway.WaitForLineAsync("is not a usable database", Timeout);
        await WaitForCommitAbove(gateway, 100);
        gateway.Signal(Signals.SIGTERM);
        Assert.Equal(0, await gateway.WaitForExitAsync(Timeout));

        Assert.Single(Directory.GetFiles(_dir.File("state"), "gateway.db.corrupt-*"));
        Assert.NotEmpty(StoredSeqs());
    }

    [GeneratedRegex(@"Committed \d+ readings through seq (\d+)")]
    private static partial Regex CommitPattern();
}
