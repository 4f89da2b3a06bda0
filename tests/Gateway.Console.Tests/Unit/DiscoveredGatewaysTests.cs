using System.Net;
using Gateway.Console.Discovery;
using Gateway.Protocol;

namespace Gateway.Console.Tests.Unit;

public sealed class DiscoveredGatewaysTests
{
    private static readonly DateTimeOffset At = new(2026, 11, 23, 9, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Beacons_of_one_device_make_one_entry_with_the_latest_facts()
    {
        var found = new DiscoveredGateways();
        found.Add(new BeaconMessage("pi-01", "0.1.0", 10, ["tcp://127.0.0.1:7000"]), IPAddress.Loopback, At);
        found.Add(new BeaconMessage("pi-01", "0.1.0", 15, ["tcp://127.0.0.1:7000"]), IPAddress.Loopback, At.AddSeconds(5));
        found.Add(new BeaconMessage("a-02", "0.2.0", 3, []), IPAddress.Parse("192.0.2.7"), At);

        var all = found.All;

        Assert.Equal(["a-02", "pi-01"], all.Select(g => g.Device));
        var pi = all[1];
        Assert.Equal(15, pi.Uptime);
        Assert.Equal(2, pi.Beacons);
        Assert.Equal("127.0.0.1", pi.Address);
        Assert.Equal(At.AddSeconds(5), pi.LastSeen);
    }

    [Theory]
    [InlineData("tcp://0.0.0.0:7000", "192.0.2.7", "tcp://192.0.2.7:7000")]
    [InlineData("ws://0.0.0.0:7001/ws", "192.0.2.7", "ws://192.0.2.7:7001/ws")]
    [InlineData("udp://[::]:7002", "2001:db8::7", "udp://[2001:db8::7]:7002")]
    [InlineData("tcp://127.0.0.1:7000", "192.0.2.7", "tcp://127.0.0.1:7000")]
    public void A_listener_on_every_address_is_shown_at_the_address_the_beacon_came_from(string advertised, string sender, string shown)
    {
        Assert.Equal(shown, DiscoveredGateways.Reachable(advertised, sender));
    }

    [Fact]
    public void A_flood_of_forged_device_ids_is_bounded()
    {
        var found = new DiscoveredGateways();
        for (var i = 0; i < DiscoveredGateways.MaxDevices + 50; i++)
        {
            found.Add(new BeaconMessage($"d-{i}", "x", 0, []), IPAddress.Loopback, At);
        }

        Assert.Equal(DiscoveredGateways.MaxDevices, found.All.Count);
    }
}
