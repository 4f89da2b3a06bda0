namespace Gateway.Links;

/// <summary>
/// Reconnect delays: exponential with full jitter (a uniformly random delay between zero and min(cap, base·2^attempt)),
/// so that many gateways that lost the same upstream do not come back in lockstep. Pure given the random source.
/// </summary>
internal sealed class Backoff
{
    private readonly TimeSpan _base;
    private readonly TimeSpan _cap;
    private readonly Random _random;

    /// <summary>Creates a backoff.</summary>
    public Backoff(TimeSpan @base, TimeSpan cap, Random random)
    {
        _base = @base;
        _cap = cap;
        _random = random;
    }

    /// <summary>Failed attempts since the last success.</summary>
    public int Attempt { get; private set; }

    /// <summary>The largest delay the next attempt may get.</summary>
    public TimeSpan Ceiling => TimeSpan.FromTicks((long)Math.Min(_cap.Ticks, _base.Ticks * Math.Pow(2, Math.Min(Attempt, 30))));

    /// <summary>The delay before the next attempt, and counts the failure.</summary>
    public TimeSpan Next()
    {
        var ceiling = Ceiling;
        Attempt++;
        return TimeSpan.FromTicks((long)(_random.NextDouble() * ceiling.Ticks));
    }

    /// <summary>A connection succeeded: start over.</summary>
    public void Reset() => Attempt = 0;
}
