using Gateway.Sampling;

namespace Gateway.Tests.Sampling;

public class SensorScheduleTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 23, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Slots_stay_on_the_grid_however_long_each_read_takes()
    {
        var schedule = new SensorSchedule(T0, TimeSpan.FromSeconds(5));
        // A day of reads that each take 37 ms: slot k stays at exactly T0 + 5 s·k.
        for (var k = 1; k <= 17_280; k++)
        {
            var now = schedule.Due + TimeSpan.FromMilliseconds(37);
            Assert.Equal(T0 + TimeSpan.FromSeconds(5 * k), schedule.Advance(now));
        }

        Assert.Equal(0, schedule.Skipped);
        Assert.Equal(T0 + TimeSpan.FromDays(1), schedule.Due);
    }

    [Fact]
    public void A_read_that_overruns_skips_the_missed_slots_and_counts_them()
    {
        var schedule = new SensorSchedule(T0, TimeSpan.FromSeconds(1));
        var next = schedule.Advance(T0 + TimeSpan.FromSeconds(3.5)); // the read of slot 0 took 3.5 s

        Assert.Equal(T0 + TimeSpan.FromSeconds(4), next);
        Assert.Equal(3, schedule.Skipped); // slots 1, 2, 3
    }

    [Fact]
    public void A_read_that_ends_exactly_on_a_slot_boundary_takes_that_slot()
    {
        var schedule = new SensorSchedule(T0, TimeSpan.FromSeconds(1));
        Assert.Equal(T0 + TimeSpan.FromSeconds(2), schedule.Advance(T0 + TimeSpan.FromSeconds(2)));
        Assert.Equal(1, schedule.Skipped);
    }

    [Fact]
    public void Backoff_moves_to_the_first_slot_not_before_the_retry_time()
    {
        var schedule = new SensorSchedule(T0, TimeSpan.FromSeconds(5));
        Assert.Equal(T0 + TimeSpan.FromSeconds(20), schedule.Advance(T0 + TimeSpan.FromSeconds(16)));
        Assert.Equal(3, schedule.Skipped);
        Assert.Equal(T0 + TimeSpan.FromSeconds(25), schedule.Advance(T0 + TimeSpan.FromSeconds(20)));
    }
}
