using System.Net;
using Gateway.Web;

namespace Gateway.WebTests;

/// <summary>One log line per address per interval and a count of the rest: nothing dropped, nothing flooded.</summary>
public sealed class PeerEventSummaryTests
{
    [Fact]
    public void The_first_event_per_address_is_logged_and_the_rest_are_counted_until_the_interval_ends()
    {
        var summary = new PeerEventSummary();
        var a = IPAddress.Parse("192.0.2.1");
        var b = IPAddress.Parse("192.0.2.2");
        Assert.True(summary.Record(a));
        Assert.False(summary.Record(a));
        Assert.False(summary.Record(IPAddress.Parse("::ffff:192.0.2.1")));
        Assert.True(summary.Record(b));
        Assert.Equal([("192.0.2.1", 2)], summary.Flush());
        Assert.True(summary.Record(a)); // a new interval
        Assert.Empty(summary.Flush());
    }

    [Fact]
    public void Beyond_the_bound_addresses_are_counted_together()
    {
        var summary = new PeerEventSummary();
        for (var i = 0; i < PeerEventSummary.MaxAddresses + 10; i++)
        {
            summary.Record(new IPAddress(BitConverter.GetBytes(0x0A000000 + i)));
        }

        Assert.Equal((PeerEventSummary.OtherAddresses, 10), Assert.Single(summary.Flush()));
    }
}
