namespace Gateway.Tests.Infrastructure;

/// <summary>
/// A clock that counts the timers made on it and how often they call back: each call is a wake-up of the process
/// (issue 15's idle-CPU tests). Everything else is the inner clock's. Also linked into Gateway.FirmwareSim.Tests.
/// </summary>
internal sealed class CountingClock(TimeProvider inner) : TimeProvider
{
    private int _callbacks;
    private int _created;

    public int TimerCallbacks => Volatile.Read(ref _callbacks);

    public int TimersCreated => Volatile.Read(ref _created);

    public override DateTimeOffset GetUtcNow() => inner.GetUtcNow();

    public override long GetTimestamp() => inner.GetTimestamp();

    public override long TimestampFrequency => inner.TimestampFrequency;

    public override TimeZoneInfo LocalTimeZone => inner.LocalTimeZone;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        Interlocked.Increment(ref _created);
        return inner.CreateTimer(
            s =>
            {
                Interlocked.Increment(ref _callbacks);
                callback(s);
            },
            state,
            dueTime,
            period);
    }
}
