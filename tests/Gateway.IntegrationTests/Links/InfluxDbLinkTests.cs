using Gateway.IntegrationTests.Infrastructure;

namespace Gateway.IntegrationTests.Links;

/// <summary>
/// The HTTP line-protocol link against a real InfluxDB 1.x (Debian's <c>influxdb</c>, started per test on a loopback
/// port): what the gateway sampled is queried back from InfluxDB, every seq once, across an outage of InfluxDB and a
/// restart of the gateway; lines InfluxDB refuses are announced there as a gap.
/// </summary>
public sealed class InfluxDbLinkTests : IDisposable
{
    private const string Database = "sensors";
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private GatewayProcess StartGateway(InfluxDb influx, string device, params string[] extra) => GatewayProcess.Start(_dir.Path,
    [
        $"--Gateway:DeviceId={device}",
        $"--Gateway:StateDirectory={_dir.File("state")}",
        "--Gateway:Sampling:Interval=200ms",
        $"--Gateway:Upstream:Http:Url={influx.Url}/write?db={Database}",
        "--Gateway:Upstream:Http:FlushInterval=200ms",
        "--Gateway:Upstream:Http:BackoffMax=500ms",
        .. extra,
    ]);

    // Every seq of the device in InfluxDB (readings carry it as a field; health changes too), and the announced gaps.
    private static async Task<(List<long> Seqs, List<(long From, long To, string Reason)> Gaps)> ReadBackAsync(InfluxDb influx, string device)
    {
        var seqs = await influx.SeqsAsync(Database, device);
        var gaps = (await influx.QueryAsync($"SELECT \"from\", \"to\", reason FROM gateway_gap WHERE device = '{device}'", Database))
            .Select(r => (r.Row["from"].GetInt64(), r.Row["to"].GetInt64(), r.Row["reason"].GetString()!)).ToList();
        return (seqs, gaps);
    }

    private static async Task<(List<long> Seqs, List<(long From, long To, string Reason)> Gaps)> WaitForAsync(InfluxDb influx, string device, Func<List<long>, List<(long From, long To, string Reason)>, bool> done, string what)
    {
        var deadline = DateTime.UtcNow + Timeout;
        while (true)
        {
            var (seqs, gaps) = await ReadBackAsync(influx, device);
            if (done(seqs, gaps))
            {
                return (seqs, gaps);
            }

            Assert.True(DateTime.UtcNow < deadline, $"InfluxDB never had {what}; it has {seqs.Count} seqs (max {(seqs.Count > 0 ? seqs[^1] : 0)}), gaps [{string.Join(", ", gaps)}]");
            await Task.Delay(250, TestContext.Current.CancellationToken);
        }
    }

    // The link's stored position in the stopped gateway's outbox file.
    private long AcknowledgedThrough(string link)
    {
        using var db = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(_dir.File("state"), "gateway.db")};Mode=ReadOnly;Pooling=False");
        db.Open();
        using var query = db.CreateCommand();
        query.CommandText = "SELECT seq FROM cursors WHERE link = $link";
        query.Parameters.AddWithValue("$link", link);
        return Convert.ToInt64(query.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }

