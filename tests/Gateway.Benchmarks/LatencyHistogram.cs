namespace Gateway.Benchmarks;

/// <summary>
/// Whole-millisecond latencies (the protocol's timestamps carry milliseconds, truncated, so a figure may read up to
/// 1 ms high) in one bucket per millisecond up to a minute; percentiles read from the buckets.
/// </summary>
internal sealed class LatencyHistogram
{
    private readonly long[] _buckets = new long[60_001];
    private long _count;

    /// <summary>Values recorded.</summary>
    public long Count => Interlocked.Read(ref _count);

    /// <summary>Records one latency (negative values, from clock steps, count as 0; beyond a minute as a minute).</summary>
    public void Record(TimeSpan latency)
    {
        var ms = (int)Math.Clamp(latency.TotalMilliseconds, 0, _buckets.Length - 1);
        Interlocked.Increment(ref _buckets[ms]);
        Interlocked.Increment(ref _count);
    }

    /// <summary>The smallest whole millisecond at or below which <paramref name="fraction"/> of the values lie.</summary>
    public int Percentile(double fraction)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(fraction);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(fraction, 1);
        var count = Count;
        if (count == 0)
        {
            throw new InvalidOperationException("no latencies were recorded");
        }

        var wanted = (long)Math.Ceiling(fraction * count);
        long seen = 0;
        for (var ms = 0; ms < _buckets.Length; ms++)
        {
            seen += Interlocked.Read(ref _buckets[ms]);
            if (seen >= wanted && seen > 0)
            {
                return ms;
            }
        }

        return _buckets.Length - 1;
    }
}
