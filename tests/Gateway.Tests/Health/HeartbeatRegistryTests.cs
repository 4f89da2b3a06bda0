using Gateway.Health;
using Microsoft.Extensions.Time.Testing;

namespace Gateway.Tests.Health;

public class HeartbeatRegistryTests
{
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public void A_registry_without_heartbeats_is_never_stale()
    {
        var registry = new HeartbeatRegistry(_time);
        _time.Advance(TimeSpan.FromHours(1));
        Assert.False(registry.TryFindStale(TimeSpan.FromSeconds(1), out _, out _));
    }

    [Fact]
    public void A_heartbeat_that_keeps_beating_stays_fresh()
    {
        var registry = new HeartbeatRegistry(_time);
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
        var registry = new HeartbeatRegistry(_time);
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
        var registry = new HeartbeatRegistry(_time);
        var pipeline = registry.Register("pipeline");
        pipeline.Dispose();
        _time.Advance(TimeSpan.FromMinutes(1));
        Assert.False(registry.TryFindStale(TimeSpan.FromSeconds(1), out _, out _));
    }
}
