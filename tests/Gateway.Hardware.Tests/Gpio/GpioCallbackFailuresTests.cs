using Gateway.Hardware.Gpio;

namespace Gateway.Hardware.Tests.Gpio;

/// <summary>Which failures of a line's edge callbacks are reported: the 1st, 10th, 100th … (the rest only counted).</summary>
public sealed class GpioCallbackFailuresTests
{
    [Fact]
    public void The_1st_10th_100th_and_each_later_power_of_ten_are_reported_and_nothing_in_between()
    {
        var reported = Enumerable.Range(0, 100_001).Where(n => GpioCallbackFailures.IsReported(n)).ToArray();

        Assert.Equal([1, 10, 100, 1_000, 10_000, 100_000], reported);
    }

    [Theory]
    [InlineData(1, 10)]
    [InlineData(9, 10)]
    [InlineData(10, 100)]
    [InlineData(150, 1_000)]
    public void The_next_report_is_at_the_next_power_of_ten(long failures, long next)
        => Assert.Equal(next, GpioCallbackFailures.NextReport(failures));

    [Fact]
    public void Failures_are_counted_per_line()
    {
        var failures = new GpioCallbackFailures();

        Assert.Equal(1, failures.Record(17));
        Assert.Equal(2, failures.Record(17));
        Assert.Equal(1, failures.Record(27));

        Assert.Equal((2L, 1L, 0L), (failures.Count(17), failures.Count(27), failures.Count(4)));
    }
}
