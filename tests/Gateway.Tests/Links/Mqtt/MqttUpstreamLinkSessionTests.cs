using System.Text;
using Gateway.Configuration;
using Gateway.FirmwareSim.Board;
using Gateway.FirmwareSim.Scenarios;
using Gateway.Hardware;
using Gateway.Links.Mqtt;
using Gateway.Mqtt;
using Gateway.Mqtt.Packets;
using Gateway.Outbox;
using Gateway.Protocol;
using Gateway.Protocol.Transport;
using Gateway.Sampling;
using Gateway.Status;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using OutboxStore = Gateway.Outbox.Outbox;

namespace Gateway.Tests.Links.Mqtt;

/// <summary>
/// The MQTT link's session (issue 17) against a broker in memory that decodes with the project's own codec, a real
/// outbox and a fake clock: CONNECT with the last will, the retained status, the subscription, QoS 1 readings through
/// the window with PUBACKs moving the durable cursor, resuming after a reconnection, backoff and the outage log, the
/// graceful stop's retained <c>offline</c>, and the commands topic. Topics: docs/protocol.md, "MQTT".
/// </summary>
public sealed class MqttUpstreamLinkSessionTests : IAsyncDisposable
{
    private const string Prefix = "gateway/pi-01";
    private const string Status = Prefix + "/status";
    private const string Commands = Prefix + "/commands";
    private const string Results = Prefix + "/results";
    private const string Temperature = Prefix + "/sensor/env/temperature";
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan BackoffMax = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan WriteTimeout = TimeSpan.FromSeconds(30);
    private readonly string _dir = Directory.CreateTempSubdirectory("gw-mqttlink-").FullName;
    private readonly WatchedTime _time = new();
    private readonly RecordingLogger _log = new();
    private readonly OutboxStore _outbox;
    private readonly TestCommands _commands;
    private readonly SimulatedBoard _board;
    private readonly SensorFactory _hardware;
    private readonly InMemoryBroker _broker = new();

    public MqttUpstreamLinkSessionTests()
    {
        _outbox = new OutboxStore(new OutboxOptions { Path = Path.Combine(_dir, "gateway.db"), CommitInterval = TimeSpan.FromMilliseconds(20) }, TimeProvider.System, NullLogger<OutboxStore>.Instance);
        _outbox.Start();
        _commands = new TestCommands(_time);
        _board = new SimulatedBoard(ScenarioLoader.Default(), _time);
        _hardware = new SensorFactory(_board, _time);
    }

