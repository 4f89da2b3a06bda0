using System.Diagnostics;
using System.Globalization;
using System.Text;
using Gateway.IntegrationTests.Infrastructure;
using Gateway.IntegrationTests.Siege;
using Mosquitto = Gateway.Mqtt.Tests.Broker.Mosquitto;

namespace Gateway.IntegrationTests.Fleet;

/// <summary>
/// A fleet on existing engines (docs/fleet.md): twenty gateways on simulated boards, each with its own device id and
/// state, publish to one mosquitto over their MQTT links and write to one InfluxDB over their HTTP line-protocol links.
/// Every seq of every device must arrive in both; the broker's and InfluxDB's CPU per gateway, the gateways' total
/// RSS and the rate are measured over a fixed window and reported (test output and <c>artifacts/fleet.txt</c>), never
/// asserted. Runs alone: it loads the machine, and its figures should not share it with other tests.
/// </summary>
[CollectionDefinition(nameof(FleetTests), DisableParallelization = true)]
[Collection(nameof(FleetTests))]
public sealed class FleetTests(ITestOutputHelper output) : IDisposable
{
    private const int Gateways = 20;
    private const string Database = "fleet";
    private const string SamplingInterval = "100ms";

    /// <summary>The default board at 100 ms stores ~80 readings a second; a gateway far below this did not run.</summary>
    private const long FewestReadings = 100;

    /// <summary>Far above what the window yields (~20 × 80/s × 60 s), so only a runaway would reach it.</summary>
    private const long SubscriberCapacity = 500_000;

    /// <summary>Generous: twenty JIT gateways starting at once on two shared cores.</summary>
    private static readonly TimeSpan LinksUpTimeout = TimeSpan.FromSeconds(120);
    private static readonly TimeSpan MeasuredWindow = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan DeliveryTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(500);
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Twenty_gateways_on_one_mosquitto_and_one_influxdb_deliver_every_seq_of_every_device_to_both()
    {
        var load = File.ReadAllText("/proc/loadavg").Split(' ')[..3];
        await using var influx = await InfluxDb.StartAsync(Database);

        // Mosquitto drops the QoS 1 messages queued for a client beyond max_queued_messages (1000 by default), connected or
        // not; the one subscriber here takes all twenty gateways' readings, so its queue has no cap.
        await using var broker = await Mosquitto.StartAsync(prepare: (_, _) => ["max_queued_messages 0"]);
        await using var subscriber = await FleetSubscriber.StartAsync(broker.Port, SubscriberCapacity);
        await using var brokerWatch = new ProcessWatch(broker.ProcessId);
        await using var influxWatch = new ProcessWatch(influx.ProcessId);

        var fleet = new List<Member>();
        try
        {
            var clock = Stopwatch.StartNew();
            for (var i = 1; i <= Gateways; i++)
            {
                fleet.Add(Start($"fleet-{i:00}", broker, influx));
            }

            await WaitForLinksUpAsync(fleet);
            var linksUp = clock.Elapsed;

            // The measured window: nothing but the gateways and the one subscriber touch the servers (no queries).
            var first = Snapshot.Take(clock, fleet, broker, influx);
            await Task.Delay(MeasuredWindow, TestContext.Current.CancellationToken);
            var cut = Snapshot.Take(clock, fleet, broker, influx);
            var dead = fleet.Where(m => m.Process.HasExited).Select(m => $"{m.Device}:\n{m.Process.Output}").ToList();
            Assert.True(dead.Count == 0, $"gateways ended during the run: {string.Join("\n", dead)}");
            brokerWatch.Sample();
            influxWatch.Sample();
            var figures = Figures(load, linksUp, first, cut, fleet, brokerWatch, influxWatch);
            Report(figures);

            var thin = fleet.Where(m => cut.LastSeq[m.Device] < FewestReadings).Select(m => $"{m.Device} ({cut.LastSeq[m.Device]})").ToList();
            Assert.True(thin.Count == 0, $"gateways that stored fewer than {FewestReadings} readings: {string.Join(", ", thin)}");

            // 1. Every seq each gateway had committed at the cut, 1..last, arrives at the broker's subscriber and in InfluxDB.
            var undelivered = await UndeliveredAsync(fleet, (m, received) => [.. Range(1, cut.LastSeq[m.Device]).Where(s => !received.Contains(s))], subscriber, influx);
            Assert.True(undelivered.Count == 0, $"seqs committed by the cut that never arrived:\n{string.Join("\n", undelivered)}\n{await SinkNotesAsync(subscriber, influx)}");

            // A graceful stop of each (SIGTERM, as systemctl stop sends): exit 0.
            foreach (var member in fleet)
            {
                member.Process.Signal(Signals.SIGTERM);
            }

            var failedStops = new List<string>();
            foreach (var member in fleet)
            {
                var code = await member.Process.WaitForExitAsync(StopTimeout);
                if (code != 0)
                {
                    failedStops.Add($"{member.Device} exited {code}:\n{member.Process.Output}");
                }
            }

            Assert.True(failedStops.Count == 0, string.Join("\n", failedStops));

            // 2. Nothing lost at the stop either: every seq up to the last committed arrived in both, or is still in the
            // outbox (owed: the links send it at the next start).
            var lost = await UndeliveredAsync(fleet, (m, received) => DeliveryCheck.Missing(m.Database, received), subscriber, influx);
            Assert.True(lost.Count == 0, $"seqs neither delivered nor kept in the outbox after the stop:\n{string.Join("\n", lost)}\n{await SinkNotesAsync(subscriber, influx)}");

            var total = fleet.Sum(m => DeliveryCheck.LastCommitted(m.Database));
            var owed = fleet.Sum(m => DeliveryCheck.LastCommitted(m.Database) - cut.LastSeq[m.Device]);
            Report($"checked: every seq 1..last of all {Gateways} devices at the cut ({cut.LastSeq.Values.Sum():N0}) arrived at the broker's subscriber and in InfluxDB; " +
                $"after the stop, all {total:N0} committed are delivered to both or still owed in the outbox ({owed:N0} committed after the cut); " +
                $"subscriber: {subscriber.Messages:N0} messages, {subscriber.Duplicates:N0} duplicates", append: true);
        }
        finally
        {
            foreach (var member in fleet)
            {
                await member.DisposeAsync();
            }
        }
    }

