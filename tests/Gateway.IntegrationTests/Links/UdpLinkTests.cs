using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Gateway.IntegrationTests.Infrastructure;
using Gateway.Protocol;

namespace Gateway.IntegrationTests.Links;

/// <summary>The UDP broadcast link, received by a real socket on loopback.</summary>
public sealed class UdpLinkTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData("127.255.255.255")] // the loopback network's broadcast address (SO_BROADCAST)
    [InlineData("127.0.0.1")]
    public async Task Readings_and_beacons_arrive_as_single_datagrams_within_the_size_limit(string address)
    {
        using var receiver = new UdpClient(new IPEndPoint(IPAddress.Any, 0));
        var port = ((IPEndPoint)receiver.Client.LocalEndPoint!).Port;
        using var gateway = GatewayProcess.Start(_dir.Path,
        [
            "--Gateway:DeviceId=udp-01",
            "--Gateway:Sampling:Interval=100ms",
            $"--Gateway:Upstream:Udp:Endpoint={address}:{port}",
            "--Gateway:Upstream:Udp:BeaconInterval=1s",
            "--Gateway:Listener:Tcp=127.0.0.1:0",
            "--Gateway:Listener:Http=127.0.0.1:0",
        ]);

        var beacons = new List<TimeSpan>();
        var advertised = new HashSet<string>();
        var readings = 0;
        var clock = Stopwatch.StartNew();
        using var limit = new CancellationTokenSource(Timeout);
        while (beacons.Count < 3 || readings < 50)
        {
            var datagram = await receiver.ReceiveAsync(limit.Token);
            Assert.InRange(datagram.Buffer.Length, 1, ProtocolInfo.MaxDatagram);
            switch (MessageParser.Parse(datagram.Buffer))
            {
                case BeaconMessage b:
                    Assert.Equal("udp-01", b.Device);
                    beacons.Add(clock.Elapsed);
                    advertised.UnionWith(b.Listeners);
                    break;
                case ReadingMessage r:
                    Assert.Equal("udp-01", r.Device);
                    readings++;
                    break;
                case EventMessage:
                    break;
                case var other:
                    Assert.Fail($"unexpected datagram: {other}");
                    break;
            }
        }

        // On schedule: about one beacon a second.
        var gaps = beacons.Zip(beacons.Skip(1), (a, b) => (b - a).TotalSeconds).ToList();
        Assert.All(gaps, g => Assert.InRange(g, 0.5, 2.0));

        // The beacon says where consoles can connect: the TCP listener's bound address, and the web console's.
        var listening = await gateway.WaitForLineAsync("Listener tcp listening on ", Timeout);
        Assert.Contains($"tcp://{listening[(listening.LastIndexOf(' ') + 1)..].Trim()}", advertised);
        var console = await gateway.WaitForLineAsync("Web console on http://", Timeout);
        var url = console[console.IndexOf("http://", StringComparison.Ordinal)..].Split(' ')[0];
        Assert.Contains(url, advertised);

        // Like the other links, it says at start where it sends and how often it beacons.
        await gateway.WaitForLineAsync($"Link udp up: sending readings and events live (best effort, no acks) and a beacon every 1s to {address}:{port}", Timeout);

        gateway.Signal(Signals.SIGTERM);
        Assert.Equal(0, await gateway.WaitForExitAsync(Timeout));
    }

    [Fact]
    public async Task A_udp_host_that_does_not_resolve_is_an_outage_the_link_retries_and_the_gateway_stays_up()
    {
        // No DNS yet at boot, or a typo: on main the link's exception stopped the whole gateway (exit 1, and systemd's
        // restarts ran into it again). It is an outage of that link: said, retried with backoff, nothing else stops.
        using var gateway = GatewayProcess.Start(_dir.Path,
        [
            "--Gateway:DeviceId=udp-02",
            "--Gateway:Sampling:Interval=100ms",
            "--Gateway:Upstream:Udp:Endpoint=no-such-host.invalid:7002",
        ]);

        var down = await gateway.WaitForLineAsync("Link udp to no-such-host.invalid:7002 down: ", Timeout);
        await Task.Delay(TimeSpan.FromSeconds(2), TestContext.Current.CancellationToken);
        Assert.False(gateway.HasExited, $"the gateway stopped:\n{gateway.Output}");
        Assert.Contains("reconnecting in", down, StringComparison.Ordinal);

        gateway.Signal(Signals.SIGTERM);
        Assert.Equal(0, await gateway.WaitForExitAsync(Timeout));
    }
}
