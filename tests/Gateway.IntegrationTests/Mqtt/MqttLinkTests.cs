using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using Gateway.IntegrationTests.Infrastructure;
using Gateway.Mqtt;
using Mosquitto = Gateway.Mqtt.Tests.Broker.Mosquitto;
using Gateway.Protocol;
using Gateway.Protocol.Commands;

namespace Gateway.IntegrationTests.Mqtt;

/// <summary>The gateway's MQTT link against a real mosquitto started per test on a free loopback port.</summary>
public sealed class MqttLinkTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private static readonly byte[] OperatorSecret = [.. Enumerable.Range(7, 32).Select(i => (byte)i)];
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private GatewayProcess StartGateway(Mosquitto broker, string device, params string[] extra) => GatewayProcess.Start(_dir.Path,
    [
        $"--Gateway:DeviceId={device}",
        $"--Gateway:StateDirectory={_dir.File("state")}",
        $"--Gateway:Upstream:Mqtt:Broker=127.0.0.1:{broker.Port}",
        "--Gateway:Upstream:Mqtt:BackoffMax=500ms",
        $"--Gateway:Commands:Keys:operator:Secret={Convert.ToBase64String(OperatorSecret)}",
        "--Gateway:Commands:Keys:operator:Allow=ping,status,output.set,output.get",
        .. extra,
    ]);

    // A subscriber that records every message by topic (a persistent session, so it misses nothing while away).
    private sealed class Recorder : IAsyncDisposable
    {
        private readonly MqttClient _client = new();
        private readonly MqttClientOptions _options;
        private readonly string[] _filters;

        private Recorder(MqttClientOptions options, string[] filters)
        {
            _options = options;
            _filters = filters;
            _client.ApplicationMessageReceivedAsync += e =>
            {
                Messages.Enqueue((e.ApplicationMessage.Topic, Encoding.UTF8.GetString(e.ApplicationMessage.Payload.Span), e.ApplicationMessage.Retain));
                return Task.CompletedTask;
            };
        }

        public ConcurrentQueue<(string Topic, string Payload, bool Retain)> Messages { get; } = new();

        public static Task<Recorder> StartAsync(Mosquitto broker, string id, params string[] filters) => StartAsUserAsync(broker, id, null, null, filters);

        public static async Task<Recorder> StartAsUserAsync(Mosquitto broker, string id, string? user, string? password, params string[] filters)
        {
            var options = new MqttClientOptions
            {
                Host = "127.0.0.1",
                Port = broker.Port,
                ClientId = id,
                CleanSession = false,
                Username = user,
                Password = password is null ? (ReadOnlyMemory<byte>?)null : Encoding.UTF8.GetBytes(password),
                Timeout = TimeSpan.FromSeconds(5),
            };
            var recorder = new Recorder(options, filters);
            await recorder.ConnectAsync();
            return recorder;
        }

        public async Task ConnectAsync()
        {
            await _client.ConnectAsync(_options);
            foreach (var filter in _filters)
            {
                await _client.SubscribeAsync(filter, MqttQualityOfServiceLevel.AtLeastOnce);
            }
        }

        public HashSet<long> Seqs(string device) =>
        [
            .. Messages.Where(m => m.Topic.Contains("/sensor/", StringComparison.Ordinal) || m.Topic.EndsWith("/events", StringComparison.Ordinal))
                .Select(m => MessageParser.Parse(Encoding.UTF8.GetBytes(m.Payload)))
                .Select(m => m switch { ReadingMessage r when r.Device == device => r.Seq, EventMessage e when e.Device == device => e.Seq, _ => -1 })
                .Where(s => s > 0),
        ];

        public async Task<(string Topic, string Payload, bool Retain)> WaitForAsync(Func<(string Topic, string Payload, bool Retain), bool> match, string what)
        {
            var deadline = DateTime.UtcNow + Timeout;
            while (true)
            {
                foreach (var m in Messages)
                {
                    if (match(m))
                    {
                        return m;
                    }
                }

                Assert.True(DateTime.UtcNow < deadline, $"no message {what}; got {Messages.Count}: {string.Join("; ", Messages.Take(5).Select(m => m.Topic))}");
                await Task.Delay(50);
            }
        }

        public async Task WaitForSeqsAsync(string device, int count)
        {
            var deadline = DateTime.UtcNow + Timeout;
            while (Seqs(device).Count < count)
            {
                Assert.True(DateTime.UtcNow < deadline, $"only {Seqs(device).Count} readings of {count} arrived");
                await Task.Delay(50);
            }
        }

        public async ValueTask DisposeAsync() => await _client.DisposeAsync();
    }

    [Fact]
    public async Task Every_stored_reading_reaches_a_subscriber_through_a_broker_restart_and_a_gateway_restart()
    {
        await using var broker = await Mosquitto.StartAsync();
        await using var recorder = await Recorder.StartAsync(broker, "recorder", "gateway/mq-01/sensor/#", "gateway/mq-01/events");
        using (var gateway = StartGateway(broker, "mq-01", "--Gateway:Sampling:Interval=20ms"))
        {
            await recorder.WaitForSeqsAsync("mq-01", 300);

            await broker.StopAsync(); // SIGTERM: persistence written, every client dropped
            await Task.Delay(1_000, TestContext.Current.CancellationToken);
            await broker.RestartAsync();
            await recorder.ConnectAsync();
            var before = recorder.Seqs("mq-01").Count;
            await recorder.WaitForSeqsAsync("mq-01", before + 300);

            gateway.Signal(Signals.SIGTERM);
            Assert.Equal(0, await gateway.WaitForExitAsync(Timeout));
        }

        using (var again = StartGateway(broker, "mq-01", "--Gateway:Sampling:Interval=20ms"))
        {
            await again.WaitForLineAsync("Link mqtt up", Timeout);
            await recorder.WaitForSeqsAsync("mq-01", recorder.Seqs("mq-01").Count + 200);
            again.Signal(Signals.SIGTERM);
            Assert.Equal(0, await again.WaitForExitAsync(Timeout));
        }

        var missing = DeliveryCheck.Missing(_dir.File("state/gateway.db"), recorder.Seqs("mq-01"));
        Assert.True(missing.Count == 0, $"{missing.Count} readings neither delivered nor stored, first {string.Join(", ", missing.Take(10))}");
    }

    [Fact]
    public async Task The_status_is_online_while_up_and_the_last_will_says_offline_when_the_gateway_is_killed()
    {
        await using var broker = await Mosquitto.StartAsync();
        await using var recorder = await Recorder.StartAsync(broker, "watcher", "gateway/mq-02/status");
        using var gateway = StartGateway(broker, "mq-02");

        var online = await recorder.WaitForAsync(m => m.Payload == "online", "online");
        gateway.Kill();
        await recorder.WaitForAsync(m => m.Payload == "offline", "offline (the last will)");
        Assert.Equal("gateway/mq-02/status", online.Topic);
    }

    [Theory]
    [InlineData(false)] // stopped while it announces and subscribes, right after 'online'
    [InlineData(true)] // stopped while it delivers readings
    public async Task A_graceful_stop_publishes_the_retained_offline_status_before_it_disconnects(bool afterReadings)
    {
        // A clean DISCONNECT makes the broker discard the last will (MQTT 3.1.1 §3.14.4), so without its own 'offline'
        // a stopped gateway stays 'online' in the retained status, and Home Assistant shows it available.
        var device = afterReadings ? "mq-09" : "mq-08";
        await using var broker = await Mosquitto.StartAsync();
        await using (var recorder = await Recorder.StartAsync(broker, "watcher", $"gateway/{device}/#"))
        {
            using var gateway = StartGateway(broker, device);
            await recorder.WaitForAsync(m => m.Payload == "online", "online");
            if (afterReadings)
            {
                await recorder.WaitForAsync(m => m.Topic.StartsWith($"gateway/{device}/sensor/", StringComparison.Ordinal), "a reading");
            }

            gateway.Signal(15); // SIGTERM, as systemctl stop sends
            Assert.Equal(0, await gateway.WaitForExitAsync(Timeout));
            Assert.Contains(gateway.Stdout, l => l.Contains($"published the retained status 'offline' on gateway/{device}/status", StringComparison.Ordinal));
            await recorder.WaitForAsync(m => m.Topic == $"gateway/{device}/status" && m.Payload == "offline", "offline, published by the stopping gateway");
        }

        // What a client that connects later (Home Assistant after a restart) is told: the retained status.
        await using var later = await Recorder.StartAsync(broker, "later", $"gateway/{device}/status");
        var retained = await later.WaitForAsync(m => m.Retain, "the retained status");
        Assert.Equal("offline", retained.Payload);
    }

    [Fact]
    public async Task A_wrong_password_is_a_clear_error_and_backoff_and_the_gateway_stays_up()
    {
        await using var broker = await Mosquitto.StartAsync(allowAnonymous: false, prepare: (dir, exe) => Mosquitto.PasswordFile(dir, exe, "gw", "right"));
        using var gateway = StartGateway(broker, "mq-03", "--Gateway:Upstream:Mqtt:Username=gw", "--Gateway:Upstream:Mqtt:Password=wrong-secret-123");

        await gateway.WaitForLineAsync("refused the connection", Timeout);
        await gateway.WaitForLineAsync("reconnecting in", Timeout);
        var deadline = DateTime.UtcNow + Timeout;
        while (gateway.Stdout.Count(l => l.Contains("refused the connection", StringComparison.Ordinal)) < 2)
        {
            Assert.True(DateTime.UtcNow < deadline, "no second attempt after the backoff");
            await Task.Delay(100, TestContext.Current.CancellationToken);
        }

        Assert.DoesNotContain("wrong-secret-123", gateway.Output, StringComparison.Ordinal);
        gateway.Signal(Signals.SIGTERM);
        Assert.Equal(0, await gateway.WaitForExitAsync(Timeout));
    }

    [Fact]
    public async Task A_broker_acl_that_denies_the_commands_topic_is_a_clear_error_and_readings_still_flow()
    {
        await using var broker = await Mosquitto.StartAsync(allowAnonymous: false, prepare: (dir, exe) => Mosquitto.DynamicSecurity(dir, exe, "gw", "pw", "gateway/mq-04/sensor/#"));
        await using var recorder = await Recorder.StartAsUserAsync(broker, "acl-watch", "gw", "pw", "gateway/mq-04/sensor/#");
        using var gateway = StartGateway(broker, "mq-04", "--Gateway:Sampling:Interval=100ms", "--Gateway:Upstream:Mqtt:Username=gw", "--Gateway:Upstream:Mqtt:Password=pw");

        await gateway.WaitForLineAsync("the broker refused the subscription to gateway/mq-04/commands", Timeout);
        await recorder.WaitForSeqsAsync("mq-04", 20);
        gateway.Signal(Signals.SIGTERM);
        Assert.Equal(0, await gateway.WaitForExitAsync(Timeout));
    }

    [Fact]
    public async Task A_command_sent_with_mosquitto_pub_runs_and_its_result_is_published()
    {
        await using var broker = await Mosquitto.StartAsync();
        await using var recorder = await Recorder.StartAsync(broker, "results", "gateway/mq-05/results");
        using var gateway = StartGateway(broker, "mq-05");
        await gateway.WaitForLineAsync("subscribed to gateway/mq-05/commands", Timeout); // a command published before would be lost (not retained)

        var set = CommandSigning.Create("operator", OperatorSecret, "mq-05", "mqtt-1", "output.set", """{"output":"relay","on":true}""", DateTimeOffset.UtcNow, CommandSigning.NewNonce());
        await MosquittoPub(broker, "gateway/mq-05/commands", MessageWriter.ToJson(set));
        var result = await recorder.WaitForAsync(m => m.Payload.Contains("\"mqtt-1\"", StringComparison.Ordinal), "result of mqtt-1");
        Assert.Contains("\"ok\":true", result.Payload, StringComparison.Ordinal);

        var get = CommandSigning.Create("operator", OperatorSecret, "mq-05", "mqtt-2", "output.get", """{"output":"relay"}""", DateTimeOffset.UtcNow, CommandSigning.NewNonce());
        await MosquittoPub(broker, "gateway/mq-05/commands", MessageWriter.ToJson(get));
        var state = await recorder.WaitForAsync(m => m.Payload.Contains("\"mqtt-2\"", StringComparison.Ordinal), "result of mqtt-2");
        Assert.Contains("\"on\":true", state.Payload, StringComparison.Ordinal);

        await MosquittoPub(broker, "gateway/mq-05/commands", MessageWriter.ToJson(set with { Id = "mqtt-3", Signature = new string('0', 64) }));
        var forged = await recorder.WaitForAsync(m => m.Payload.Contains("\"mqtt-3\"", StringComparison.Ordinal), "result of mqtt-3");
        Assert.Contains("\"code\":\"bad_signature\"", forged.Payload, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_retained_poison_message_on_the_commands_topic_is_answered_once_and_never_makes_the_link_reconnect()
    {
        await using var broker = await Mosquitto.StartAsync();
        await using var recorder = await Recorder.StartAsync(broker, "poison-results", "gateway/mq-07/results");

        // Retained: the broker hands it to every new subscription, so a link that fails on it and reconnects meets it again.
        await MosquittoPub(broker, "gateway/mq-07/commands", """{"type":"\ud800"}""", retain: true);
        using var gateway = StartGateway(broker, "mq-07");
        await recorder.WaitForAsync(m => m.Payload.Contains("\"type\":\"error\"", StringComparison.Ordinal), $"an error result for the poison\n{gateway.Output}");

        // A valid command after it still gets its result, on the same connection.
        var ping = CommandSigning.Create("operator", OperatorSecret, "mq-07", "after-poison", "ping", "{}", DateTimeOffset.UtcNow, CommandSigning.NewNonce());
        await MosquittoPub(broker, "gateway/mq-07/commands", MessageWriter.ToJson(ping));
        var result = await recorder.WaitForAsync(m => m.Payload.Contains("\"after-poison\"", StringComparison.Ordinal), $"the result of the ping\n{gateway.Output}");
        Assert.Contains("\"ok\":true", result.Payload, StringComparison.Ordinal);

        Assert.Single(gateway.Stdout, l => l.Contains("Link mqtt up", StringComparison.Ordinal));
        Assert.Single(recorder.Messages, m => m.Payload.Contains("\"type\":\"error\"", StringComparison.Ordinal));
        Assert.DoesNotContain(gateway.Stdout, l => l.Contains("Link mqtt to", StringComparison.Ordinal) && l.Contains("down", StringComparison.Ordinal));
        gateway.Signal(Signals.SIGTERM);
        Assert.Equal(0, await gateway.WaitForExitAsync(Timeout));
    }

    [Fact]
    public async Task Home_assistant_discovery_announces_every_quantity_and_output_and_removes_them_when_turned_off()
    {
        await using var broker = await Mosquitto.StartAsync();
        await using var recorder = await Recorder.StartAsync(broker, "ha", "homeassistant/#", "gateway/mq-06/output/+/state");
        using var gateway = StartGateway(broker, "mq-06", "--Gateway:Upstream:Mqtt:SwitchKey=operator"); // killed if an assertion fails
        await gateway.WaitForLineAsync("Link mqtt up", Timeout);

        // Default board: env 3, climate 2, light 1, analog 2, water 1, door 3, flow 3 quantities; relay and led switches.
        try
        {
            await recorder.WaitForAsync(m => m.Topic == "homeassistant/switch/mq-06/led/config", "the led switch");
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            throw new InvalidOperationException(ex.Message + "\n" + gateway.Output + "\n" + broker.Log, ex);
        }

        var configs = recorder.Messages.Where(m => m.Topic.StartsWith("homeassistant/", StringComparison.Ordinal) && m.Payload.Length > 0).ToList();
        Assert.Equal(15, configs.Count(m => m.Topic.StartsWith("homeassistant/sensor/mq-06/", StringComparison.Ordinal)));
        Assert.Equal(2, configs.Count(m => m.Topic.StartsWith("homeassistant/switch/mq-06/", StringComparison.Ordinal)));
        foreach (var (topic, payload, _) in configs)
        {
            using var doc = JsonDocument.Parse(payload);
            var c = doc.RootElement;
            Assert.False(string.IsNullOrEmpty(c.GetProperty("unique_id").GetString()), topic);
            Assert.StartsWith("gateway/mq-06/", c.GetProperty("state_topic").GetString(), StringComparison.Ordinal);
            Assert.Equal("gateway/mq-06/status", c.GetProperty("availability_topic").GetString());
            Assert.Equal("gateway_mq-06", c.GetProperty("device").GetProperty("identifiers")[0].GetString());
        }

        var temperature = JsonDocument.Parse(configs.Single(m => m.Topic == "homeassistant/sensor/mq-06/env_temperature/config").Payload).RootElement;
        Assert.Equal(("temperature", "°C", "{{ value_json.value }}"), (temperature.GetProperty("device_class").GetString(), temperature.GetProperty("unit_of_measurement").GetString(), temperature.GetProperty("value_template").GetString()));

        // The switch drives the output through a command signed with the switch key (once the gateway listens for it).
        await gateway.WaitForLineAsync("subscribed to gateway/mq-06/output/+/set", Timeout);
        await MosquittoPub(broker, "gateway/mq-06/output/relay/set", "ON");
        try
        {
            await recorder.WaitForAsync(m => m.Topic == "gateway/mq-06/output/relay/state" && m.Payload == "ON", "relay state ON");
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            throw new InvalidOperationException(ex.Message + "\n" + gateway.Output, ex);
        }

        // The log and the audit name the topic the switch's command came on, not the commands topic.
        await gateway.WaitForLineAsync("output.set by key operator on mqtt from topic gateway/mq-06/output/relay/set: ok", Timeout);
        var audit = await File.ReadAllTextAsync(Path.Combine(_dir.File("state"), "audit.log"), TestContext.Current.CancellationToken);
        Assert.Contains("\"peer\":\"topic gateway/mq-06/output/relay/set\"", audit, StringComparison.Ordinal);
        Assert.DoesNotContain("gateway/mq-06/commands", audit, StringComparison.Ordinal);

        gateway.Signal(Signals.SIGTERM);
        Assert.Equal(0, await gateway.WaitForExitAsync(Timeout));
        gateway.Dispose(); // now, before the second run on the same state; a second Dispose (the using) is harmless

        // Discovery off: every entity announced before is removed (empty retained config).
        using var again = StartGateway(broker, "mq-06", "--Gateway:Upstream:Mqtt:Discovery=false");
        await recorder.WaitForAsync(m => m.Topic == "homeassistant/sensor/mq-06/env_temperature/config" && m.Payload.Length == 0, "removal of env_temperature");
        await again.WaitForLineAsync("removed the Home Assistant entity homeassistant/switch/mq-06/led/config", Timeout);
    }

    private static async Task MosquittoPub(Mosquitto broker, string topic, string message, bool retain = false)
    {
        using var pub = GatewayProcess.StartCommand("mosquitto_pub", ["-h", "127.0.0.1", "-p", broker.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-q", "1", "-t", topic, "-m", message, .. retain ? new[] { "-r" } : []], Path.GetTempPath());
        Assert.Equal(0, await pub.WaitForExitAsync(Timeout));
    }
}
