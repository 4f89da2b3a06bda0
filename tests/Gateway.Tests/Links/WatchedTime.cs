using Microsoft.Extensions.Time.Testing;

namespace Gateway.Tests.Links;

/// <summary>A fake clock that says when a timer is set on it (the backoff's wait), so a test advances it only then.</summary>
internal sealed class WatchedTime : TimeProvider
{
    public FakeTimeProvider Fake { get; } = new(new DateTimeOffset(2026, 12, 7, 12, 0, 0, TimeSpan.Zero));

    public SemaphoreSlim TimerSet { get; } = new(0);

    public override DateTimeOffset GetUtcNow() => Fake.GetUtcNow();

    public override long GetTimestamp() => Fake.GetTimestamp();

    public override long TimestampFrequency => Fake.TimestampFrequency;

    public override TimeZoneInfo LocalTimeZone => Fake.LocalTimeZone;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = Fake.CreateTimer(callback, state, dueTime, period);
        if (dueTime != Timeout.InfiniteTimeSpan)
        {
            TimerSet.Release();
        }

        return timer;
    }
}
