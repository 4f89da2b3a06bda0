using System.Net.WebSockets;
using System.Text;
using Gateway.Console.Tests.Infrastructure;
using Gateway.Console.Upstream;
using Gateway.Protocol;

namespace Gateway.Console.Tests.Sockets;

/// <summary>gwctl listen's upstream side on real loopback sockets, with stand-in gateways that behave and misbehave.</summary>
public sealed class ListenServerTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Readings_are_acknowledged_and_a_redelivery_is_recorded_only_once()
    {
        await using var listen = await ListenHarness.StartAsync(recordPath: _dir.File("out.ndjson"));
        await using var gw = await FakeGateway.ConnectAsync(listen.TcpPort);
        await gw.HelloAsync("pi-01");
        await gw.SendReadingsAsync("pi-01", 1, 50);
        Assert.Equal(50, (await gw.WaitForAckAsync(50)).Seq);

        await gw.SendReadingsAsync("pi-01", 1, 50); // at least once: after a reconnect the gateway resends from its cursor
        await gw.SendReadingsAsync("pi-01", 51, 60);
        await gw.WaitForAckAsync(60);

        var seqs = RecordedSeqs(_dir.File("out.ndjson"));
        Assert.Equal(Enumerable.Range(1, 60).Select(i => (long)i), seqs);
        var device = listen.Context.Book.Find("pi-01")!;
        Assert.Equal((60L, 50L, 0L, 0L), device.Totals());
        Assert.Equal(60, listen.Readings.Count);
    }

    [Fact]
    public async Task An_ack_never_runs_ahead_of_the_recording_on_disk()
    {
        var path = _dir.File("out.csv");
        await using var listen = await ListenHarness.StartAsync(recordPath: path);
        await using var gw = await FakeGateway.ConnectAsync(listen.TcpPort);
        await gw.HelloAsync("pi-01");

        for (var batch = 0; batch < 5; batch++)
        {
            var to = (batch + 1) * 100L;
            await gw.SendReadingsAsync("pi-01", to - 99, to);
            var ack = await gw.WaitForAckAsync(to);

            // Read the file the moment the ack arrives: every acknowledged seq is already there.
            var onDisk = File.ReadAllLines(path).Skip(1).Select(l => long.Parse(RecordLines.SplitCsv(l)[1], System.Globalization.CultureInfo.InvariantCulture)).ToHashSet();
            Assert.All(Enumerable.Range(1, (int)ack.Seq), seq => Assert.Contains(seq, onDisk));
        }
    }

    [Fact]
    public async Task Two_links_of_one_device_are_de_duplicated_across_tcp_and_websocket()
    {
        await using var listen = await ListenHarness.StartAsync(recordPath: _dir.File("out.ndjson"), webSocket: true);
        await using var tcp = await FakeGateway.ConnectAsync(listen.TcpPort);
        await using var ws = await FakeGateway.ConnectWebSocketAsync(listen.WebSocketUrl);
        await tcp.HelloAsync("pi-01");
        await ws.HelloAsync("pi-01");

        await tcp.SendReadingsAsync("pi-01", 1, 30);
        await ws.SendReadingsAsync("pi-01", 1, 40);
        await tcp.WaitForAckAsync(30);
        await ws.WaitForAckAsync(40);

        Assert.Equal(Enumerable.Range(1, 40).Select(i => (long)i), RecordedSeqs(_dir.File("out.ndjson")));
        Assert.Equal(30, listen.Context.Book.Find("pi-01")!.Totals().Duplicates);
        Assert.Equal(2, listen.Context.Book.Find("pi-01")!.Snapshot(0).Links.Count);
    }

    [Fact]
    public async Task Many_gateways_at_once_each_get_every_reading_acknowledged()
    {
        const int Gateways = 24;
        const int Readings = 200;
        await using var listen = await ListenHarness.StartAsync(recordPath: _dir.File("out.ndjson"));

        await Task.WhenAll(Enumerable.Range(0, Gateways).Select(async i =>
        {
            await using var gw = await FakeGateway.ConnectAsync(listen.TcpPort);
            await gw.HelloAsync($"gw-{i:00}");
            for (var from = 1; from <= Readings; from += 50)
            {
                await gw.SendReadingsAsync($"gw-{i:00}", from, from + 49);
            }

            await gw.WaitForAckAsync(Readings);
        }));

        Assert.Equal(Gateways, listen.Context.Book.Devices.Count);
        Assert.Equal(Gateways * Readings, File.ReadAllLines(_dir.File("out.ndjson")).Length);
    }

    [Fact]
    public async Task A_peer_that_never_says_hello_is_told_and_dropped()
    {
        await using var listen = await ListenHarness.StartAsync(new ListenOptions { HelloTimeout = TimeSpan.FromMilliseconds(300) });
        await using var silent = await FakeGateway.ConnectAsync(listen.TcpPort);

        var messages = await silent.ReadToCloseAsync();

        Assert.Equal("hello_timeout", Assert.IsType<ErrorMessage>(Assert.Single(messages)).Code);
    }

    [Theory]
    [InlineData("""{"type":"reading","device":"pi-01","seq":1,"ts":"2026-11-23T09:00:00.000Z","sensor":"env","quantity":"t","value":1,"unit":""}""", "the first message must be hello")]
    [InlineData("""{"type":"hello","device":"bad id!","firmware":"x","protocol":1,"sensors":[],"nextSeq":1}""", "is not 1 to 64")]
    [InlineData("""{"type":"hello","device":"pi-01","firmware":"x","protocol":2,"sensors":[],"nextSeq":1}""", "protocol version 2")]
    [InlineData("not json", "malformed JSON")]
    public async Task A_connection_that_does_not_start_with_a_good_hello_is_refused(string first, string expected)
    {
        await using var listen = await ListenHarness.StartAsync();
        await using var peer = await FakeGateway.ConnectAsync(listen.TcpPort);
        await peer.SendLineAsync(first);

        var error = Assert.IsType<ErrorMessage>(Assert.Single(await peer.ReadToCloseAsync()));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bad_input_after_hello_gets_an_error_and_the_connection_stays()
    {
        await using var listen = await ListenHarness.StartAsync();
        await using var gw = await FakeGateway.ConnectAsync(listen.TcpPort);
        await gw.HelloAsync("pi-01");

        await gw.SendLineAsync("{not json");
        Assert.Equal(ErrorCodes.MalformedJson, Assert.IsType<ErrorMessage>(await gw.ReceiveAsync()).Code);
        await gw.SendAsync(FakeGateway.Reading("other-02", 1));
        Assert.Contains("said hello as 'pi-01'", Assert.IsType<ErrorMessage>(await gw.ReceiveAsync()).Message, StringComparison.Ordinal);
        await gw.SendAsync(FakeGateway.Reading("pi-01", 0));
        Assert.Contains("seq 0 is out of range", Assert.IsType<ErrorMessage>(await gw.ReceiveAsync()).Message, StringComparison.Ordinal);
        await gw.SendAsync(new AckMessage(5));
        Assert.Equal(ErrorCodes.UnknownType, Assert.IsType<ErrorMessage>(await gw.ReceiveAsync()).Code);

        await gw.SendReadingsAsync("pi-01", 1, 3); // still served
        Assert.Equal(3, (await gw.WaitForAckAsync(3)).Seq);
    }

    [Fact]
    public async Task An_error_from_the_gateway_is_reported_and_never_echoed()
    {
        await using var listen = await ListenHarness.StartAsync();
        await using var gw = await FakeGateway.ConnectAsync(listen.TcpPort);
        await gw.HelloAsync("pi-01");

        await gw.SendAsync(new ErrorMessage(ErrorCodes.UnexpectedAck, "ack for seq 9, but only up to 5 was sent"));
        await gw.SendAsync(new PingMessage());

        Assert.IsType<PongMessage>(await gw.ReceiveAsync()); // the first answer is the pong: the error was not bounced
        await listen.WaitForNoticeAsync("pi-01 says: unexpected_ack");
    }

    [Fact]
    public async Task An_oversized_line_ends_the_connection_with_line_too_long()
    {
        await using var listen = await ListenHarness.StartAsync(new ListenOptions { MaxLineLength = 1024 });
        await using var gw = await FakeGateway.ConnectAsync(listen.TcpPort);
        await gw.HelloAsync("pi-01");

        await gw.SendLineAsync(new string('x', 5000));

        Assert.Equal(ErrorCodes.LineTooLong, Assert.IsType<ErrorMessage>(Assert.Single(await gw.ReadToCloseAsync())).Code);
        await listen.WaitForNoticeAsync("pi-01 disconnected");
    }

    [Fact]
    public async Task A_silent_gateway_is_dropped_after_the_idle_timeout()
    {
        await using var listen = await ListenHarness.StartAsync(new ListenOptions { IdleTimeout = TimeSpan.FromMilliseconds(400) });
        await using var gw = await FakeGateway.ConnectAsync(listen.TcpPort);
        await gw.HelloAsync("pi-01");

        Assert.Equal("idle_timeout", Assert.IsType<ErrorMessage>(Assert.Single(await gw.ReadToCloseAsync())).Code);
    }

    [Fact]
    public async Task One_connection_too_many_is_told_so()
    {
        await using var listen = await ListenHarness.StartAsync(new ListenOptions { MaxConnections = 2 });
        await using var a = await FakeGateway.ConnectAsync(listen.TcpPort);
        await using var b = await FakeGateway.ConnectAsync(listen.TcpPort);
        await a.HelloAsync("a-1");
        await b.HelloAsync("b-1");
        await a.SendReadingsAsync("a-1", 1, 1);
        await b.SendReadingsAsync("b-1", 1, 1);
        await a.WaitForAckAsync(1);
        await b.WaitForAckAsync(1);

        await using var c = await FakeGateway.ConnectAsync(listen.TcpPort);

        Assert.Equal("too_many_connections", Assert.IsType<ErrorMessage>(Assert.Single(await c.ReadToCloseAsync())).Code);
    }

    [Fact]
    public async Task Announced_gaps_are_recorded_and_unexplained_jumps_are_reported()
    {
        await using var listen = await ListenHarness.StartAsync(recordPath: _dir.File("out.ndjson"));
        await using var gw = await FakeGateway.ConnectAsync(listen.TcpPort);
        await gw.HelloAsync("pi-01", nextSeq: 101);
        await gw.SendAsync(new GapMessage(1, 100, "MaxBytes"));
        await gw.SendReadingsAsync("pi-01", 101, 110);
        await gw.SendReadingsAsync("pi-01", 115, 120); // 111..114 skipped, unannounced
        await gw.WaitForAckAsync(120);

        await listen.WaitForNoticeAsync("seqs 1-100 will never come (MaxBytes)");
        await listen.WaitForNoticeAsync("seqs 111-114 skipped by the gateway without a gap");
        var device = listen.Context.Book.Find("pi-01")!;
        Assert.Equal(4, device.Totals().Missing);
        Assert.Equal(100, device.Totals().Announced);
        Assert.Contains(File.ReadAllLines(_dir.File("out.ndjson")), l => l.StartsWith("""{"type":"gap","device":"pi-01","from":1,"to":100""", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_websocket_listener_requires_the_gateway_subprotocol()
    {
        await using var listen = await ListenHarness.StartAsync(webSocket: true);
        using var ws = new ClientWebSocket();
        ws.Options.AddSubProtocol("chat");
        ws.Options.CollectHttpResponseDetails = true;

        await Assert.ThrowsAsync<WebSocketException>(() => ws.ConnectAsync(listen.WebSocketUrl, TestContext.Current.CancellationToken));
        Assert.Equal(400, (int)ws.HttpStatusCode);

        using var http = new HttpClient();
        var page = await http.GetAsync(new UriBuilder(listen.WebSocketUrl) { Scheme = "http" }.Uri, TestContext.Current.CancellationToken);
        Assert.Equal(400, (int)page.StatusCode);
    }

    private static List<long> RecordedSeqs(string path) =>
        [.. File.ReadAllLines(path).Select(l => MessageParser.Parse(Encoding.UTF8.GetBytes(l))).OfType<ReadingMessage>().Select(r => r.Seq).Order()];
}
