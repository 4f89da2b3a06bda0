using System.Globalization;
using System.Diagnostics;

namespace Gateway.Benchmarks;

/// <summary>
/// Wall-clock time, the whole process's CPU time (every thread: sender, receiver, SQLite writer, sensors) and the bytes
/// it allocated on the managed heap since it was started.
/// </summary>
internal sealed class Meter
{
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly TimeSpan _cpu0 = Environment.CpuUsage.TotalTime;
    private readonly long _allocated0 = GC.GetTotalAllocatedBytes();

    private Meter()
    {
    }

    /// <summary>Starts measuring now.</summary>
    public static Meter Start() => new();

    /// <summary>What has passed since <see cref="Start"/>.</summary>
    public Measured Read() => new(_clock.Elapsed, Environment.CpuUsage.TotalTime - _cpu0, GC.GetTotalAllocatedBytes() - _allocated0);
}

/// <summary>Wall time, CPU time and managed allocations of a stretch of work.</summary>
internal readonly record struct Measured(TimeSpan Wall, TimeSpan Cpu, long Allocated)
{
    /// <summary>Items per wall-clock second.</summary>
    public double Rate(long items) => items / Wall.TotalSeconds;

    /// <summary>Milliseconds of CPU per 1,000 items.</summary>
    public double CpuPerThousand(long items) => Cpu.TotalMilliseconds / items * 1000;

    /// <summary>Cores kept busy on average (CPU time over wall time).</summary>
    public double Cores => Cpu / Wall;

    /// <summary>One output line: the label, then readings/s, CPU per 1,000 and cores.</summary>
    public string Line(string label, long items) => string.Create(CultureInfo.InvariantCulture,
        $"{label,-52}{Rate(items),10:N0} readings/s, {CpuPerThousand(items):0.00} ms CPU per 1,000, {Cores:0.00} cores, {Allocated / (double)items:N0} B allocated per reading");
}
