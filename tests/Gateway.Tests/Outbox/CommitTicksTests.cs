using Gateway.Outbox;

namespace Gateway.Tests.Outbox;

public sealed class CommitTicksTests
{
    private const long Frequency = 1_000_000_000; // nanoseconds, as Stopwatch on Linux
    private static readonly CommitTicks Ticks = new(Origin: 5_000, Interval: TimeSpan.FromMilliseconds(100), Frequency);

    private static long At(double milliseconds) => 5_000 + (long)(milliseconds * 1_000_000);

    [Theory]
    [InlineData(0, 100)]      // on a tick: the whole interval to the next
    [InlineData(30, 70)]
    [InlineData(99.5, 0.5)]
    [InlineData(250, 50)]     // after a long sleep: still the next tick of the same grid
    [InlineData(3_600_000.25, 99.75)]
    public void The_next_tick_is_the_next_multiple_of_the_interval_from_the_start(double now, double expected) =>
        Assert.Equal(expected, Ticks.UntilNext(At(now)).TotalMilliseconds, 6);

    [Fact]
    public void A_reading_never_waits_longer_than_one_interval()
    {
        for (var now = 0.0; now < 1_000; now += 7.3)
        {
            Assert.InRange(Ticks.UntilNext(At(now)), TimeSpan.Zero, TimeSpan.FromMilliseconds(100));
        }
    }
}
