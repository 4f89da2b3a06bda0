using System.Diagnostics;
using System.Globalization;
using System.IO.Compression;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Gateway.Configuration;
using Gateway.Links.Http;
using Gateway.Protocol;
using Gateway.Status;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gateway.Benchmarks;

/// <summary>
/// The HTTP line-protocol link into a real InfluxDB 1.x (Debian's <c>influxd</c>) on loopback: N stored readings drained
/// by the link (batches of 5,000 lines, gzip, cursor moved on 204) into one database, compared in the same run with
/// InfluxDB's own ingest rate: the same lines pre-encoded and pre-compressed in batches of the same size, POSTed one
/// after another into another database. Reports readings/s, the ratio, our CPU per 1,000, InfluxDB's CPU per 1,000, and
/// checks the count InfluxDB holds.
/// </summary>
internal static class InfluxBenchmark
{
    private const int BatchSize = 5_000;
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(10);

    public static async Task<int> RunAsync(int readings)
    {
        var dir = Directory.CreateTempSubdirectory("gw-influxbench-").FullName;
        int port = LoopbackPorts.Free(), rpc = LoopbackPorts.Free();
        await File.WriteAllLinesAsync(Path.Combine(dir, "influxdb.conf"),
        [
            "reporting-disabled = true", $"bind-address = \"127.0.0.1:{rpc}\"",
            "[meta]", $"  dir = \"{dir}/meta\"",
            "[data]", $"  dir = \"{dir}/data\"", $"  wal-dir = \"{dir}/wal\"", "  query-log-enabled = false",
            "[http]", $"  bind-address = \"127.0.0.1:{port}\"", "  log-enabled = false",
            "[monitor]", "  store-enabled = false",
        ]);
        var executable = new[] { "/usr/bin", "/usr/local/bin" }.Select(d => Path.Combine(d, "influxd")).FirstOrDefault(File.Exists)
            ?? throw new FileNotFoundException("influxd is not installed (apt-get install influxdb)");
        using var influx = Process.Start(new ProcessStartInfo(executable, ["-config", Path.Combine(dir, "influxdb.conf")]) { RedirectStandardError = true, RedirectStandardOutput = true })!;
        influx.OutputDataReceived += (_, _) => { };
        influx.ErrorDataReceived += (_, _) => { };
        influx.BeginOutputReadLine();
        influx.BeginErrorReadLine();
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromMinutes(2) };
        try
        {
            await WaitForPingAsync(http);
            foreach (var db in (string[])["bench_link", "bench_raw", "bench_warm"])
            {
                (await http.PostAsync($"/query?q={Uri.EscapeDataString($"CREATE DATABASE {db}")}", null)).EnsureSuccessStatusCode();
            }

            var t0 = DateTimeOffset.UtcNow.AddHours(-1);

            // Unmeasured warm-up of both paths (the JIT, InfluxDB's first shard).
            await DrainAsync(dir, port, "bench_warm", 20_000, t0.AddHours(-1));
            await RawAsync(http, "bench_warm", 20_000, t0.AddHours(-2));

            var influx0 = ProcessCpu(influx.Id);
            var link = await DrainAsync(dir, port, "bench_link", readings, t0);
            var influxLink = ProcessCpu(influx.Id) - influx0;
            influx0 = ProcessCpu(influx.Id);
            var raw = await RawAsync(http, "bench_raw", readings, t0);
            var influxRaw = ProcessCpu(influx.Id) - influx0;

            var stored = await CountAsync(http, "bench_link");
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"""
                influx benchmark: {readings:N0} readings into InfluxDB {Version(http)} (loopback), batches of {BatchSize:N0} lines, gzip
                  {link.Line("HTTP link (outbox read, encode, gzip, POST, 204):", readings)}
                  {raw.Line("raw POSTs, same lines pre-encoded and compressed:", readings)}
                  {"ratio link / raw:",-52}{link.Rate(readings) / raw.Rate(readings),10:0.00}
                  InfluxDB's CPU per 1,000: {influxLink.TotalMilliseconds / readings * 1000:0.00} ms (link), {influxRaw.TotalMilliseconds / readings * 1000:0.00} ms (raw); it holds {stored:N0} points from the link
                """));
            return stored == readings ? 0 : 1;
        }
        finally
        {
            influx.Kill(entireProcessTree: true);
            await influx.WaitForExitAsync();
            Directory.Delete(dir, recursive: true);
        }
    }

    // The gateway's link drains N stored readings; measured from its start to the cursor past the last one.
    private static async Task<Measured> DrainAsync(string dir, int port, string database, int readings, DateTimeOffset t0)
    {
        var path = Path.Combine(dir, $"{database}.db");
        var options = new Outbox.OutboxOptions { Path = path, MaxBytes = 16L << 30, MemoryLimit = readings + 100_000 };
        await using var outbox = new Outbox.Outbox(options, TimeProvider.System, NullLogger<Outbox.Outbox>.Instance);
        outbox.Start();
        for (var i = 0; i < readings; i++)
        {
            outbox.Accept(Synthetic.Reading(i, t0));
        }

        await outbox.WaitForCommitAsync(readings - 1, CancellationToken.None);
        if (!HttpWriteTarget.TryParse($"http://127.0.0.1:{port}/write?db={database}", out var target, out var problem))
        {
            throw new InvalidOperationException(problem);
        }

        var settings = new HttpLinkOptions { Name = "http", Target = target!, BatchSize = BatchSize, FlushInterval = TimeSpan.Zero, Timeout = TimeSpan.FromMinutes(1) };
        var gateway = new GatewayOptions { DeviceId = "bench-01", StateDirectory = dir };
        var meter = Meter.Start();
        using var link = new HttpLineProtocolLink(settings, gateway, outbox, new StatusBoard(), NullLogger<HttpLineProtocolLink>.Instance);
        await link.StartAsync(CancellationToken.None);
        var deadline = DateTime.UtcNow + Timeout;
        while (outbox.Cursor("http", durable: true) < readings)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"the link delivered only through seq {outbox.Cursor("http", durable: true)} ({link.State}: {link.LastError})");
            }

            await Task.Delay(5);
        }

        var measured = meter.Read();
        await link.StopAsync(CancellationToken.None);
        return measured;
    }

    // InfluxDB's own rate: the same lines, encoded and compressed before the clock starts, POSTed batch after batch.
    private static async Task<Measured> RawAsync(HttpClient http, string database, int readings, DateTimeOffset t0)
    {
        var bodies = new List<byte[]>();
        var text = new System.Buffers.ArrayBufferWriter<byte>(BatchSize * 100);
        for (var start = 0; start < readings; start += BatchSize)
        {
            text.ResetWrittenCount();
            for (var i = start; i < Math.Min(readings, start + BatchSize); i++)
            {
                var m = Synthetic.Message("bench-01", i, t0);
                InfluxLineProtocol.WriteReading(m.Device, m.Seq, m.Timestamp, m.Sensor, m.Quantity, m.Value, m.Unit, InfluxPrecision.Milliseconds, text);
            }

            using var compressed = new MemoryStream();
            using (var zip = new GZipStream(compressed, CompressionLevel.Fastest, leaveOpen: true))
            {
                zip.Write(text.WrittenSpan);
            }

            bodies.Add(compressed.ToArray());
        }

        var meter = Meter.Start();
        foreach (var body in bodies)
        {
            using var content = new ByteArrayContent(body);
            content.Headers.ContentEncoding.Add("gzip");
            using var response = await http.PostAsync($"/write?db={database}&precision=ms", content);
            if (response.StatusCode != HttpStatusCode.NoContent)
            {
                throw new InvalidOperationException($"raw write: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            }
        }

        return meter.Read();
    }

    private static async Task<long> CountAsync(HttpClient http, string database)
    {
        var text = await http.GetStringAsync($"/query?db={database}&q={Uri.EscapeDataString("SELECT count(value) FROM /.*/")}");
        using var json = JsonDocument.Parse(text);
        long total = 0;
        if (json.RootElement.GetProperty("results")[0].TryGetProperty("series", out var series))
        {
            foreach (var s in series.EnumerateArray())
            {
                total += s.GetProperty("values")[0][1].GetInt64();
            }
        }

        return total;
    }

    private static string Version(HttpClient http)
    {
        using var ping = http.GetAsync("/ping").GetAwaiter().GetResult();
        return ping.Headers.TryGetValues("X-Influxdb-Version", out var v) ? v.First() : "?";
    }

    private static async Task WaitForPingAsync(HttpClient http)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                using var ping = await http.GetAsync("/ping");
                if (ping.StatusCode == HttpStatusCode.NoContent)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // not yet listening
            }

            await Task.Delay(100);
        }

        throw new TimeoutException("influxd did not answer /ping within 30 s");
    }

    // utime + stime of a process (/proc/<pid>/stat fields 14 and 15, in clock ticks of 1/100 s on Linux).
    private static TimeSpan ProcessCpu(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        return TimeSpan.FromMilliseconds(ticks * 10);
    }
}
