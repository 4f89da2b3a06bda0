using System.Globalization;
using Gateway.Configuration;
using Gateway.Links;
using Gateway.Outbox;
using Gateway.Protocol;
using Gateway.Sampling;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gateway.Benchmarks;

/// <summary>
/// Backlog drain: N readings stored while the upstream was "down", then the gateway's real link (TCP, then WebSocket,
/// each with its own cursor over the same stored readings) delivers them to an acking receiver on loopback. Compared,
/// in the same run, with the same protocol messages pre-encoded and sent over the raw transport to a receiver that
/// parses them the same way. Reports readings/s, the ratio, and CPU per 1,000.
/// </summary>
internal static class LinkBenchmark
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Readings of the unmeasured first drain of each transport (the JIT's warm-up): with 50,000 the measured drain
    /// still ran partly in instrumented or OSR code (perf: "InstrumentedTier", "OptimizedTier1OSR" frames, the JIT's
    /// thread busy), about a third more CPU per reading than once tiering is done. The shipped build is native.
    /// </summary>
    private const int WarmUpReadings = 400_000;

    public static async Task<int> RunAsync(int readings, IReadOnlyList<Transport> transports, ILoggerFactory loggers)
    {
        // No rate limit (MaxRate defaults to 20,000/s so that a reconnect does not flood a weak uplink): this measures capacity.
        var settings = new UpstreamLinkOptions { Name = "unused", Window = 50_000, MaxRate = 100_000_000 };
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"link benchmark: drain a backlog of {readings:N0} stored readings to an acking receiver (loopback), window {settings.Window:N0}, no rate limit; CPU is the whole process (sender and receiver)"));
        var clean = true;
        foreach (var transport in transports)
        {
            // Unmeasured first drain, so that the outbox's, the link's and the receivers' code is compiled before the measured one.
            await DrainAsync(transport, WarmUpReadings, settings, loggers, report: false);
            clean &= await DrainAsync(transport, readings, settings, loggers, report: true);
        }

        return clean ? 0 : 1;
    }

    private static async Task<bool> DrainAsync(Transport transport, int readings, UpstreamLinkOptions settings, ILoggerFactory loggers, bool report)
    {
        var dir = Directory.CreateTempSubdirectory("gw-linkbench-").FullName;
        try
        {
            // The memory bound above the run, so that nothing is dropped while the backlog is stored.
            var options = new OutboxOptions { Path = Path.Combine(dir, "gateway.db"), MaxBytes = 16L << 30, MemoryLimit = readings + 100_000 };
            await using var outbox = new Outbox.Outbox(options, TimeProvider.System, NullLogger<Outbox.Outbox>.Instance);
            outbox.Start();
            var t0 = DateTimeOffset.UtcNow;
            for (var i = 0; i < readings; i++)
            {
                outbox.Accept(Synthetic.Reading(i, t0));
            }

            await outbox.WaitForCommitAsync(readings - 1, CancellationToken.None);
            var gateway = new GatewayOptions { DeviceId = "bench-01", StateDirectory = dir };
            var raw = RawSend.Encode(readings, i => Synthetic.Message(gateway.DeviceId, i, t0));

            await using var receiver = await transport.StartReceiverAsync();
            var meter = Meter.Start();
            using var link = transport.CreateLink(receiver, settings, gateway, outbox, loggers);
            await link.StartAsync(CancellationToken.None);
            await receiver.WaitForSeqAsync(readings, Timeout);
            var drained = meter.Read();
            await link.StopAsync(CancellationToken.None);
            var rawMeasured = await transport.SendRawAsync(raw, readings, Timeout);
            if (!report)
            {
                return true;
            }

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"""
                  {drained.Line($"{transport.Name()} link (outbox read, encode, send, acks):", readings)}
                  {rawMeasured.Line($"raw {transport.Name()}, same messages pre-encoded:", readings)}
                  {"ratio link / raw:",-52}{drained.Rate(readings) / rawMeasured.Rate(readings),10:0.00}
                  received {receiver.Received:N0} (last seq {receiver.LastSeq:N0}), {receiver.Acks:N0} acks sent, {receiver.Errors} errors, {receiver.Hellos} connection(s)
                """));
            return receiver.Received == readings && receiver.Errors == 0 && receiver.Hellos == 1;
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}

/// <summary>The synthetic readings the capacity runs store: 7 sensors, 3 quantities, values that vary.</summary>
internal static class Synthetic
{
    private static readonly string[] Sensors = ["env", "climate", "light", "analog", "water", "door", "flow"];
    private static readonly string[] Quantities = ["temperature", "humidity", "pressure"];

    /// <summary>Reading <paramref name="i"/> (0-based) as the sampler hands it to the outbox.</summary>
    public static SampledReading Reading(int i, DateTimeOffset t0) =>
        new(Sensors[i % 7], Quantities[i % 3], 20 + (i % 1000 * 0.01), "Cel", t0.AddMilliseconds(i));

    /// <summary>The protocol message a link sends for reading <paramref name="i"/> stored in a fresh outbox (seq i + 1).</summary>
    public static ReadingMessage Message(string device, int i, DateTimeOffset t0)
    {
        var r = Reading(i, t0);
        return new ReadingMessage(device, i + 1, DateTimeOffset.FromUnixTimeMilliseconds(r.Timestamp.ToUnixTimeMilliseconds()), r.SensorId, r.Quantity, r.Value, r.Unit);
    }
}
