using System.Net;
using Gateway.Links;

namespace Gateway.Tests.Links;

public class ConnectionLimiterTests
{
    private static readonly IPAddress A = IPAddress.Parse("192.0.2.1");
    private static readonly IPAddress B = IPAddress.Parse("192.0.2.2");

    [Fact]
    public void One_address_gets_at_most_its_share_and_another_address_still_gets_in()
    {
        var limiter = new ConnectionLimiter(maxConnections: 16, maxPerAddress: 2);

        Assert.NotNull(limiter.TryAcquire(A, out _));
        var second = limiter.TryAcquire(A, out _);
        Assert.NotNull(second);
        Assert.Null(limiter.TryAcquire(A, out var refusal));
        Assert.Equal("at most 2 connections from one address", refusal);
        Assert.NotNull(limiter.TryAcquire(B, out _));

        second.Dispose();
        second.Dispose(); // a lease is released once
        Assert.NotNull(limiter.TryAcquire(A, out _));
        Assert.Equal(3, limiter.Count);
    }

    [Fact]
    public void The_total_caps_every_address_together()
    {
        var limiter = new ConnectionLimiter(maxConnections: 2, maxPerAddress: 2);

        Assert.NotNull(limiter.TryAcquire(A, out _));
        Assert.NotNull(limiter.TryAcquire(B, out _));
        Assert.Null(limiter.TryAcquire(IPAddress.Parse("192.0.2.3"), out var refusal));
        Assert.Equal("at most 2 connections", refusal);
    }

    [Fact]
    public void An_ipv4_peer_seen_as_an_ipv4_mapped_ipv6_address_is_the_same_address()
    {
        var limiter = new ConnectionLimiter(maxConnections: 16, maxPerAddress: 1);

        Assert.NotNull(limiter.TryAcquire(A, out _));
        Assert.Null(limiter.TryAcquire(A.MapToIPv6(), out _));
    }
}