    private Member Start(string device, Mosquitto broker, InfluxDb influx)
    {
        var folder = Directory.CreateDirectory(_dir.File(device)).FullName;
        var state = Path.Combine(folder, "state");
        var process = GatewayProcess.Start(folder,
        [
            $"--Gateway:DeviceId={device}",
            $"--Gateway:StateDirectory={state}",
            $"--Gateway:Sampling:Interval={SamplingInterval}",
            $"--Gateway:Upstream:Mqtt:Broker=127.0.0.1:{broker.Port}",
            $"--Gateway:Upstream:Http:Url={influx.Url}/write?db={Database}",
        ]);
        return new Member(device, Path.Combine(state, "gateway.db"), process);
    }

    private static async Task WaitForLinksUpAsync(List<Member> fleet)
    {
        var deadline = DateTime.UtcNow + LinksUpTimeout;
        foreach (var member in fleet)
        {
            foreach (var line in new[] { "Link mqtt up", "Link http up" })
            {
                var left = deadline - DateTime.UtcNow;
                await member.Process.WaitForLineAsync(line, left > TimeSpan.FromSeconds(1) ? left : TimeSpan.FromSeconds(1));
            }
        }
    }

    /// <summary>
    /// Waits (bounded by <see cref="DeliveryTimeout"/>) until no device misses a seq in either sink, as
    /// <paramref name="missing"/> judges from what arrived; returns a line per device and sink still missing some.
    /// </summary>
    private static async Task<List<string>> UndeliveredAsync(List<Member> fleet, Func<Member, IReadOnlySet<long>, List<long>> missing, FleetSubscriber subscriber, InfluxDb influx)
    {
        var deadline = DateTime.UtcNow + DeliveryTimeout;
        var complete = new HashSet<(string Device, string Sink)>();
        var absent = new List<(string Device, string Sink, List<long> Seqs)>();
        while (true)
        {
            absent.Clear();
            foreach (var member in fleet)
            {
                foreach (var sink in new[] { "mqtt", "influxdb" })
                {
                    if (complete.Contains((member.Device, sink)))
                    {
                        continue;
                    }

                    var received = sink == "mqtt" ? subscriber.Seqs(member.Device) : [.. await influx.SeqsAsync(Database, member.Device)];
                    var seqs = missing(member, received);
                    if (seqs.Count == 0)
                    {
                        complete.Add((member.Device, sink));
                    }
                    else
                    {
                        absent.Add((member.Device, sink, seqs));
                    }
                }
            }

            if (absent.Count == 0 || DateTime.UtcNow > deadline)
            {
                break;
            }

            await Task.Delay(PollInterval);
        }

        var lines = new List<string>();
        foreach (var (device, sink, seqs) in absent)
        {
            lines.Add($"{device}: {sink} lacks {seqs.Count} seqs: {Ranges(seqs)}" +
                (sink == "mqtt" ? string.Empty : await InInfluxAtTheirTimeAsync(influx, subscriber, device, seqs)));
        }

        return lines;
    }

