using Gateway.Links;

namespace Gateway.Tests.Links;

public class BackoffTests
{
    [Fact]
    public void The_ceiling_doubles_per_failure_up_to_the_cap_and_resets_on_success()
    {
        var backoff = new Backoff(TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(30), new Random(1));
        var ceilings = new List<double>();
        for (var i = 0; i < 9; i++)
        {
            ceilings.Add(backoff.Ceiling.TotalSeconds);
            backoff.Next();
        }

        Assert.Equal([0.5, 1, 2, 4, 8, 16, 30, 30, 30], ceilings);
        backoff.Reset();
        Assert.Equal(0.5, backoff.Ceiling.TotalSeconds);
    }

    [Fact]
    public void Delays_are_spread_over_the_whole_range_below_the_ceiling()
    {
        var backoff = new Backoff(TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(30), new Random(7));
        var delays = Enumerable.Range(0, 1000).Select(_ => backoff.Next().TotalSeconds).ToList();

        Assert.All(delays, d => Assert.InRange(d, 0, 30));
        Assert.InRange(delays.Average(), 13.5, 16.5); // full jitter: uniform on [0, 30)
        Assert.True(delays.Min() < 1 && delays.Max() > 29);
    }
}
