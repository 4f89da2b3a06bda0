using System.Globalization;
using Gateway.Benchmarks.Upstreams;
using Gateway.Configuration;
using Gateway.Hardware;
using Gateway.Health;
using Gateway.Links;
using Gateway.Sampling;
using Gateway.Status;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace Gateway.Benchmarks;

/// <summary>
/// End to end, per transport, with the gateway's own parts wired as <c>GatewayHost</c> wires them: configuration read
/// from the repository's appsettings.json by <see cref="GatewayOptionsReader"/>, the simulated board, bindings from
/// <see cref="SensorFactory"/>, one <see cref="SensorLoop"/> per sensor run by <see cref="SamplerService"/>, the sink
/// path (<see cref="ReadingFanout"/> into the outbox and <see cref="LatestReadings"/>), and the real link delivering
/// live to an acking receiver.
/// <para>1. Sensors at full rate for a bounded time: readings/s sampled and delivered, CPU per 1,000, sample-to-upstream latency.</para>
/// <para>2. Capacity: a producer calls the same sink as fast as the live link keeps up, for N readings; compared with
/// the same messages over the raw transport in the same run.</para>
/// </summary>
internal static class EndToEndBenchmark
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(5);

    private const int WarmUpSeconds = 5;

    /// <summary>
    /// Readings of the unmeasured capacity pass before the measured one: enough for the JIT to finish tiering the
    /// pipeline's and the link's loops (with 50,000 the measured drain still ran partly in instrumented code, about a
    /// third more CPU per reading); the shipped build is native and has no tiering at all.
    /// </summary>
    private const int WarmUpReadings = 400_000;

    /// <summary>Far below every conversion time, so an I2C sensor's loop reads back to back and its binding's datasheet waits set the pace.</summary>
    private static readonly TimeSpan BackToBack = TimeSpan.FromTicks(10);

    /// <summary>
    /// How far the capacity producer may run ahead of what the upstream has received: live delivery rather than a
    /// stored backlog, and under the outbox's default memory bound (200,000), so nothing is ever dropped.
    /// </summary>
    private const int InFlight = 100_000;

    public static async Task<int> RunAsync(int seconds, int readings, IReadOnlyList<Transport> transports, ILoggerFactory loggers)
    {
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"end-to-end benchmark: default appsettings.json board (simulated), gateway defaults for the outbox; CPU is the whole process (board, sampler, outbox, link, receiver)"));
        await SensorsAloneAsync(seconds, loggers);
        var clean = true;
        foreach (var transport in transports)
        {
            // Unmeasured first pass, so that the outbox's, the link's and the receiver's code is compiled before the measured run.
            await SensorsAsync(transport, WarmUpSeconds, loggers, report: false);
            clean &= await SensorsAsync(transport, seconds, loggers, report: true);
            await CapacityAsync(transport, WarmUpReadings, loggers, report: false);
            clean &= await CapacityAsync(transport, readings, loggers, report: true);
        }

        return clean ? 0 : 1;
    }

    /// <summary>The interval that makes a sensor read as fast as it can.</summary>
    private static TimeSpan FullRate(SensorOptions sensor) => sensor.Type switch
    {
        // DS18B20 t_CONV at 12 bits is at most 750 ms (datasheet, AC electrical characteristics): on a board the
        // kernel's w1_therm blocks that long per read of w1_slave. The simulator answers at once, so back to back
        // would measure file writes, not a probe; this is a real probe's full rate.
        SensorType.Ds18b20 => TimeSpan.FromMilliseconds(750),
        // A GPIO line has nothing to convert: its level reads at once, and back to back would only measure a
        // spinning CPU. The configuration's minimum interval instead.
        SensorType.DigitalInput => TimeSpan.FromMilliseconds(10),
        _ => BackToBack,
    };

    // The sampler alone (the sink only counts and keeps the latest values): what the board and the loops cost by themselves.
    private static async Task SensorsAloneAsync(int seconds, ILoggerFactory loggers)
    {
        var dir = Directory.CreateTempSubdirectory("gw-e2e-").FullName;
        try
        {
            var options = FullRateOptions(dir);
            // Unmeasured first pass: the JIT compiles the board's, the bindings' and the sampler's code paths (and
            // tiers them up) here rather than inside the first measured run.
            await SampleAsync(options, new CountingSink(), new LatestReadings(loggers.CreateLogger<LatestReadings>()), WarmUpSeconds, loggers);
            var counter = new CountingSink();
            var (sampling, loops) = await SampleAsync(options, counter, new LatestReadings(loggers.CreateLogger<LatestReadings>()), seconds, loggers);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"""
                  no link, no outbox: sensors at full rate for {sampling.Wall.TotalSeconds:0.0} s, the sink only counts:
                    sampled:   {counter.Total,9:N0} = {sampling.Rate(counter.Total),8:N1} readings/s ({counter.Health} health changes among them)
                    CPU:       {sampling.CpuPerThousand(counter.Total):0.0} ms per 1,000 readings ({sampling.Cores * 100:0.0} % of one core)
                """));
            Console.Write(loops);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static async Task<bool> SensorsAsync(Transport transport, int seconds, ILoggerFactory loggers, bool report)
    {
        var dir = Directory.CreateTempSubdirectory("gw-e2e-").FullName;
        try
        {
            var options = FullRateOptions(dir);
            await using var outbox = new Outbox.Outbox(options.Outbox, TimeProvider.System, loggers.CreateLogger<Outbox.Outbox>());
            outbox.Start();
            var latency = new LatencyHistogram();
            await using var receiver = await transport.StartReceiverAsync(latency);
            // The link's defaults (window 5,000, at most 20,000 readings/s), as a configuration with only the endpoint would have.
            using var link = transport.CreateLink(receiver, new UpstreamLinkOptions { Name = "unused" }, options, outbox, loggers);
            await link.StartAsync(CancellationToken.None);
            await receiver.WaitForHelloAsync(TimeSpan.FromSeconds(10));

            var counter = new CountingSink();
            var (sampling, loops) = await SampleAsync(options, counter, new ReadingFanout(outbox, new LatestReadings(loggers.CreateLogger<LatestReadings>())), seconds, loggers);
            var sampled = counter.Total;
            var arrivedByStop = receiver.Received;

            // The tail: the last batch commits (within CommitInterval) and goes out.
            var tail = Meter.Start();
            await receiver.WaitForSeqAsync(sampled, TimeSpan.FromSeconds(30));
            var tailTime = tail.Read().Wall;
            await link.StopAsync(CancellationToken.None);

            var delivered = receiver.Received;
            if (!report)
            {
                return true;
            }

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"""
                  {transport.Name()}, sensors at full rate for {sampling.Wall.TotalSeconds:0.0} s, live to an acking receiver (link defaults: window 5,000, 20,000/s):
                    sampled:   {sampled,9:N0} = {sampling.Rate(sampled),8:N1} readings/s ({counter.Health} health changes among them)
                    delivered: {delivered,9:N0} = {sampling.Rate(delivered),8:N1} readings/s (difference {sampled - delivered}; {arrivedByStop:N0} had arrived when sampling stopped, the rest within {tailTime.TotalMilliseconds:0} ms)
                    CPU:       {sampling.CpuPerThousand(sampled):0.0} ms per 1,000 readings ({sampling.Cores * 100:0.0} % of one core)
                    sample -> upstream receipt: p50 {latency.Percentile(0.5)} ms, p99 {latency.Percentile(0.99)} ms, max {latency.Percentile(1)} ms ({latency.Count:N0} readings)
                """));
            Console.Write(loops);
            return sampled == delivered && receiver.Errors == 0 && receiver.Hellos == 1 && outbox.Figures.Dropped == 0;
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>The default configuration with every sensor at its full rate (<see cref="FullRate"/>), state under <paramref name="dir"/>.</summary>
    private static GatewayOptions FullRateOptions(string dir)
    {
        var defaults = ReadDefaults(dir);
        Directory.CreateDirectory(defaults.StateDirectory);
        return defaults with { Sensors = [.. defaults.Sensors.Select(s => s with { Interval = FullRate(s) })] };
    }

    /// <summary>
    /// Runs the simulated board's sensors through the gateway's sampler for <paramref name="seconds"/> into
    /// <paramref name="counter"/> then <paramref name="sink"/>; returns what it cost and a line per sensor.
    /// </summary>
    private static async Task<(Measured Sampling, string Loops)> SampleAsync(GatewayOptions options, CountingSink counter, IReadingSink sink, int seconds, ILoggerFactory loggers)
    {
        using var board = BoardFactory.Create(options.Hardware, TimeProvider.System);
        using var factory = new SensorFactory(board, TimeProvider.System);
        using var sampler = new SamplerService(options, factory, new ReadingFanout(counter, sink), new HeartbeatRegistry(TimeProvider.System, TimeSpan.FromSeconds(10)), new StatusBoard(), TimeProvider.System, loggers);
        var meter = Meter.Start();
        await sampler.StartAsync(CancellationToken.None);
        await Task.Delay(TimeSpan.FromSeconds(seconds));
        await sampler.StopAsync(CancellationToken.None);
        var sampling = meter.Read();
        var lines = new System.Text.StringBuilder();
        foreach (var loop in sampler.Loops)
        {
            var sensor = options.Sensors.First(s => s.Id == loop.Id);
            lines.Append(CultureInfo.InvariantCulture,
                $"      {loop.Id,-8} {sensor.Type,-12} every {sensor.Interval.TotalMilliseconds,6:0.###} ms: {loop.Reads / sampling.Wall.TotalSeconds,6:N1} reads/s {counter.Of(loop.Id) / sampling.Wall.TotalSeconds,7:N1} readings/s  {loop.State}{(loop.LastError is { } e ? $": {e}" : string.Empty)}\n");
        }

        return (sampling, lines.ToString());
    }

    private static async Task<bool> CapacityAsync(Transport transport, int readings, ILoggerFactory loggers, bool report)
    {
        var dir = Directory.CreateTempSubdirectory("gw-e2e-").FullName;
        try
        {
            var options = ReadDefaults(dir);
            Directory.CreateDirectory(options.StateDirectory);
            await using var outbox = new Outbox.Outbox(options.Outbox, TimeProvider.System, loggers.CreateLogger<Outbox.Outbox>());
            outbox.Start();
            await using var receiver = await transport.StartReceiverAsync();
            // As the link benchmark: a wide window and no rate limit, to find the capacity.
            var settings = new UpstreamLinkOptions { Name = "unused", Window = 50_000, MaxRate = 100_000_000 };
            using var link = transport.CreateLink(receiver, settings, options, outbox, loggers);
            await link.StartAsync(CancellationToken.None);
            await receiver.WaitForHelloAsync(TimeSpan.FromSeconds(10));
            var sink = new ReadingFanout(outbox, new LatestReadings(loggers.CreateLogger<LatestReadings>()));

            var t0 = DateTimeOffset.UtcNow;
            var meter = Meter.Start();
            var producer = Task.Factory.StartNew(() => Produce(sink, receiver, readings, t0), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
            await receiver.WaitForSeqAsync(readings, Timeout);
            var measured = meter.Read();
            var heldMs = await producer;
            await link.StopAsync(CancellationToken.None);

            var raw = RawSend.Encode(readings, i => Synthetic.Message(options.DeviceId, i, t0));
            var rawMeasured = await transport.SendRawAsync(raw, readings, Timeout);
            var dropped = outbox.Figures.Dropped;
            if (!report)
            {
                return true;
            }

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"""
                  {transport.Name()}, capacity: {readings:N0} readings into the sampler's sink while the link delivers live (at most {InFlight:N0} ahead of the upstream), window {settings.Window:N0}, no rate limit:
                    {measured.Line("pipeline (sink, outbox, link, acks):", readings)}
                    {rawMeasured.Line($"raw {transport.Name()}, same messages pre-encoded:", readings)}
                    {"ratio pipeline / raw:",-52}{measured.Rate(readings) / rawMeasured.Rate(readings),10:0.00}
                    producer held back {heldMs:N0} times (1 ms sleeps) in {measured.Wall.TotalMilliseconds:N0} ms
                    received {receiver.Received:N0} (last seq {receiver.LastSeq:N0}), {receiver.Acks:N0} acks sent, {receiver.Errors} errors, {receiver.Hellos} connection(s), {dropped} dropped
                """));
            return receiver.Received == readings && receiver.Errors == 0 && receiver.Hellos == 1 && dropped == 0;
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    // The sampler's side of the pipeline at full speed; returns the milliseconds it was held back (ahead of the upstream).
    private static long Produce(IReadingSink sink, BenchUpstream receiver, int readings, DateTimeOffset t0)
    {
        long held = 0;
        for (var i = 0; i < readings; i++)
        {
            while (i - receiver.LastSeq >= InFlight)
            {
                Thread.Sleep(1);
                held++;
            }

            sink.Accept(Synthetic.Reading(i, t0));
        }

        return held;
    }

    /// <summary>The repository's appsettings.json (copied next to the program) read by the gateway's own reader, paths under <paramref name="workingDirectory"/>.</summary>
    private static GatewayOptions ReadDefaults(string workingDirectory)
    {
        var path = Path.Combine(AppContext.BaseDirectory, "appsettings.json");
        var configuration = new ConfigurationBuilder().AddJsonFile(path, optional: false).Build();
        var read = GatewayOptionsReader.Read(configuration, workingDirectory);
        if (read.Problems.Count > 0)
        {
            throw new InvalidOperationException($"{path} is not a valid gateway configuration: {string.Join("; ", read.Problems)}");
        }

        return read.Options;
    }
}
