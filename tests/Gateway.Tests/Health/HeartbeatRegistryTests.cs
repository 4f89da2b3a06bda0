using Gateway.Health;
using Microsoft.Extensions.Time.Testing;

namespace Gateway.Tests.Health;

public class HeartbeatRegistryTests
{
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public void A_registry_without_heartbeats_is_never_stale()
    {
        var registry = new HeartbeatRegistry(_time, TimeSpan.FromSeconds(10));
        _time.Advance(TimeSpan.FromHours(1));
        Assert.False(registry.TryFindStale(TimeSpan.FromSeconds(1), out _, out _));
    }

    [Fact]
    public void A_heartbeat_that_keeps_beating_stays_fresh()
    {
        var registry = new HeartbeatRegistry(_time, TimeSpan.FromSeconds(10));
        using var pipeline = registry.Register("pipeline");
        for (var i = 0; i < 10; i++)
        {
            _time.Advance(TimeSpan.FromSeconds(2));
            pipeline.Beat();
            Assert.False(registry.TryFindStale(TimeSpan.FromSeconds(3), out _, out _));
        }
    }

    [Fact]
    public void A_silent_heartbeat_goes_stale_after_the_timeout_and_is_named()
    {
        var registry = new HeartbeatRegistry(_time, TimeSpan.FromSeconds(10));
        using var pipeline = registry.Register("pipeline");
        using var links = registry.Register("links");

        _time.Advance(TimeSpan.FromSeconds(3));
        links.Beat();
        Assert.False(registry.TryFindStale(TimeSpan.FromSeconds(3), out _, out _));

        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.True(registry.TryFindStale(TimeSpan.FromSeconds(3), out var name, out var silentFor));
        Assert.Equal("pipeline", name);
        Assert.Equal(TimeSpan.FromSeconds(4), silentFor);
    }

    [Fact]
    public void A_disposed_heartbeat_no_longer_counts()
    {
        var registry = new HeartbeatRegistry(_time, TimeSpan.FromSeconds(10));
        var pipeline = registry.Register("pipeline");
        pipeline.Dispose();
        _time.Advance(TimeSpan.FromMinutes(1));
        Assert.False(registry.TryFindStale(TimeSpan.FromSeconds(1), out _, out _));
    }

    [Theory]
    [InlineData(10_000, 2_500)] // the default timeout: a beat every 2.5 s, three may be late before it is stale
    [InlineData(2_000, 500)]
    [InlineData(1_000, 250)] // the shortest timeout: beats no faster than 4 a second
    [InlineData(800, 250)]
    [InlineData(60_000, 5_000)] // a long timeout still beats every 5 s, so status and maintenance stay current
    public void Components_beat_a_quarter_of_the_heartbeat_timeout_apart_within_250_ms_and_5_s(int timeoutMs, int periodMs)
    {
        var registry = new HeartbeatRegistry(_time, TimeSpan.FromMilliseconds(timeoutMs));
        using var pipeline = registry.Register("pipeline");

        Assert.Equal(TimeSpan.FromMilliseconds(periodMs), registry.BeatPeriod);
        Assert.Equal(TimeSpan.FromMilliseconds(periodMs), pipeline.Period);
    }
}
