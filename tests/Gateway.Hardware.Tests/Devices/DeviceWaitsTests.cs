using Gateway.Hardware.Devices;

namespace Gateway.Hardware.Tests.Devices;

/// <summary>The bindings' conversion waits: never shorter than asked, whatever the timers do.</summary>
public sealed class DeviceWaitsTests
{
    [Fact]
    public async Task A_wait_lasts_its_full_time_even_when_timers_fire_early()
    {
        var clock = new EarlyTimerClock(TimeSpan.FromMilliseconds(4));
        var start = clock.GetTimestamp();

        await DeviceWaits.Delay(TimeSpan.FromMilliseconds(15.5), clock, TestContext.Current.CancellationToken); // SHT3x high repeatability, max

        var waited = clock.GetElapsedTime(start);
        Assert.True(waited >= TimeSpan.FromMilliseconds(15.5), $"waited {waited.TotalMilliseconds} ms");
        Assert.True(clock.Timers > 1, "the early timer should have been followed by a wait for the rest");
    }

    [Fact]
    public async Task A_wait_on_timers_that_keep_time_takes_one_timer_of_the_rounded_up_time()
    {
        var clock = new EarlyTimerClock(TimeSpan.Zero);
        var start = clock.GetTimestamp();

        await DeviceWaits.Delay(TimeSpan.FromMilliseconds(9.3), clock, TestContext.Current.CancellationToken);

        Assert.Equal(TimeSpan.FromMilliseconds(10), clock.GetElapsedTime(start));
        Assert.Equal(1, clock.Timers);
    }

    [Fact]
    public async Task A_cancelled_wait_ends_with_cancellation()
    {
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => DeviceWaits.Delay(TimeSpan.FromMilliseconds(5), new EarlyTimerClock(TimeSpan.Zero), cancelled.Token));
    }

    /// <summary>
    /// A clock whose time moves only when a timer fires, and whose timers fire <c>early</c> before their time (at most
    /// half of it), as .NET's timer queue does on Linux, where it counts a coarse millisecond tick.
    /// </summary>
    private sealed class EarlyTimerClock(TimeSpan early) : TimeProvider
    {
        private long _ticks;
        private int _timers;

        public int Timers => Volatile.Read(ref _timers);

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => Interlocked.Read(ref _ticks);

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            Interlocked.Increment(ref _timers);
            var fireAfter = dueTime - TimeSpan.FromTicks(Math.Min(early.Ticks, dueTime.Ticks / 2));
            ThreadPool.QueueUserWorkItem(_ =>
            {
                Interlocked.Add(ref _ticks, fireAfter.Ticks);
                callback(state);
            });
            return new NoTimer();
        }

        private sealed class NoTimer : ITimer
        {
            public bool Change(TimeSpan dueTime, TimeSpan period) => true;

            public void Dispose()
            {
            }

            public ValueTask DisposeAsync() => ValueTask.CompletedTask;
        }
    }
}
