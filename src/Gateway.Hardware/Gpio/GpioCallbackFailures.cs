using System.Collections.Concurrent;

namespace Gateway.Hardware.Gpio;

/// <summary>
/// Counts the exceptions thrown by one driver's edge callbacks, per line, and decides which are reported: the 1st,
/// 10th, 100th, … of each line. A callback that throws on every edge of a 100 Hz pulse input is reported 7 times in
/// three hours, not 100 times a second, and the count says how often it happened in between. No clock is needed.
/// </summary>
internal sealed class GpioCallbackFailures
{
    private readonly ConcurrentDictionary<int, long> _counts = new();

    /// <summary>Counts one failure on <paramref name="pinNumber"/>.</summary>
    /// <returns>The line's failures so far, this one included.</returns>
    public long Record(int pinNumber) => _counts.AddOrUpdate(pinNumber, 1, static (_, n) => n + 1);

    /// <summary>The line's failures so far.</summary>
    public long Count(int pinNumber) => _counts.GetValueOrDefault(pinNumber);

    /// <summary>Whether the <paramref name="failures"/>-th failure of a line is reported: 1, 10, 100, …</summary>
    public static bool IsReported(long failures)
    {
        if (failures < 1)
        {
            return false;
        }

        while (failures % 10 == 0)
        {
            failures /= 10;
        }

        return failures == 1;
    }

    /// <summary>The failure reported after the <paramref name="failures"/>-th (the next power of ten).</summary>
    public static long NextReport(long failures)
    {
        long next = 1;
        while (next <= failures && next <= long.MaxValue / 10)
        {
            next *= 10;
        }

        return next;
    }
}
