using Gateway.Hardware.Devices.DigitalInput;

namespace Gateway.Hardware.Tests.Devices;

public class PulseRateCalculatorTests
{
    private const long Second = 1_000_000_000;

    [Fact]
    public void A_steady_half_hertz_pulse_train_reads_exactly_half_a_hertz_in_every_ten_second_window()
    {
        // Pulses every 2 s starting at 0.7 s; windows of 10 s hold 4 or 5 pulses, which counting per window would
        // turn into 0.4 or 0.5 Hz. Reciprocal counting times the periods between the window's edges instead.
        var calc = new PulseRateCalculator();
        var pulse = 0.7;
        for (var window = 1; window <= 6; window++)
        {
            for (; pulse < window * 10; pulse += 2)
            {
                calc.Record((long)(pulse * Second));
            }

            Assert.Equal(0.5, calc.TakeRate(TimeSpan.FromSeconds(10)), 9);
        }
    }

    [Fact]
    public void Edges_lost_between_two_seen_edges_still_count_as_periods()
    {
        var calc = new PulseRateCalculator();
        calc.Record(0);
        calc.Record(1 * Second / 10);
        calc.Record(4 * Second / 10, droppedBefore: 2); // 0.2 s and 0.3 s were lost
        calc.Record(5 * Second / 10);

        Assert.Equal(10.0, calc.TakeRate(TimeSpan.FromSeconds(1)), 9);
    }

    [Fact]
    public void Edges_lost_before_the_windows_first_edge_belong_to_the_previous_window()
    {
        var calc = new PulseRateCalculator();
        calc.Record(10 * Second, droppedBefore: 5);
        calc.Record(11 * Second);

        Assert.Equal(1.0, calc.TakeRate(TimeSpan.FromSeconds(5)), 9);
    }

    [Fact]
    public void A_window_with_one_edge_has_no_period_to_time_and_uses_the_window_length()
    {
        var calc = new PulseRateCalculator();
        calc.Record(3 * Second);
        Assert.Equal(1, calc.EdgesInWindow);
        Assert.Equal(0.25, calc.TakeRate(TimeSpan.FromSeconds(4)), 9);
    }

    [Fact]
    public void A_window_without_edges_is_zero_and_taking_a_rate_starts_a_new_window()
    {
        var calc = new PulseRateCalculator();
        calc.Record(0);
        calc.Record(Second);
        Assert.Equal(1.0, calc.TakeRate(TimeSpan.FromSeconds(2)));
        Assert.Equal(0, calc.EdgesInWindow);
        Assert.Equal(0.0, calc.TakeRate(TimeSpan.FromSeconds(2)));
        Assert.Equal(0.0, calc.TakeRate(TimeSpan.Zero));
    }

    [Fact]
    public void Timestamps_that_do_not_advance_fall_back_to_edges_per_window()
    {
        var calc = new PulseRateCalculator();
        calc.Record(5 * Second);
        calc.Record(5 * Second);
        Assert.Equal(1.0, calc.TakeRate(TimeSpan.FromSeconds(2)), 9);
    }

    [Fact]
    public void A_negative_number_of_lost_edges_is_refused()
        => Assert.Throws<ArgumentOutOfRangeException>(() => new PulseRateCalculator().Record(0, -1));
}
