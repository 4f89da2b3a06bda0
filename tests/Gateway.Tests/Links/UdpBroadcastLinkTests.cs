using System.Net;
using System.Net.Sockets;
using Gateway.Configuration;
using Gateway.Links;
using Gateway.Outbox;
using Gateway.Protocol;
using Gateway.Protocol.Transport;
using Gateway.Sampling;
using Gateway.Status;
using Microsoft.Extensions.Logging.Abstractions;
using OutboxStore = Gateway.Outbox.Outbox;

namespace Gateway.Tests.Links;

/// <summary>The UDP broadcast link's session: a receiving socket on loopback, a real outbox, the link's clock faked.</summary>
public sealed class UdpBroadcastLinkTests : IAsyncDisposable
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);
    private readonly string _dir = Directory.CreateTempSubdirectory("gw-udplink-").FullName;
    private readonly WatchedTime _time = new();
    private readonly RecordingLogger _log = new();
    private readonly OutboxStore _outbox;
    private readonly UdpClient _receiver = new(new IPEndPoint(IPAddress.Loopback, 0));

    public UdpBroadcastLinkTests()
    {
        _outbox = new OutboxStore(new OutboxOptions { Path = Path.Combine(_dir, "gateway.db"), CommitInterval = TimeSpan.FromMilliseconds(20) }, TimeProvider.System, NullLogger<OutboxStore>.Instance);
        _outbox.Start();
    }

    public async ValueTask DisposeAsync()
    {
        _receiver.Dispose();
        await _outbox.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private int Port => ((IPEndPoint)_receiver.Client.LocalEndPoint!).Port;

    private UdpBroadcastLink Link(string host = "127.0.0.1") => new(
        new UdpLinkOptions { Endpoint = new HostEndpoint(host, Port), BeaconInterval = TimeSpan.FromSeconds(5) },
        new GatewayOptions { DeviceId = "pi-01", StateDirectory = _dir },
        _outbox,
        new StatusBoard(),
        new ListenerDirectory(),
        new RecordingLogger<UdpBroadcastLink>(_log),
        _time);

    private async Task StoreAsync(int count, int first)
    {
        for (var i = 0; i < count; i++)
        {
            _outbox.Accept(new SampledReading("env", "temperature", first + i, "Cel", DateTimeOffset.UtcNow));
        }

        await _outbox.WaitForCommitAsync(_outbox.LastCommitted + count - 1, Token).WaitAsync(Bound, Token);
    }

    private async Task<Message> ReceiveAsync()
    {
        var datagram = await _receiver.ReceiveAsync(Token).AsTask().WaitAsync(Bound, Token);
        return MessageParser.Parse(datagram.Buffer);
    }

    [Fact]
    public async Task It_beacons_at_once_and_then_every_interval_on_its_clock_and_sends_new_readings_live_but_not_the_backlog()
    {
        await StoreAsync(3, first: 100); // stored before the link started: a live link does not send them
        using var link = Link();
        await link.StartAsync(Token);

        var beacon = Assert.IsType<BeaconMessage>(await ReceiveAsync());
        Assert.Equal("pi-01", beacon.Device);
        await StoreAsync(2, first: 200);
        Assert.Equal(200, Assert.IsType<ReadingMessage>(await ReceiveAsync()).Value);
        Assert.Equal(201, Assert.IsType<ReadingMessage>(await ReceiveAsync()).Value);

        // The next beacon comes when the link's clock says so, not before.
        Assert.Equal(0, _receiver.Available);
        _time.Fake.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal(5, Assert.IsType<BeaconMessage>(await ReceiveAsync()).UptimeSeconds);
        await link.StopAsync(Token);

        Assert.Equal("up", link.State);
        Assert.Equal("udp", link.Kind);
        Assert.Equal(0, link.Skipped);
    }

    [Fact]
    public async Task A_host_that_does_not_resolve_is_an_outage_retried_on_the_links_clock()
    {
        using var link = Link("no-such-host.invalid");
        await link.StartAsync(Token);
        await _time.TimerSet.WaitAsync(Bound, Token); // the backoff
        await link.StopAsync(Token);

        Assert.Equal("backing off", link.State);
        Assert.NotNull(link.LastError);
        Assert.Contains(_log.Lines, l => l.Text.Contains("Link udp to no-such-host.invalid:", StringComparison.Ordinal) && l.Text.Contains("down", StringComparison.Ordinal));
    }
}
