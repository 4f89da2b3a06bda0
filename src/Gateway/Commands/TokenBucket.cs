namespace Gateway.Commands;

/// <summary>
/// A token bucket: up to <c>burst</c> commands at once, refilled at <c>rate</c> per second. Pure apart from the clock,
/// which comes in as a timestamp so tests control it. Not thread-safe; callers lock.
/// </summary>
internal sealed class TokenBucket
{
    private readonly double _rate;
    private readonly double _burst;
    private double _tokens;
    private long _last;

    /// <summary>Creates a full bucket.</summary>
    /// <param name="rate">Tokens added per second.</param>
    /// <param name="burst">Most tokens held.</param>
    /// <param name="now">Timestamp (ticks of <paramref name="frequency"/>) at creation.</param>
    /// <param name="frequency">Timestamp ticks per second.</param>
    public TokenBucket(double rate, double burst, long now, long frequency)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(rate);
        ArgumentOutOfRangeException.ThrowIfLessThan(burst, 1);
        _rate = rate / frequency;
        _burst = burst;
        _tokens = burst;
        _last = now;
    }

    /// <summary>Takes one token if there is one.</summary>
    public bool TryTake(long now)
    {
        _tokens = Math.Min(_burst, _tokens + (Math.Max(0, now - _last) * _rate));
        _last = now;
        if (_tokens < 1)
        {
            return false;
        }

        _tokens -= 1;
        return true;
    }
}