    [Fact]
    public async Task What_the_gateway_sampled_is_queried_back_from_influxdb_every_seq_once_across_an_outage_and_a_restart()
    {
        await using var influx = InfluxDb.Prepare();
        const string device = "influx-01";

        // InfluxDB is not there yet: the link is down and the readings wait in the outbox.
        using (var gateway = StartGateway(influx, device))
        {
            await gateway.WaitForLineAsync("Link http to ", Timeout);
            await Task.Delay(TimeSpan.FromSeconds(2), TestContext.Current.CancellationToken);
            await influx.StartAsync();
            await influx.QueryAsync($"CREATE DATABASE \"{Database}\"", database: null, post: true);
            var (seqs, _) = await WaitForAsync(influx, device, (s, _) => s.Count >= 60, "60 seqs");
            await gateway.WaitForLineAsync("Link http up: writing to http://127.0.0.1:", Timeout);

            Assert.Equal(1, seqs[0]); // sampled while InfluxDB was down, delivered after
            gateway.Signal(Signals.SIGTERM);
            Assert.Equal(0, await gateway.WaitForExitAsync(Timeout));
        }

        var (before, _) = await ReadBackAsync(influx, device);

        // A restart of the gateway carries on from its stored cursor: nothing again, nothing missing.
        using (var gateway = StartGateway(influx, device))
        {
            var (seqs, gaps) = await WaitForAsync(influx, device, (s, _) => s.Count > 0 && s[^1] > before[^1] + 30, "30 seqs more after the restart");
            gateway.Signal(Signals.SIGTERM);
            Assert.Equal(0, await gateway.WaitForExitAsync(Timeout));

            Assert.Empty(gaps);
            Assert.Equal(Enumerable.Range(1, seqs.Count).Select(i => (long)i), seqs); // 1..n, each once: no hole, no repeat
        }

        // The values are the simulated board's: the BME280's temperature in its room range, in Celsius.
        var temperatures = await influx.QueryAsync($"SELECT value, unit, sensor FROM temperature WHERE device = '{device}' AND sensor = 'env'", Database);
        Assert.NotEmpty(temperatures);
        Assert.All(temperatures, r =>
        {
            Assert.InRange(r.Row["value"].GetDouble(), 15, 28);
            Assert.Equal("Cel", r.Row["unit"].GetString());
        });
    }

    [Fact]
    public async Task Lines_influxdb_refuses_are_announced_there_as_a_rejected_gap_and_everything_else_arrives()
    {
        await using var influx = await InfluxDb.StartAsync(Database);
        const string device = "influx-02";

        // Someone wrote pressure as a string first: InfluxDB now refuses every float pressure (a field type conflict,
        // checked per shard: the points are now and in two minutes, so the test's readings share a shard with one).
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        Assert.Equal(System.Net.HttpStatusCode.NoContent, await influx.WriteAsync(Database, $"pressure,device={device},sensor=manual value=\"high\" {now}\npressure,device={device},sensor=manual value=\"high\" {now + 120_000}"));

        using var gateway = StartGateway(influx, device);
        await WaitForAsync(influx, device, (s, g) => s.Count >= 60 && g.Count >= 3, "60 seqs and 3 announced gaps");
        var warning = await gateway.WaitForLineAsync("the server refused", Timeout);
        gateway.Signal(Signals.SIGTERM);
        Assert.Equal(0, await gateway.WaitForExitAsync(Timeout));

        var (seqs, gaps) = await ReadBackAsync(influx, device);
        Assert.Contains("field type conflict", warning, StringComparison.Ordinal);
        Assert.All(gaps, g => Assert.Equal("rejected", g.Reason));
        var pressures = await influx.QueryAsync($"SELECT value FROM pressure WHERE device = '{device}' AND sensor = 'env'", Database);
        Assert.Empty(pressures);

        // Every seq is either in InfluxDB or inside an announced gap: nothing silently lost.
        var covered = seqs.ToHashSet();
        foreach (var (from, to, _) in gaps)
        {
            for (var seq = from; seq <= to; seq++)
            {
                Assert.True(covered.Add(seq), $"seq {seq} is both stored and announced as refused");
            }
        }

        // Up to what the link acknowledged (its cursor in the outbox file; a batch cut short by the stop is sent again
        // next time, its refusals announced then).
        var acknowledged = AcknowledgedThrough("http");
        Assert.True(acknowledged >= 20 && gaps.Any(g => g.To <= acknowledged), $"the link acknowledged only through seq {acknowledged} (gaps [{string.Join(", ", gaps)}])");
        Assert.Equal(Enumerable.Range(1, (int)acknowledged).Select(i => (long)i), covered.Where(s => s <= acknowledged).Order());
    }
}
