using Gateway.Console.Upstream;

namespace Gateway.Console.Tests.Unit;

public sealed class RateMeterTests
{
    [Fact]
    public void The_rate_is_the_average_over_the_last_ten_whole_seconds()
    {
        var meter = new RateMeter();
        for (long second = 100; second < 110; second++)
        {
            meter.Add(second, 5);
        }

        Assert.Equal(5.0, meter.Rate(110));
        Assert.Equal(4.5, meter.Rate(111)); // second 100 has left the window
    }

    [Fact]
    public void The_current_second_does_not_count_until_it_is_over()
    {
        var meter = new RateMeter();
        meter.Add(50, 30);

        Assert.Equal(0.0, meter.Rate(50));
        Assert.Equal(3.0, meter.Rate(51));
    }

    [Fact]
    public void After_a_long_silence_the_rate_is_zero()
    {
        var meter = new RateMeter();
        meter.Add(10, 100);

        Assert.Equal(0.0, meter.Rate(1000));
        meter.Add(1000, 10);
        Assert.Equal(1.0, meter.Rate(1001));
    }
}
