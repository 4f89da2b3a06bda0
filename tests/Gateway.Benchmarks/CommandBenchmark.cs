using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text;
using Gateway.Protocol;
using Gateway.Protocol.Commands;

namespace Gateway.Benchmarks;

/// <summary>
/// Command round trip over the TCP listener of a real gateway process (simulated board): signed commands sent at a
/// paced rate (default 1,000/s), each timed from the write of its line to the arrival of its result. Commands are
/// signed before the clock starts, so the figures are the gateway's (decode, verify, replay check, run, audit, reply)
/// plus loopback. Reports p50/p99/max and the gateway's CPU per command (from /proc).
/// </summary>
internal static class CommandBenchmark
{
    private const int WarmUp = 2_000;

    public static async Task<int> RunAsync(int commands, int rate, string name, IReadOnlyList<string> gatewayArgs)
    {
        var dir = Directory.CreateTempSubdirectory("gw-cmdbench-").FullName;
        var secret = new byte[32];
        Random.Shared.NextBytes(secret);
        // GATEWAY_BINARY: a native gateway (deploy/build-native.sh) instead of this build's Gateway.dll under the JIT.
        var native = Environment.GetEnvironmentVariable("GATEWAY_BINARY");
        var psi = new ProcessStartInfo(string.IsNullOrEmpty(native) ? "dotnet" : native)
        {
            WorkingDirectory = dir,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (string.IsNullOrEmpty(native))
        {
            psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Gateway.dll"));
        }

        foreach (var arg in new[]
        {
            "--Gateway:DeviceId=bench-01", $"--Gateway:StateDirectory={dir}",
            "--Gateway:Listener:Tcp=127.0.0.1:0", $"--Gateway:Commands:Keys:bench:Secret={Convert.ToBase64String(secret)}",
            "--Gateway:Commands:Keys:bench:Allow=ping,status,output.get,output.set", "--Gateway:Commands:RatePerLink=100000",
            "--Gateway:Commands:RatePerKey=100000", "--Gateway:Commands:MaxInFlight=256", // logging as shipped: every command audited at Information
        }.Concat(gatewayArgs))
        {
            psi.ArgumentList.Add(arg);
        }

        using var gateway = Process.Start(psi)!;
        try
        {
            var port = await ListenerPort(gateway);
            string args = name switch
            {
                "output.set" => """{"output":"relay","on":true}""",
                "output.get" => """{"output":"relay"}""",
                _ => "{}",
            };

            // Signed before timing starts; ids and nonces unique, timestamps well inside the ±30 s window. The first
            // WarmUp commands are not measured: the JIT's first compilations and tier-ups of the command path (tens of
            // milliseconds each) otherwise made the whole p99 and max here; the shipped build is native.
            var warmUp = Math.Min(WarmUp, commands);
            var total = warmUp + commands;
            var lines = new byte[total][];
            var now = DateTimeOffset.UtcNow.AddSeconds(total / (double)rate / 2);
            for (var i = 0; i < total; i++)
            {
                var c = CommandSigning.Create("bench", secret, "bench-01", $"b{i}", name, args, now, $"nonce{i:00000000}");
                lines[i] = Encoding.UTF8.GetBytes(MessageWriter.ToJson(c) + "\n");
            }

            using var client = new TcpClient { NoDelay = true };
            await client.ConnectAsync("127.0.0.1", port);
            var stream = client.GetStream();
            var sentAt = new long[total];
            var latency = new double[total];
            var received = 0;
            var failures = 0;
            var codes = new System.Collections.Concurrent.ConcurrentDictionary<string, int>();
            var reader = Task.Run(async () =>
            {
                using var text = new StreamReader(stream, Encoding.UTF8);
                while (received < total)
                {
                    var line = await text.ReadLineAsync() ?? throw new IOException("the gateway closed the connection");
                    if (MessageParser.Parse(Encoding.UTF8.GetBytes(line)) is ResultMessage r)
                    {
                        var i = int.Parse(r.Id.AsSpan(1), CultureInfo.InvariantCulture);
                        latency[i] = Stopwatch.GetElapsedTime(sentAt[i]).TotalMilliseconds;
                        failures += r.Ok ? 0 : 1;
                        if (!r.Ok)
                        {
                            codes.AddOrUpdate(r.Code ?? "?", 1, (_, n) => n + 1);
                        }

                        received++;
                    }
                }
            });

            async Task SendPaced(int from, int to)
            {
                var clock = Stopwatch.StartNew();
                for (var i = from; i < to; i++)
                {
                    var due = TimeSpan.FromSeconds((i - from) / (double)rate) - clock.Elapsed;
                    if (due > TimeSpan.FromMilliseconds(1))
                    {
                        await Task.Delay(due);
                    }

                    sentAt[i] = Stopwatch.GetTimestamp();
                    await stream.WriteAsync(lines[i]);
                }
            }

            await SendPaced(0, warmUp);
            var settle = Stopwatch.StartNew();
            while (Volatile.Read(ref received) < warmUp && settle.Elapsed < TimeSpan.FromMinutes(1))
            {
                await Task.Delay(10);
            }

            var cpu0 = CpuMilliseconds(gateway.Id);
            var measuredClock = Stopwatch.StartNew();
            await SendPaced(warmUp, total);
            await reader.WaitAsync(TimeSpan.FromMinutes(2));
            var seconds = measuredClock.Elapsed.TotalSeconds;
            var cpu = CpuMilliseconds(gateway.Id) - cpu0;
            latency = latency[warmUp..];
            Array.Sort(latency);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"""
                command benchmark: {commands:N0} signed '{name}' commands at {rate:N0}/s over the TCP listener (loopback), one connection, after {warmUp:N0} unmeasured
                  gateway:        {(string.IsNullOrEmpty(native) ? "Gateway.dll under the JIT" : native)}, args {(gatewayArgs.Count == 0 ? "(as shipped)" : string.Join(' ', gatewayArgs))}
                  achieved rate:  {commands / seconds:N0} commands/s, {failures} failed{(failures == 0 ? string.Empty : " (" + string.Join(", ", codes.Select(c => $"{c.Key} {c.Value}")) + ")")}
                  round trip:     p50 {Percentile(latency, 0.50):0.00} ms, p99 {Percentile(latency, 0.99):0.00} ms, max {latency[^1]:0.00} ms
                  gateway CPU:    {cpu / commands * 1000:0.0} µs per command ({cpu / seconds / 10:0.0}% of one core)
                """));
            return failures == 0 ? 0 : 1;
        }
        finally
        {
            gateway.Kill();
            await gateway.WaitForExitAsync();
            Directory.Delete(dir, recursive: true);
        }
    }

    private static async Task<int> ListenerPort(Process gateway)
    {
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (true)
        {
            var line = await gateway.StandardOutput.ReadLineAsync(limit.Token) ?? throw new IOException("the gateway exited: " + await gateway.StandardError.ReadToEndAsync());
            const string marker = "Listener tcp listening on 127.0.0.1:";
            var at = line.IndexOf(marker, StringComparison.Ordinal);
            if (at >= 0)
            {
                _ = Task.Run(async () => await gateway.StandardOutput.ReadToEndAsync()); // keep draining
                return int.Parse(line.AsSpan(at + marker.Length).Trim(), CultureInfo.InvariantCulture);
            }
        }
    }

    // utime + stime of a process, in milliseconds (proc(5): fields 14 and 15, in clock ticks of 100 Hz on Linux).
    private static double CpuMilliseconds(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) * 10.0;
    }

    private static double Percentile(double[] sorted, double p) => sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];
}
