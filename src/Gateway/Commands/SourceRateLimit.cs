namespace Gateway.Commands;

/// <summary>
/// A rate limit per sender address, over a bounded table: at most <c>maxSources</c> addresses have a bucket of their
/// own; an address seen when the table is full first frees buckets that have been idle long enough to be full again
/// (forgetting them changes nothing), and otherwise shares one overflow bucket — so forged source addresses can drain
/// only that one, never reset a real sender's bucket. Thread-safe.
/// </summary>
internal sealed class SourceRateLimit
{
    private readonly Lock _lock = new();
    private readonly int _rate;
    private readonly int _maxSources;
    private readonly TimeProvider _time;
    private readonly Dictionary<string, (TokenBucket Bucket, long LastUsed)> _buckets = new(StringComparer.Ordinal);
    private readonly TokenBucket _overflow;

    /// <summary>Creates the limit: <paramref name="ratePerSecond"/> per address (burst of the same size).</summary>
    public SourceRateLimit(int ratePerSecond, int maxSources, TimeProvider time)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(ratePerSecond, 1);
        ArgumentNullException.ThrowIfNull(time);
        _rate = ratePerSecond;
        _maxSources = maxSources;
        _time = time;
        _overflow = new TokenBucket(ratePerSecond, ratePerSecond, time.GetTimestamp(), time.TimestampFrequency);
    }

    /// <summary>Addresses with a bucket of their own.</summary>
    public int Sources
    {
        get
        {
            lock (_lock)
            {
                return _buckets.Count;
            }
        }
    }

    /// <summary>Takes one from <paramref name="source"/>'s rate; false when it is spent.</summary>
    public bool TryTake(string source)
    {
        var now = _time.GetTimestamp();
        lock (_lock)
        {
            if (_buckets.TryGetValue(source, out var known))
            {
                _buckets[source] = (known.Bucket, now);
                return known.Bucket.TryTake(now);
            }

            if (_buckets.Count >= _maxSources)
            {
                // A bucket idle for a whole second at this rate is full again: forgetting it loses nothing.
                foreach (var idle in _buckets.Where(b => now - b.Value.LastUsed > _time.TimestampFrequency).Select(b => b.Key).ToList())
                {
                    _buckets.Remove(idle);
                }

                if (_buckets.Count >= _maxSources)
                {
                    return _overflow.TryTake(now);
                }
            }

            var bucket = new TokenBucket(_rate, _rate, now, _time.TimestampFrequency);
            _buckets[source] = (bucket, now);
            return bucket.TryTake(now);
        }
    }
}
