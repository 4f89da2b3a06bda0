using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Gateway.Commands;
using Gateway.Configuration;
using Gateway.Hardware;
using Gateway.Links.Mqtt;
using Gateway.Mqtt;
using Gateway.Outbox;
using Gateway.Protocol;
using Gateway.Protocol.Transport;
using Gateway.Sampling;
using Gateway.Status;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gateway.Benchmarks;

/// <summary>
/// MQTT through a real mosquitto on loopback: N stored readings drained by the gateway's MQTT link (QoS 1, cursor moved
/// over PUBACKs) to a QoS 1 subscriber, compared in the same run with mosquitto_pub publishing a reading-sized payload
/// N times at QoS 1 (one process, --repeat) and with raw pre-built PUBLISH packets (<see cref="RawMqttPublisher"/>), and
/// the same for QoS 0 with our client against mosquitto_pub -q 0.
/// </summary>
internal static class MqttBenchmark
{
    public static async Task<int> RunAsync(int readings, int? window = null)
    {
        var dir = Directory.CreateTempSubdirectory("gw-mqttbench-").FullName;
        var port = LoopbackPorts.Free();
        await File.WriteAllLinesAsync(Path.Combine(dir, "mosquitto.conf"),
            ["user root", $"listener {port} 127.0.0.1", "allow_anonymous true", "max_queued_messages 0", "max_inflight_messages 0"]);
        using var broker = Process.Start(new ProcessStartInfo(Executable("mosquitto"), ["-c", Path.Combine(dir, "mosquitto.conf")]) { RedirectStandardError = true, RedirectStandardOutput = true })!;
        try
        {
            await WaitForPort(port);
            var t0 = DateTimeOffset.UtcNow;
            string[] sensors = ["env", "climate", "light", "analog", "water", "door", "flow"];
            string[] quantities = ["temperature", "humidity", "pressure"];

            // 1. The gateway's MQTT link draining a backlog (QoS 1).
            var options = new OutboxOptions { Path = Path.Combine(dir, "gateway.db"), MaxBytes = 16L << 30, MemoryLimit = readings + 100_000 };
            await using var outbox = new Outbox.Outbox(options, TimeProvider.System, NullLogger<Outbox.Outbox>.Instance);
            outbox.Start();
            for (var i = 0; i < readings; i++)
            {
                outbox.Accept(new SampledReading(sensors[i % 7], quantities[i % 3], 20 + (i % 1000 * 0.01), "Cel", t0.AddMilliseconds(i)));
            }

            await outbox.WaitForCommitAsync(readings - 1, CancellationToken.None);
            var gateway = new GatewayOptions { DeviceId = "bench-01", StateDirectory = dir };
            // The shipped window (MqttLinkOptions.Window's default), the rate cap lifted to see the link's own pace.
            var link = new MqttLinkOptions { Name = "mqtt", Broker = new HostEndpoint("127.0.0.1", port), MaxRate = 10_000_000, Discovery = false };
            link = window is { } w ? link with { Window = w } : link;
            using var board = Gateway.FirmwareSim.SimulatorSetup.Create(null, 1, TimeProvider.System);
            using var factory = new SensorFactory(board, TimeProvider.System);
            var outputs = new OutputService(gateway, factory, TimeProvider.System, NullLogger<OutputService>.Instance);
            using var audit = new AuditLog(dir, 1 << 20, 1, NullLogger<AuditLog>.Instance);
            using var pipeline = new CommandPipeline(new CommandOptions(), gateway, [], audit, TimeProvider.System);

            var (linkSeconds, linkCpu) = await Measure(port, "gateway/bench-01/sensor/#", MqttQualityOfServiceLevel.AtLeastOnce, readings, async () =>
            {
                var service = new MqttUpstreamLink(link, gateway, outbox, new StatusBoard(), pipeline, outputs, NullLogger<MqttUpstreamLink>.Instance);
                await service.StartAsync(CancellationToken.None);
                return service;
            });

            // 2. mosquitto_pub, the same payloads, QoS 1 and QoS 0, from one process (-l: one message per stdin line).
            var payloads = new StringBuilder();
            for (var i = 0; i < readings; i++)
            {
                payloads.Append(MessageWriter.ToJson(new ReadingMessage("bench-01", i + 1, t0.AddMilliseconds(i), sensors[i % 7], quantities[i % 3], 20 + (i % 1000 * 0.01), "Cel"))).Append('\n');
            }

            var text = payloads.ToString();
            // 2. Raw: the same payloads as PUBLISH QoS 1 packets built before the clock starts, written many at a time.
            var raw = text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(Encoding.UTF8.GetBytes).ToArray();
            var (rawSeconds, rawCpu) = await Measure(port, "bench/raw", MqttQualityOfServiceLevel.AtLeastOnce, readings, async () => await RawMqttPublisher.StartAsync(port, "bench/raw", raw));

            var (pub1Seconds, _) = await Measure(port, "bench/pub1", MqttQualityOfServiceLevel.AtLeastOnce, readings, () => MosquittoPub(port, "bench/pub1", 1, text[..text.IndexOf('\n', StringComparison.Ordinal)], readings));
            var (pub0Seconds, _) = await Measure(port, "bench/pub0", MqttQualityOfServiceLevel.AtMostOnce, readings, () => MosquittoPub(port, "bench/pub0", 0, text[..text.IndexOf('\n', StringComparison.Ordinal)], readings));

            // 3. Our client publishing the same payloads at QoS 0 (no outbox, no cursor).
            var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(Encoding.UTF8.GetBytes).ToArray();
            var (qos0Seconds, _) = await Measure(port, "bench/qos0", MqttQualityOfServiceLevel.AtMostOnce, readings, async () =>
            {
                var client = new MqttClient();
                await client.ConnectAsync(new MqttClientOptions { Host = "127.0.0.1", Port = port, ClientId = "bench-qos0" });
                foreach (var line in lines)
                {
                    await client.PublishAsync("bench/qos0", line, MqttQualityOfServiceLevel.AtMostOnce);
                }

                return client;
            });

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"""
                mqtt benchmark: {readings:N0} readings through mosquitto (loopback) to one subscriber
                  QoS 1, gateway MQTT link draining the outbox: {readings / linkSeconds,10:N0} readings/s, {linkCpu / readings * 1000:0.00} ms CPU per 1,000 (this process: link, outbox, subscriber)
                  QoS 1, raw pre-built PUBLISH packets:         {readings / rawSeconds,10:N0} messages/s, {rawCpu / readings * 1000:0.00} ms CPU per 1,000 (this process: raw publisher, subscriber)
                  ratio link / raw (QoS 1):                     {rawSeconds / linkSeconds:0.00} (link window {link.Window:N0}, raw window {RawMqttPublisher.Window:N0})
                  QoS 1, mosquitto_pub --repeat, same size:     {readings / pub1Seconds,10:N0} messages/s
                  ratio link / mosquitto_pub (QoS 1):           {pub1Seconds / linkSeconds:0.00}
                  QoS 0, our client, same payloads:             {readings / qos0Seconds,10:N0} messages/s
                  QoS 0, mosquitto_pub --repeat:                {readings / pub0Seconds,10:N0} messages/s
                """));
            return 0;
        }
        finally
        {
            broker.Kill();
            await broker.WaitForExitAsync();
            Directory.Delete(dir, recursive: true);
        }
    }

    // Subscribes, starts the publisher, and times until `count` messages arrived (QoS 0 may lose some: then until quiet).
    private static async Task<(double Seconds, double CpuMs)> Measure(int port, string filter, MqttQualityOfServiceLevel qos, int count, Func<Task<object>> start)
    {
        await using var subscriber = new MqttClient();
        var received = 0;
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var last = Stopwatch.GetTimestamp();
        subscriber.ApplicationMessageReceivedAsync += _ =>
        {
            last = Stopwatch.GetTimestamp();
            if (Interlocked.Increment(ref received) == count)
            {
                done.TrySetResult();
            }

            return Task.CompletedTask;
        };
        await subscriber.ConnectAsync(new MqttClientOptions { Host = "127.0.0.1", Port = port, ClientId = $"sub-{Guid.NewGuid():N}", ReceiveQueueCapacity = 100_000 });
        await subscriber.SubscribeAsync(filter, qos);
        var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        var publisher = await start();
        while (!done.Task.IsCompleted)
        {
            await Task.WhenAny(done.Task, Task.Delay(500));
            if (Stopwatch.GetElapsedTime(last) > TimeSpan.FromSeconds(3) || clock.Elapsed > TimeSpan.FromMinutes(5))
            {
                Console.WriteLine($"  ({filter}: {received:N0} of {count:N0} arrived; timing until the last one)");
                break;
            }
        }

        var seconds = done.Task.IsCompleted ? clock.Elapsed.TotalSeconds : (clock.Elapsed - Stopwatch.GetElapsedTime(last)).TotalSeconds;
        var cpu = (Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalMilliseconds;
        switch (publisher)
        {
            case Microsoft.Extensions.Hosting.IHostedService service:
                await service.StopAsync(CancellationToken.None);
                (service as IDisposable)?.Dispose();
                break;
            case IAsyncDisposable disposable:
                await disposable.DisposeAsync();
                break;
            case Process process:
                await process.WaitForExitAsync();
                process.Dispose();
                break;
        }

        return (seconds, cpu);
    }

    // One process publishing a reading-sized payload `count` times (--repeat; -l from stdin lost messages at QoS 1 here).
    private static Task<object> MosquittoPub(int port, string topic, int qos, string payload, int count)
    {
        var pub = Process.Start(new ProcessStartInfo(Executable("mosquitto_pub"),
            ["-h", "127.0.0.1", "-p", port.ToString(CultureInfo.InvariantCulture), "-q", qos.ToString(CultureInfo.InvariantCulture), "-t", topic, "-m", payload, "--repeat", count.ToString(CultureInfo.InvariantCulture)]))!;
        return Task.FromResult<object>(pub);
    }

    private static string Executable(string name) =>
        new[] { "/usr/sbin", "/usr/bin", "/usr/local/sbin", "/usr/local/bin" }.Select(d => Path.Combine(d, name)).FirstOrDefault(File.Exists)
        ?? throw new FileNotFoundException($"{name} is not installed (apt-get install mosquitto mosquitto-clients)");

    private static async Task WaitForPort(int port)
    {
        for (var i = 0; i < 200; i++)
        {
            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync(IPAddress.Loopback, port);
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(25);
            }
        }

        throw new TimeoutException($"mosquitto did not listen on {port}");
    }
}
