using System.Text;
using Gateway.Console.Tests.Infrastructure;
using Gateway.Protocol;
using Microsoft.Data.Sqlite;

namespace Gateway.Console.Tests.EndToEnd;

/// <summary>
/// 'gwctl listen --record' as the upstream of a real gateway over TCP and WebSocket at once, killed with SIGKILL in
/// the middle and started again on the same file: the recording still holds every seq exactly once, from 1 to
/// beyond what the gateway says was acknowledged, and matches the gateway's outbox.
/// </summary>
public sealed class RecordingEndToEndTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Listen_records_every_seq_once_across_two_links_and_a_killed_run()
    {
        var tcp = Paths.FreeTcpPort();
        var ws = Paths.FreeTcpPort();
        var record = _dir.File("out.ndjson");
        string[] listenArgs = ["listen", "--tcp", $"127.0.0.1:{tcp}", "--ws", $"127.0.0.1:{ws}", "--record", record];
        var first = Gwctl.Start(_dir.Path, listenArgs);
        await first.WaitForLineAsync("recording to", Timeout, stderr: true);

        using var gateway = ChildProcess.Start(ProgramUnderTest.Gateway.FileName,
        [
            .. ProgramUnderTest.Gateway.LeadingArguments,
            "--Gateway:DeviceId=rec-01",
            $"--Gateway:StateDirectory={_dir.File("state")}",
            "--Gateway:Sampling:Interval=50ms",
            $"--Gateway:Upstream:Tcp:Endpoint=127.0.0.1:{tcp}",
            $"--Gateway:Upstream:WebSocket:Url=ws://127.0.0.1:{ws}/ws",
            "--Gateway:Upstream:Tcp:BackoffMax=500ms",
            "--Gateway:Upstream:WebSocket:BackoffMax=500ms",
        ], _dir.Path);

        // Both links deliver every reading; one copy is recorded.
        await first.WaitForLineAsync("rec-01 connected (ws", Timeout, stderr: true);
        await first.WaitForLineAsync("rec-01 connected (tcp", Timeout, stderr: true);
        var before = await WaitForLinesAsync(record, 300);

        // SIGKILL: no flush, no goodbye. What it had acknowledged is on disk; the rest the gateway sends again.
        first.Kill();
        await first.WaitForExitAsync(Timeout);
        first.Dispose();
        using var second = Gwctl.Start(_dir.Path, listenArgs);
        await second.WaitForLineAsync("continuing after its", Timeout, stderr: true);
        await second.WaitForLineAsync("rec-01 connected (tcp", Timeout, stderr: true);
        await second.WaitForLineAsync("rec-01 connected (ws", Timeout, stderr: true);
        await WaitForLinesAsync(record, before + 300);

        gateway.Signal(Signals.SIGTERM);
        Assert.True(await gateway.WaitForExitAsync(Timeout) == 0, gateway.Output);
        second.Signal(Signals.SIGTERM);
        Assert.True(await second.WaitForExitAsync(Timeout) == 0, second.Output);
        var summary = second.Stderr.Single(l => l.Contains("duplicates dropped", StringComparison.Ordinal));
        Assert.Matches(@"; [1-9]\d* duplicates dropped; 0 missing", summary); // both links deliver everything: one copy of each is dropped

        // Every line is a whole message; every seq appears once, and they run from 1 without a hole.
        var recorded = (await File.ReadAllLinesAsync(record, TestContext.Current.CancellationToken))
            .Select(l => MessageParser.Parse(Encoding.UTF8.GetBytes(l)))
            .ToList();
        Assert.All(recorded, m => Assert.True(m is ReadingMessage or EventMessage, $"not a reading or event: {m}"));
        var seqs = recorded.Select(m => m is ReadingMessage r ? r.Seq : ((EventMessage)m).Seq).ToList();
        Assert.Equal(seqs.Count, seqs.Distinct().Count());
        Assert.Equal(Enumerable.Range(1, seqs.Count).Select(i => (long)i), seqs.Order());

        // The gateway's own account: both links' cursors (what was acknowledged) are within the recording, and the
        // readings its outbox still holds are recorded with the same values.
        using var db = new SqliteConnection($"Data Source={_dir.File("state/gateway.db")};Mode=ReadOnly;Pooling=False");
        db.Open();
        var cursors = Query(db, "SELECT link, seq FROM cursors").ToDictionary(r => (string)r[0], r => (long)r[1]);
        Assert.True(cursors["tcp"] > 0 && cursors["websocket"] > 0, string.Join(", ", cursors));
        Assert.True(cursors.Values.Max() <= seqs.Max(), $"acknowledged up to {cursors.Values.Max()}, recorded up to {seqs.Max()}");
        var values = recorded.OfType<ReadingMessage>().ToDictionary(r => r.Seq, r => r.Value);
        var stored = Query(db, "SELECT seq, value FROM readings r JOIN series s ON s.id = r.series WHERE s.quantity <> 'health'").ToList();
        foreach (var row in stored.Where(r => values.ContainsKey((long)r[0])))
        {
            Assert.Equal((double)row[1], values[(long)row[0]], 6);
        }
    }

    private static async Task<int> WaitForLinesAsync(string path, int count)
    {
        var deadline = DateTime.UtcNow + Timeout;
        var lines = 0;
        while (DateTime.UtcNow < deadline)
        {
            lines = File.Exists(path) ? File.ReadLines(path).Count() : 0;
            if (lines >= count)
            {
                return lines;
            }

            await Task.Delay(100);
        }

        Assert.Fail($"{path} has {lines} lines after {Timeout.TotalSeconds}s, expected {count}");
        return lines;
    }

    private static IEnumerable<object[]> Query(SqliteConnection db, string sql)
    {
        using var command = db.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            var row = new object[reader.FieldCount];
            reader.GetValues(row);
            yield return row;
        }
    }
}