    public async ValueTask DisposeAsync()
    {
        await _broker.DisposeAsync();
        _commands.Dispose();
        _hardware.Dispose();
        _board.Dispose();
        await _outbox.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    // Discovery off (its retained entities are not what these tests are about) and pacing off (MaxRate: a few hundred
    // readings take less than a tick), so the fake clock moves only when a test says so; WriteTimeout 30 s, six of the
    // tests' clock steps (AdvanceUntilAsync). The window is the shipped default.
    private MqttUpstreamLink Link(Func<MqttLinkOptions, MqttLinkOptions>? change = null)
    {
        var link = new MqttLinkOptions { Name = "mqtt", Broker = new HostEndpoint("broker.test", 1883), MaxRate = int.MaxValue, Discovery = false, BackoffMax = BackoffMax, WriteTimeout = WriteTimeout };
        return new MqttUpstreamLink(
            change?.Invoke(link) ?? link,
            new GatewayOptions { DeviceId = _commands.Device, StateDirectory = _dir },
            _outbox,
            new StatusBoard(),
            _commands.Pipeline,
            new OutputService(new GatewayOptions { DeviceId = _commands.Device, StateDirectory = _dir }, _hardware, _time, NullLogger<OutputService>.Instance),
            new RecordingLogger<MqttUpstreamLink>(_log),
            _time,
            _broker.ConnectAsync);
    }

    private static bool IsReading(MqttPublishPacket publish) => publish.Topic.StartsWith(Prefix + "/sensor/", StringComparison.Ordinal);

    private async Task StoreAsync(int count)
    {
        var last = _outbox.LastCommitted;
        for (var i = 0; i < count; i++)
        {
            _outbox.Accept(new SampledReading("env", "temperature", 20 + i, "Cel", DateTimeOffset.UtcNow));
        }

        await _outbox.WaitForCommitAsync(last + count - 1, Token).WaitAsync(Bound, Token);
    }

    private static T Payload<T>(MqttPublishPacket publish)
        where T : Message => Assert.IsType<T>(MessageParser.Parse(publish.Payload.Span));

    private static string Text(MqttPublishPacket publish) => Encoding.UTF8.GetString(publish.Payload.Span);

    // Connects and takes the session's opening (CONNECT, the retained 'online', the subscription): the link is up.
    private async Task<BrokerSession> UpAsync(MqttUpstreamLink link)
    {
        var session = await _broker.NextSessionAsync(Token);
        await session.NextAsync<MqttSubscribePacket>(Token);
        await UntilAsync(() => link.State == "up", "the link did not come up", link);
        return session;
    }

    private static async Task<List<MqttPublishPacket>> ReadingsAsync(BrokerSession session, int count)
    {
        var readings = new List<MqttPublishPacket>();
        while (readings.Count < count)
        {
            readings.Add(await session.NextPublishAsync(Temperature, Token));
        }

        return readings;
    }

    private static List<long> Seqs(IEnumerable<MqttPublishPacket> readings) => [.. readings.Select(r => Payload<ReadingMessage>(r).Seq)];

    private static async Task UntilAsync(Func<bool> condition, string what, MqttUpstreamLink? link = null)
    {
        for (var i = 0; i < 1_000 && !condition(); i++)
        {
            await Task.Delay(10, Token);
        }

        Assert.True(condition(), link is null ? what : $"{what} (the link is {link.State}, last error: {link.LastError})");
    }

    // Moves the fake clock by BackoffMax at a time, so each step ends whatever backoff is pending, until the condition
    // holds; after each step the link has up to 50 ms of real time to act (progress: what changes when it has). A step
    // is a sixth of the client's timeouts (WriteTimeout), so an answer in flight cannot time out across one or two steps.
    private async Task AdvanceUntilAsync(Func<bool> condition, Func<int> progress, string what, int maxSteps = 50)
    {
        for (var i = 0; i < maxSteps && !condition(); i++)
        {
            var before = progress();
            _time.Fake.Advance(BackoffMax);
            var acting = System.Diagnostics.Stopwatch.StartNew();
            while (acting.ElapsedMilliseconds < 50 && progress() == before && !condition())
            {
                await Task.Delay(1, Token);
            }
        }

        Assert.True(condition(), what);
    }

    private string[] Logged(LogLevel level, string text) => [.. _log.Lines.Where(l => l.Level == level && l.Text.Contains(text, StringComparison.Ordinal)).Select(l => l.Text)];

    [Fact]
    public async Task Connect_carries_the_retained_offline_will_and_the_configured_identity_then_online_is_retained_and_the_commands_topic_subscribed()
    {
        using var link = Link(l => l with { KeepAlive = TimeSpan.FromSeconds(45), ClientId = "gw-{device}-a" });
        await link.StartAsync(Token);
        var session = await _broker.NextSessionAsync(Token);

        var connect = Assert.IsType<MqttConnectPacket>(await session.NextAsync(Token));
        Assert.Equal(("gw-pi-01-a", (ushort)45, true), (connect.ClientId, connect.KeepAliveSeconds, connect.CleanSession));
        var will = Assert.IsType<MqttApplicationMessage>(connect.Will);
        Assert.Equal((Status, "offline", MqttQualityOfServiceLevel.AtLeastOnce, true), (will.Topic, Encoding.UTF8.GetString(will.Payload.Span), will.QualityOfServiceLevel, will.Retain));
        Assert.Null(connect.Username);

        var online = Assert.IsType<MqttPublishPacket>(await session.NextAsync(Token));
        Assert.Equal((Status, "online", MqttQualityOfServiceLevel.AtLeastOnce, true), (online.Topic, Text(online), online.QualityOfServiceLevel, online.Retain));
        var subscribe = Assert.IsType<MqttSubscribePacket>(await session.NextAsync(Token));
        Assert.Equal([new MqttTopicFilter(Commands, MqttQualityOfServiceLevel.AtLeastOnce)], subscribe.TopicFilters);
        await UntilAsync(() => link.State == "up", "the link did not come up", link);
        await link.StopAsync(Token);
    }

    [Fact]
    public async Task A_refused_subscription_keeps_the_readings_flowing_and_status_says_commands_will_not_arrive()
    {
        _broker.RefusedFilters.Add(Commands);
        await StoreAsync(1);
        using var link = Link();
        await link.StartAsync(Token);
        var session = await _broker.NextSessionAsync(Token);

        Assert.Equal(1L, Payload<ReadingMessage>(await session.NextPublishAsync(Temperature, Token)).Seq);
        Assert.Equal("up", link.State);
        Assert.Equal($"the broker refused the subscription to {Commands} (ACL?)", link.LastError);
        Assert.Single(Logged(LogLevel.Error, $"the broker refused the subscription to {Commands}"));
        Assert.Empty(Logged(LogLevel.Information, "subscribed to"));
        await link.StopAsync(Token);
    }

    [Fact]
    public async Task Readings_go_out_as_qos1_publishes_with_at_most_the_shipped_window_unacknowledged_and_pubacks_move_the_cursor()
    {
        var window = new MqttLinkOptions { Name = "mqtt", Broker = new HostEndpoint("x", 1) }.Window;
        _broker.AcknowledgesAtOnce = p => !IsReading(p);
        await StoreAsync(window + 30);
        using var link = Link();
        await link.StartAsync(Token);
        var session = await UpAsync(link);

        var first = await ReadingsAsync(session, window);
        Assert.Equal(Enumerable.Range(1, window).Select(i => (long)i), Seqs(first));
        Assert.All(first, p => Assert.Equal((MqttQualityOfServiceLevel.AtLeastOnce, false, false), (p.QualityOfServiceLevel, p.Retain, p.Dup)));
        var reading = Payload<ReadingMessage>(first[0]);
        Assert.Equal(("pi-01", "env", "temperature", 20.0, "Cel"), (reading.Device, reading.Sensor, reading.Quantity, reading.Value, reading.Unit));
        await Task.Delay(100, Token);
        Assert.DoesNotContain(session.TakeArrived(), p => p is MqttPublishPacket); // the window is full
        Assert.Equal(0, _outbox.Cursor("mqtt", durable: true));

        foreach (var publish in first[..40])
        {
            await session.AckAsync(publish.PacketIdentifier);
        }

        await UntilAsync(() => _outbox.Cursor("mqtt", durable: true) == 40, "the cursor did not move over the 40 acknowledged", link);
        var rest = await ReadingsAsync(session, 30);
        Assert.Equal(Enumerable.Range(window + 1, 30).Select(i => (long)i), Seqs(rest));
        await link.StopAsync(Token);
        Assert.Equal(40, _outbox.Cursor("mqtt", durable: true)); // nothing unacknowledged counts as delivered
    }

    [Fact]
    public async Task A_dropped_connection_backs_off_on_the_fake_clock_and_the_next_one_resumes_from_the_first_unacknowledged_reading()
    {
        _broker.AcknowledgesAtOnce = p => !IsReading(p);
        await StoreAsync(5);
        using var link = Link();
        await link.StartAsync(Token);
        var first = await UpAsync(link);
        var sent = await ReadingsAsync(first, 5);
        await first.AckAsync(sent[0].PacketIdentifier);
        await first.AckAsync(sent[1].PacketIdentifier);
        await UntilAsync(() => _outbox.Cursor("mqtt", durable: true) == 2, "the cursor did not move to 2", link);

        _broker.AcknowledgesAtOnce = _ => true; // the next connection's broker acknowledges everything
        first.Drop(); // 3, 4 and 5 are not acknowledged
        await UntilAsync(() => link.State == "backing off", "the link did not back off", link);
        await Task.Delay(200, Token);
        Assert.Equal(1, _broker.Connections); // the backoff waits on the link's clock, not the wall's
        await AdvanceUntilAsync(() => _broker.Connections == 2, () => _broker.Connections, "the link did not reconnect");
        var second = await UpAsync(link);
        Assert.Equal([3L, 4, 5], Seqs(await ReadingsAsync(second, 3))); // nothing lost; only what was not acknowledged again
        await UntilAsync(() => _outbox.Cursor("mqtt", durable: true) == 5, "the cursor did not move to 5", link);
        await link.StopAsync(Token);

        Assert.Single(Logged(LogLevel.Warning, "Link mqtt to mqtt://broker.test:1883 down:"));
        Assert.Single(Logged(LogLevel.Information, "Link mqtt: back after"));
    }

    [Fact]
    public async Task A_refused_connect_backs_off_on_the_fake_clock_logs_its_first_failure_then_a_summary_a_minute()
    {
        _broker.ConnAck = MqttConnectReturnCode.BadUserNameOrPassword;
        using var link = Link(l => l with { Username = "gw", Password = "wrong" });
        await link.StartAsync(Token);

        var session = await _broker.NextSessionAsync(Token);
        var connect = Assert.IsType<MqttConnectPacket>(await session.NextAsync(Token));
        Assert.Equal(("gw", "wrong"), (connect.Username, Encoding.UTF8.GetString(connect.Password!.Value.Span)));
        await UntilAsync(() => link.State == "backing off", "the link did not back off", link);
        Assert.Contains("bad user name or password", link.LastError, StringComparison.Ordinal);
        await Task.Delay(200, Token);
        Assert.Equal(1, _broker.Connections); // no retry until the fake clock moves

        var start = _time.GetUtcNow();
        await AdvanceUntilAsync(() => Logged(LogLevel.Warning, "still down after").Length > 0, () => link.FailedAttempts, "no summary after a minute down");

        Assert.True(_time.GetUtcNow() - start >= Gateway.Links.OutageLog.SummaryEvery, "summarised before a minute passed");
        Assert.True(_broker.Connections >= 3, $"only {_broker.Connections} attempts");
        Assert.Contains("check Username/Password", Assert.Single(Logged(LogLevel.Error, "(bad user name or password)")), StringComparison.Ordinal);
        Assert.Single(Logged(LogLevel.Warning, "down: the broker refused the connection"));
        Assert.DoesNotContain(_log.Lines, l => l.Text.Contains("wrong", StringComparison.Ordinal)); // never the password
        Assert.DoesNotContain(_log.Lines, l => l.Text.Contains("refused the connection: the broker refused", StringComparison.Ordinal)); // said once
        await link.StopAsync(Token);
    }

    [Fact]
    public async Task The_client_keeps_alive_on_the_links_clock_and_a_broker_that_stops_answering_pings_is_dropped_as_stalled()
    {
        using var link = Link(l => l with { KeepAlive = TimeSpan.FromSeconds(10) });
        await link.StartAsync(Token);
        var session = await UpAsync(link);
        int Pings() => session.Received.OfType<MqttPingReqPacket>().Count();

        await AdvanceUntilAsync(() => Pings() >= 2, Pings, "no PINGREQ after 10 s of silence on the link's clock");
        Assert.Equal(("up", 1), (link.State, _broker.Connections)); // answered: the connection stays

        session.AnswerPings = false;
        await AdvanceUntilAsync(() => link.State == "stalled", Pings, "an unanswered PINGREQ did not drop the connection");
        Assert.Contains("no PINGRESP within 30 s", link.LastError, StringComparison.Ordinal);
        await UntilAsync(() => Logged(LogLevel.Warning, "Link mqtt to mqtt://broker.test:1883 stalled:").Length == 1, "the stall was not logged", link); // logged just after the state changes
        await link.StopAsync(Token);
    }

    [Fact]
    public async Task A_graceful_stop_publishes_the_retained_offline_before_disconnect()
    {
        using var link = Link();
        await link.StartAsync(Token);
        var session = await UpAsync(link);

        await link.StopAsync(Token);
        await session.Closed.WaitAsync(Bound, Token);

        var last = session.Received.TakeLast(2).ToList();
        var offline = Assert.IsType<MqttPublishPacket>(last[0]);
        Assert.Equal((Status, "offline", MqttQualityOfServiceLevel.AtLeastOnce, true), (offline.Topic, Text(offline), offline.QualityOfServiceLevel, offline.Retain));
        Assert.IsType<MqttDisconnectPacket>(last[1]); // the broker discards the will on DISCONNECT (MQTT 3.1.1 §3.14.4)
        Assert.Single(Logged(LogLevel.Information, "published the retained status 'offline'"));
    }

    [Fact]
    public async Task A_command_is_answered_on_the_results_topic_a_ping_gets_pong_and_a_peers_error_gets_nothing()
    {
        using var link = Link();
        await link.StartAsync(Token);
        var session = await UpAsync(link);

        await session.PublishAsync(Commands, """{"type":"error","code":"unexpected_ack","message":"the peer complains"}""");
        await session.PublishAsync(Commands, """{"type":"ping"}""");
        Assert.IsType<PongMessage>(MessageParser.Parse((await session.NextPublishAsync(Results, Token)).Payload.Span)); // the first reply: the error got none
        await session.PublishAsync(Commands, MessageWriter.ToJson(_commands.Signed("ping", "c-1")));
        var result = Payload<ResultMessage>(await session.NextPublishAsync(Results, Token));
        Assert.True(result.Ok && result.Id == "c-1", result.Message);
        await session.PublishAsync(Commands, "{");
        Assert.Equal(ErrorCodes.MalformedJson, Payload<ErrorMessage>(await session.NextPublishAsync(Results, Token)).Code);
        await UntilAsync(() => session.Received.OfType<MqttPubAckPacket>().Count() == 4, "not every message on the commands topic was acknowledged", link);
        await link.StopAsync(Token);

        Assert.Equal(3, session.Published(Results).Count);
        Assert.Equal("up", link.State);
    }

    [Fact]
    public async Task A_sensor_quantity_named_health_is_published_as_a_reading_and_a_health_change_as_an_event()
    {
        var at = DateTimeOffset.UtcNow;
        _outbox.Accept(new SampledReading("analog", "health", 3.9, "V", at));
        _outbox.AcceptHealth(new HealthChange("env", HealthState.Failed, "no acknowledge at 0x76"), at);
        await _outbox.WaitForCommitAsync(1, Token).WaitAsync(Bound, Token);
        using var link = Link();
        await link.StartAsync(Token);
        var session = await UpAsync(link);

        var reading = Payload<ReadingMessage>(await session.NextPublishAsync(Prefix + "/sensor/analog/health", Token));
        Assert.Equal((1L, "analog", "health", 3.9, "V"), (reading.Seq, reading.Sensor, reading.Quantity, reading.Value, reading.Unit));
        var health = Payload<EventMessage>(await session.NextPublishAsync(Prefix + "/events", Token));
        Assert.Equal((2L, "env", "health"), (health.Seq, health.Sensor, health.Kind));
        Assert.Contains("no acknowledge at 0x76", health.Message, StringComparison.Ordinal);
        await link.StopAsync(Token);
    }
}
