using System.Globalization;

namespace Gateway.IntegrationTests.Infrastructure;

/// <summary>The CPU time a process has used so far: <c>utime + stime</c> from <c>/proc/&lt;pid&gt;/stat</c>.</summary>
internal static class ProcessCpu
{
    /// <summary>Linux counts these fields in clock ticks of USER_HZ, 100 a second on every architecture we run on.</summary>
    private const double TicksPerSecond = 100;

    /// <summary>User plus system time of <paramref name="pid"/> (its threads included, its children not).</summary>
    public static TimeSpan Used(int pid)
    {
        // "1234 (name) S 1 ..." — the name may hold spaces and parentheses, so count fields after the last ')':
        // the first one there is field 3 (state), so utime (field 14) and stime (15) are the 12th and 13th.
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        return TimeSpan.FromSeconds(ticks / TicksPerSecond);
    }
}
