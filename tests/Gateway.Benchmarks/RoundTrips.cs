using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Gateway.Protocol;

namespace Gateway.Benchmarks;

/// <summary>
/// Paced request lines over one loopback TCP connection, each timed from its write to the arrival of the result line
/// naming its id (<c>b&lt;index&gt;</c>). The client adds as little as it can: a sending thread and a receiving thread,
/// both blocking on the socket, so a result wakes the thread that times it straight from the kernel (no event loop or
/// thread-pool hand-over of the client's own inside the figure). <c>RT_DUMP=&lt;path&gt;</c> writes each measured round
/// trip, in order, to <c>&lt;path&gt;.raw</c> and <c>&lt;path&gt;.gw</c> (to tell a collection's stall from the machine's
/// scheduler ticks).
/// </summary>
internal sealed class RoundTrips
{
    private RoundTrips(double[] sorted, double seconds, int failures, IReadOnlyDictionary<string, int> codes, double cpuMilliseconds)
    {
        P50 = Percentile(sorted, 0.50);
        var first = Array.FindIndex(sorted, l => l > 2.0);
        OverTwoMilliseconds = first < 0 ? 0 : sorted.Length - first;
        P99 = Percentile(sorted, 0.99);
        Max = sorted[^1];
        Seconds = seconds;
        Rate = sorted.Length / seconds;
        Failures = failures;
        Codes = codes;
        CpuMilliseconds = cpuMilliseconds;
    }

    public double P50 { get; }

    public double P99 { get; }

    public double Max { get; }

    /// <summary>Round trips over 2 ms (issue 17's p99 line): how many, to tell a few stalls from a slow machine.</summary>
    public int OverTwoMilliseconds { get; }

    public double Seconds { get; }

    public double Rate { get; }

    public int Failures { get; }

    public IReadOnlyDictionary<string, int> Codes { get; }

    /// <summary>CPU the peer process (<c>pid</c>) used over the measured lines, or 0 when none was named.</summary>
    public double CpuMilliseconds { get; }

    /// <summary>
    /// Sends <paramref name="lines"/> at <paramref name="rate"/> per second; the first <paramref name="warmUp"/> are not
    /// measured (the runs wait for their results before the measured ones start).
    /// </summary>
    public static RoundTrips Run(int port, byte[][] lines, int warmUp, int rate, int? pid)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        socket.Connect(IPAddress.Loopback, port);
        var total = lines.Length;
        var sentAt = new long[total];
        var latency = new double[total];
        var received = 0;
        var failures = 0;
        var codes = new ConcurrentDictionary<string, int>();
        Exception? readFailure = null;
        var reader = new Thread(() =>
        {
            try
            {
                var buffer = new byte[64 * 1024];
                var filled = 0;
                while (Volatile.Read(ref received) < total)
                {
                    var n = socket.Receive(buffer.AsSpan(filled));
                    var now = Stopwatch.GetTimestamp();
                    if (n == 0)
                    {
                        throw new IOException("the peer closed the connection");
                    }

                    filled += n;
                    var start = 0;
                    int newline;
                    while ((newline = buffer.AsSpan(start, filled - start).IndexOf((byte)'\n')) >= 0)
                    {
                        if (MessageParser.Parse(buffer.AsSpan(start, newline)) is ResultMessage r)
                        {
                            var i = int.Parse(r.Id.AsSpan(1), CultureInfo.InvariantCulture);
                            latency[i] = Stopwatch.GetElapsedTime(sentAt[i], now).TotalMilliseconds;
                            if (!r.Ok)
                            {
                                failures++;
                                codes.AddOrUpdate(r.Code ?? "?", 1, (_, c) => c + 1);
                            }

                            Interlocked.Increment(ref received);
                        }

                        start += newline + 1;
                    }

                    buffer.AsSpan(start, filled - start).CopyTo(buffer);
                    filled -= start;
                }
            }
            catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException)
            {
                readFailure = ex;
            }
        }) { IsBackground = true, Name = "round trip reader" };
        reader.Start();

        SendPaced(socket, lines, sentAt, 0, warmUp, rate);
        var settle = Stopwatch.StartNew();
        while (Volatile.Read(ref received) < warmUp && readFailure is null && settle.Elapsed < TimeSpan.FromMinutes(1))
        {
            Thread.Sleep(10);
        }

        var cpu0 = pid is { } p0 ? ProcessCpu(p0) : 0;
        var clock = Stopwatch.StartNew();
        SendPaced(socket, lines, sentAt, warmUp, total, rate);
        if (!reader.Join(TimeSpan.FromMinutes(2)) || readFailure is not null)
        {
            throw new IOException($"{Volatile.Read(ref received)} of {total} results arrived", readFailure);
        }

        var seconds = clock.Elapsed.TotalSeconds;
        var cpu = pid is { } p1 ? ProcessCpu(p1) - cpu0 : 0;
        var measured = latency[warmUp..];
        if (Environment.GetEnvironmentVariable("RT_DUMP") is { Length: > 0 } dump)
        {
            File.WriteAllLines($"{dump}.{(pid is null ? "raw" : "gw")}", measured.Select((l, k) => string.Create(CultureInfo.InvariantCulture, $"{k} {l:0.000}")));
        }

        Array.Sort(measured);
        return new RoundTrips(measured, seconds, failures, codes, cpu);
    }

    private static void SendPaced(Socket socket, byte[][] lines, long[] sentAt, int from, int to, int rate)
    {
        var clock = Stopwatch.StartNew();
        for (var i = from; i < to; i++)
        {
            var due = TimeSpan.FromSeconds((i - from) / (double)rate) - clock.Elapsed;
            if (due > TimeSpan.Zero)
            {
                Thread.Sleep(due);
            }

            sentAt[i] = Stopwatch.GetTimestamp();
            socket.Send(lines[i]);
        }
    }

    // utime + stime of a process, in milliseconds (proc(5): fields 14 and 15, in clock ticks of 100 Hz on Linux).
    private static double ProcessCpu(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) * 10.0;
    }

    private static double Percentile(double[] sorted, double p) => sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];
}