    // For a failure message: what the first seqs missing in InfluxDB were (as they came over MQTT) and which seqs InfluxDB
    // holds for the device at that same millisecond (a point with the same measurement, tags and time replaces another).
    private static async Task<string> InInfluxAtTheirTimeAsync(InfluxDb influx, FleetSubscriber subscriber, string device, List<long> absent)
    {
        var text = new StringBuilder();
        foreach (var seq in absent.Take(3))
        {
            if (subscriber.Describe(device, seq) is not { } what)
            {
                continue;
            }

            var at = what.At.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);
            var there = await influx.QueryAsync($"SELECT seq, sensor FROM /.*/ WHERE device = '{device}' AND time = '{at}'", Database);
            text.Append(CultureInfo.InvariantCulture, $"\n  seq {seq}: {what.What} at {at}; InfluxDB has at that time: [{string.Join(", ", there.Select(r => $"{r.Measurement} {r.Row["sensor"]} seq {r.Row["seq"]}"))}]");
        }

        return text.ToString();
    }

    // What the sinks say about losses, for a failure message.
    private static async Task<string> SinkNotesAsync(FleetSubscriber subscriber, InfluxDb influx)
    {
        var gaps = await influx.QueryAsync("SELECT \"from\", \"to\", reason, device FROM gateway_gap", Database);
        return $"MQTT gaps: [{string.Join("; ", subscriber.Gaps)}]; subscriber problems: [{string.Join("; ", subscriber.Problems)}]; " +
            $"InfluxDB gateway_gap points: [{string.Join("; ", gaps.Select(g => $"{g.Row["device"]}: {g.Row["from"]}-{g.Row["to"]} {g.Row["reason"]}"))}]";
    }

    // "3-7, 12, 20-21", the first 20 ranges.
    private static string Ranges(List<long> seqs)
    {
        var ranges = new List<string>();
        for (var i = 0; i < seqs.Count && ranges.Count < 20;)
        {
            var j = i;
            while (j + 1 < seqs.Count && seqs[j + 1] == seqs[j] + 1)
            {
                j++;
            }

            ranges.Add(i == j ? $"{seqs[i]}" : $"{seqs[i]}-{seqs[j]}");
            i = j + 1;
        }

        return string.Join(", ", ranges) + (ranges.Count == 20 ? ", …" : string.Empty);
    }

    private static IEnumerable<long> Range(long from, long to)
    {
        for (var seq = from; seq <= to; seq++)
        {
            yield return seq;
        }
    }

    private static string Figures(string[] load, TimeSpan linksUp, Snapshot first, Snapshot cut, List<Member> fleet, ProcessWatch broker, ProcessWatch influx)
    {
        var wall = (cut.At - first.At).TotalSeconds;
        var readings = fleet.Sum(m => cut.LastSeq[m.Device] - first.LastSeq[m.Device]);
        var rate = readings / wall;
        string Cpu(TimeSpan used) => string.Create(CultureInfo.InvariantCulture,
            $"{used.TotalSeconds:0.00} s CPU = {used.TotalSeconds / wall / Gateways * 100:0.000} % of a core per gateway ({used.TotalSeconds / wall / (rate / 1000) * 100:0.00} % of a core per 1,000 readings/s)");
        var rss = fleet.Select(m => { m.Watch.Sample(); return m.Watch.LastMib; }).ToList();
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"fleet: {Gateways} gateways ({ProgramUnderTest.Gateway}), simulated boards sampling every {SamplingInterval}, each with an MQTT link to one mosquitto and an HTTP line-protocol link to one InfluxDB; {Environment.ProcessorCount} cores, load average {string.Join(' ', load)} at the start (the machine may be shared)");
        text.AppendLine(CultureInfo.InvariantCulture, $"start to every link up: {linksUp.TotalSeconds:0.0} s");
        text.AppendLine(CultureInfo.InvariantCulture, $"measured window: {wall:0.0} s, {readings:N0} readings and events stored ({rate:N0}/s overall, {rate / Gateways:0.0}/s per gateway)");
        text.AppendLine(CultureInfo.InvariantCulture, $"mosquitto: {Cpu(cut.Broker - first.Broker)}; VmRSS {broker.LastMib:0.0} MiB");
        text.AppendLine(CultureInfo.InvariantCulture, $"influxd: {Cpu(cut.Influx - first.Influx)}; VmRSS {influx.LastMib:0.0} MiB");
        text.AppendLine(CultureInfo.InvariantCulture, $"gateways: {Cpu(cut.Gateways - first.Gateways)}");
        text.Append(CultureInfo.InvariantCulture, $"gateways' total VmRSS at the end of the window: {rss.Sum():0} MiB ({rss.Average():0.0} MiB each, {rss.Min():0.0}–{rss.Max():0.0}); their peaks summed {fleet.Sum(m => m.Watch.PeakMib):0} MiB");
        return text.ToString();
    }

    private void Report(string text, bool append = false)
    {
        output.WriteLine(text);
        var file = Path.Combine(RepositoryPaths.Root, "artifacts", "fleet.txt");
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        if (append)
        {
            File.AppendAllText(file, text + "\n");
        }
        else
        {
            File.WriteAllText(file, $"{DateTimeOffset.UtcNow:u}\n{text}\n");
        }
    }

    /// <summary>One gateway of the fleet: its device id, its outbox file, its process and a watch on its memory.</summary>
    private sealed class Member(string device, string database, GatewayProcess process) : IAsyncDisposable
    {
        public string Device => device;

        public string Database => database;

        public GatewayProcess Process => process;

        public ProcessWatch Watch { get; } = new(process.Id);

        public async ValueTask DisposeAsync()
        {
            await Watch.DisposeAsync();
            process.Dispose();
        }
    }

    /// <summary>CPU used so far by the broker, InfluxDB and the gateways together, and each gateway's last committed seq.</summary>
    private sealed record Snapshot(TimeSpan At, TimeSpan Broker, TimeSpan Influx, TimeSpan Gateways, Dictionary<string, long> LastSeq)
    {
        public static Snapshot Take(Stopwatch clock, List<Member> fleet, Mosquitto broker, InfluxDb influx) => new(
            clock.Elapsed,
            ProcessCpu.Used(broker.ProcessId),
            ProcessCpu.Used(influx.ProcessId),
            fleet.Aggregate(TimeSpan.Zero, (sum, m) => sum + ProcessCpu.Used(m.Process.Id)),
            fleet.ToDictionary(m => m.Device, m => DeliveryCheck.LastCommitted(m.Database)));
    }
}
