using Gateway.Sampling;

namespace Gateway.Tests.Sampling;

public class ReportFilterTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 23, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Without_a_deadband_every_value_is_reported()
    {
        var filter = new ReportFilter(new Dictionary<string, double>(), TimeSpan.FromMinutes(1));
        Assert.True(filter.ShouldReport("temperature", 20, T0));
        Assert.True(filter.ShouldReport("temperature", 20, T0.AddSeconds(1)));
    }

    [Fact]
    public void Changes_smaller_than_the_deadband_are_held_back_and_counted()
    {
        var filter = new ReportFilter(new Dictionary<string, double> { ["temperature"] = 0.5 }, TimeSpan.FromMinutes(10));

        Assert.True(filter.ShouldReport("temperature", 20.0, T0));
        Assert.False(filter.ShouldReport("temperature", 20.4, T0.AddSeconds(5)));
        Assert.False(filter.ShouldReport("temperature", 19.6, T0.AddSeconds(10)));
        Assert.True(filter.ShouldReport("temperature", 20.5, T0.AddSeconds(15)));  // 0.5 from the last reported 20.0
        Assert.False(filter.ShouldReport("temperature", 20.2, T0.AddSeconds(20))); // 0.3 from the last reported 20.5
        Assert.Equal(3, filter.Suppressed);
    }

    [Fact]
    public void A_slow_drift_within_the_deadband_is_measured_from_the_last_reported_value_not_the_last_seen()
    {
        var filter = new ReportFilter(new Dictionary<string, double> { ["temperature"] = 0.5 }, TimeSpan.FromHours(1));
        Assert.True(filter.ShouldReport("temperature", 20.0, T0));
        Assert.False(filter.ShouldReport("temperature", 20.2, T0.AddSeconds(1)));
        Assert.False(filter.ShouldReport("temperature", 20.4, T0.AddSeconds(2)));
        Assert.True(filter.ShouldReport("temperature", 20.6, T0.AddSeconds(3)));
    }

    [Fact]
    public void After_max_silence_the_value_is_reported_anyway()
    {
        var filter = new ReportFilter(new Dictionary<string, double> { ["humidity"] = 5 }, TimeSpan.FromMinutes(1));
        Assert.True(filter.ShouldReport("humidity", 40, T0));
        Assert.False(filter.ShouldReport("humidity", 41, T0.AddSeconds(59)));
        Assert.True(filter.ShouldReport("humidity", 41, T0.AddSeconds(60)));
        Assert.False(filter.ShouldReport("humidity", 41, T0.AddSeconds(61)));
    }

    [Fact]
    public void Quantities_are_filtered_independently()
    {
        var filter = new ReportFilter(new Dictionary<string, double> { ["temperature"] = 1, ["pressure"] = 50 }, TimeSpan.FromHours(1));
        Assert.True(filter.ShouldReport("temperature", 20, T0));
        Assert.True(filter.ShouldReport("pressure", 100_000, T0));
        Assert.True(filter.ShouldReport("temperature", 21, T0.AddSeconds(1)));
        Assert.False(filter.ShouldReport("pressure", 100_030, T0.AddSeconds(1)));
        Assert.True(filter.ShouldReport("humidity", 50, T0.AddSeconds(1))); // no deadband configured
    }

    [Fact]
    public void After_a_reset_the_next_value_is_reported()
    {
        var filter = new ReportFilter(new Dictionary<string, double> { ["temperature"] = 1 }, TimeSpan.FromHours(1));
        Assert.True(filter.ShouldReport("temperature", 20, T0));
        filter.Reset();
        Assert.True(filter.ShouldReport("temperature", 20, T0.AddSeconds(1)));
    }
}
