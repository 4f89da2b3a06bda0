using Gateway.Sampling;

namespace Gateway.Tests.Sampling;

public class SensorHealthTests
{
    [Fact]
    public void A_healthy_sensor_is_read_every_interval_and_reports_no_change()
    {
        var health = new SensorHealth("env", TimeSpan.FromSeconds(5));
        Assert.Null(health.Succeeded());
        Assert.Equal(HealthState.Ok, health.State);
        Assert.Equal(TimeSpan.FromSeconds(5), health.NextDelay);
    }

    [Fact]
    public void Errors_move_ok_to_failing_to_failed_reporting_each_change_once()
    {
        var health = new SensorHealth("env", TimeSpan.FromSeconds(5));

        Assert.Equal(new HealthChange("env", HealthState.Failing, "NACK at 0x76"), health.Failed("NACK at 0x76"));
        Assert.Null(health.Failed("NACK at 0x76"));
        Assert.Equal(new HealthChange("env", HealthState.Failed, "NACK at 0x76"), health.Failed("NACK at 0x76"));
        Assert.Null(health.Failed("NACK at 0x76"));
        Assert.Equal(4, health.TotalErrors);
    }

    [Fact]
    public void Retries_back_off_exponentially_up_to_the_cap()
    {
        var health = new SensorHealth("env", TimeSpan.FromSeconds(5));
        var delays = new List<TimeSpan>();
        for (var i = 0; i < 10; i++)
        {
            health.Failed("timeout");
            delays.Add(health.NextDelay);
        }

        Assert.Equal(
            [5, 10, 20, 40, 80, 160, 300, 300, 300, 300],
            delays.Select(d => (int)d.TotalSeconds));
    }

    [Fact]
    public void A_success_after_failures_reports_recovery_and_restores_the_interval()
    {
        var health = new SensorHealth("env", TimeSpan.FromSeconds(5));
        health.Failed("x");
        health.Failed("x");
        health.Failed("x");

        Assert.Equal(new HealthChange("env", HealthState.Ok, "recovered"), health.Succeeded());
        Assert.Equal(TimeSpan.FromSeconds(5), health.NextDelay);
        Assert.Null(health.LastError);
    }

    [Fact]
    public void A_long_interval_is_never_shortened_by_the_backoff_cap()
    {
        var health = new SensorHealth("slow", TimeSpan.FromMinutes(15));
        health.Failed("x");
        Assert.Equal(TimeSpan.FromMinutes(15), health.NextDelay);
    }
}
