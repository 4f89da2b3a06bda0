using System.Diagnostics;
using System.Globalization;
using System.Text;
using Gateway.Protocol;
using Gateway.Protocol.Commands;

namespace Gateway.Benchmarks;

/// <summary>
/// Command round trip over the TCP listener of a real gateway process (simulated board): signed commands sent at a
/// paced rate (default 1,000/s), each timed from the write of its line to the arrival of its result. Commands are
/// signed before the clock starts, so the figures are the gateway's (decode, verify, replay check, run, audit, reply)
/// plus loopback. Reports p50/p99/max and the gateway's CPU per command (from /proc), beside a raw baseline: the same
/// client and pacing against a peer that answers each line at once (<see cref="ResultEcho"/>).
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
            byte[][] Signed()
            {
                var lines = new byte[total][];
                var now = DateTimeOffset.UtcNow.AddSeconds(total / (double)rate / 2);
                for (var i = 0; i < total; i++)
                {
                    var c = CommandSigning.Create("bench", secret, "bench-01", $"b{i}", name, args, now, $"nonce{i:00000000}");
                    lines[i] = Encoding.UTF8.GetBytes(MessageWriter.ToJson(c) + "\n");
                }

                return lines;
            }

            // The raw baseline first: the same client against a loopback peer that answers each line with a result at once
            // (one thread, blocking reads): the floor this machine's loopback and scheduler set under the same pacing.
            RoundTrips raw;
            using (var echo = new ResultEcho())
            {
                raw = await Task.Factory.StartNew(() => RoundTrips.Run(echo.Port, Signed(), warmUp, rate, pid: null), TaskCreationOptions.LongRunning);
            }

            var signed = Signed(); // signed again: the baseline took the first set's time out of the ±30 s window
            var measured = await Task.Factory.StartNew(() => RoundTrips.Run(port, signed, warmUp, rate, gateway.Id), TaskCreationOptions.LongRunning);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"""
                command benchmark: {commands:N0} signed '{name}' commands at {rate:N0}/s over the TCP listener (loopback), one connection, after {warmUp:N0} unmeasured
                  gateway:        {(string.IsNullOrEmpty(native) ? "Gateway.dll under the JIT" : native)}, args {(gatewayArgs.Count == 0 ? "(as shipped)" : string.Join(' ', gatewayArgs))}
                  achieved rate:  {measured.Rate:N0} commands/s, {measured.Failures} failed{(measured.Failures == 0 ? string.Empty : " (" + string.Join(", ", measured.Codes.Select(c => $"{c.Key} {c.Value}")) + ")")}
                  round trip:     p50 {measured.P50:0.00} ms, p99 {measured.P99:0.00} ms, max {measured.Max:0.00} ms, {measured.OverTwoMilliseconds} over 2 ms
                  raw baseline:   p50 {raw.P50:0.00} ms, p99 {raw.P99:0.00} ms, max {raw.Max:0.00} ms, {raw.OverTwoMilliseconds} over 2 ms (a peer that answers each line at once)
                  gateway CPU:    {measured.CpuMilliseconds / commands * 1000:0.0} µs per command ({measured.CpuMilliseconds / measured.Seconds / 10:0.0}% of one core)
                """));
            return measured.Failures == 0 ? 0 : 1;
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
}
