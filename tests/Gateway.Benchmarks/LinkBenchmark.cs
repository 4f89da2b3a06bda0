using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using Gateway.Configuration;
using Gateway.Links;
using Gateway.Outbox;
using Gateway.Protocol;
using Gateway.Sampling;
using Gateway.Status;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gateway.Benchmarks;

/// <summary>
/// Backlog drain over the TCP link: N readings stored while the upstream was "down", then a real TcpUpstreamLink
/// delivers them to an acking receiver on loopback. Compared, in the same run, with writing the same protocol bytes
/// over a raw loopback socket to a reader that only splits lines. Reports readings/s, the ratio, and CPU per 1,000.
/// </summary>
internal static class LinkBenchmark
{
    public static async Task<int> RunAsync(int readings)
    {
        var dir = Directory.CreateTempSubdirectory("gw-linkbench-").FullName;
        try
        {
            var options = new OutboxOptions { Path = Path.Combine(dir, "gateway.db"), MaxBytes = 16L << 30, MemoryLimit = readings + 100_000 };
            await using var outbox = new Outbox.Outbox(options, TimeProvider.System, NullLogger<Outbox.Outbox>.Instance);
            outbox.Start();
            var t0 = DateTimeOffset.UtcNow;
            string[] sensors = ["env", "climate", "light", "analog", "water", "door", "flow"];
            string[] quantities = ["temperature", "humidity", "pressure"];
            for (var i = 0; i < readings; i++)
            {
                outbox.Accept(new SampledReading(sensors[i % 7], quantities[i % 3], 20 + (i % 1000 * 0.01), "Cel", t0.AddMilliseconds(i)));
            }

            await outbox.WaitForCommitAsync(readings - 1, CancellationToken.None);

            // 1. The link draining the backlog to an acking receiver.
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;
            var gateway = new GatewayOptions { DeviceId = "bench-01", StateDirectory = dir };
            var link = new UpstreamLinkOptions { Name = "tcp", Endpoint = new HostEndpoint("127.0.0.1", port), Window = 50_000, MaxRate = 100_000_000 };
            var received = new TaskCompletionSource<long>();
            var receiver = Task.Run(() => AckingReceiver(listener, readings, received));
            var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
            var clock = Stopwatch.StartNew();
            using var service = new TcpUpstreamLink(link, gateway, outbox, new StatusBoard(), NullLogger<TcpUpstreamLink>.Instance);
            await service.StartAsync(CancellationToken.None);
            await received.Task.WaitAsync(TimeSpan.FromMinutes(5));
            var linkSeconds = clock.Elapsed.TotalSeconds;
            var linkCpu = (Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalMilliseconds;
            await service.StopAsync(CancellationToken.None);
            await receiver;

            // 2. The same bytes over a raw loopback socket.
            var bytes = new ArrayBufferWriter<byte>(readings * 160);
            for (var i = 0; i < readings; i++)
            {
                MessageWriter.WriteLine(new ReadingMessage("bench-01", i + 1, t0.AddMilliseconds(i), sensors[i % 7], quantities[i % 3], 20 + (i % 1000 * 0.01), "Cel"), bytes);
            }

            using var rawListener = new TcpListener(IPAddress.Loopback, 0);
            rawListener.Start();
            var rawReceiver = Task.Run(() => CountingReceiver(rawListener, readings));
            cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
            clock.Restart();
            using (var client = new TcpClient())
            {
                await client.ConnectAsync(IPAddress.Loopback, ((IPEndPoint)rawListener.LocalEndpoint).Port);
                await client.GetStream().WriteAsync(bytes.WrittenMemory);
                await rawReceiver;
            }

            var rawSeconds = clock.Elapsed.TotalSeconds;
            var rawCpu = (Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalMilliseconds;

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"""
                link benchmark: drain a backlog of {readings:N0} stored readings over the TCP link to an acking receiver (loopback)
                  TCP link (outbox read, encode, send, acks): {readings / linkSeconds,12:N0} readings/s, {linkCpu / readings * 1000:0.00} ms CPU per 1,000 (sender and receiver in one process)
                  raw socket, same bytes pre-encoded:          {readings / rawSeconds,12:N0} readings/s, {rawCpu / readings * 1000:0.00} ms CPU per 1,000
                  ratio link / raw:                            {(readings / linkSeconds) / (readings / rawSeconds):0.00}
                """));
            return 0;
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static async Task AckingReceiver(TcpListener listener, int expected, TaskCompletionSource<long> done)
    {
        using var client = await listener.AcceptTcpClientAsync();
        var stream = client.GetStream();
        var reader = PipeReader.Create(stream);
        var ack = new ArrayBufferWriter<byte>();
        long last = 0;
        while (last < expected)
        {
            var result = await reader.ReadAsync();
            var buffer = result.Buffer;
            while (NdjsonFraming.TryReadLine(ref buffer, ProtocolInfo.DefaultMaxLineLength, out var line) == LineStatus.Line)
            {
                if (MessageParser.Parse(line.ToArray()) is ReadingMessage r)
                {
                    last = r.Seq;
                }
            }

            reader.AdvanceTo(buffer.Start, buffer.End);
            ack.Clear();
            MessageWriter.WriteLine(new AckMessage(last), ack);
            await stream.WriteAsync(ack.WrittenMemory);
            if (result.IsCompleted)
            {
                break;
            }
        }

        done.TrySetResult(last);
    }

    private static async Task CountingReceiver(TcpListener listener, int expected)
    {
        using var client = await listener.AcceptTcpClientAsync();
        var reader = PipeReader.Create(client.GetStream());
        var lines = 0;
        while (lines < expected)
        {
            var result = await reader.ReadAsync();
            var buffer = result.Buffer;
            while (NdjsonFraming.TryReadLine(ref buffer, ProtocolInfo.DefaultMaxLineLength, out var line) == LineStatus.Line)
            {
                MessageParser.Parse(line.ToArray());
                lines++;
            }

            reader.AdvanceTo(buffer.Start, buffer.End);
            if (result.IsCompleted)
            {
                break;
            }
        }
    }
}
