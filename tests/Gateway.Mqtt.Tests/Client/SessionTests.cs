using System.Text;
using Gateway.Mqtt.Packets;
using Microsoft.Extensions.Time.Testing;

namespace Gateway.Mqtt.Tests.Client;

/// <summary>The client's session against a scripted broker: QoS 1 window and identifiers, DUP resend, subscription restore, delivery then PUBACK, keep alive.</summary>
public sealed class SessionTests : IAsyncLifetime
{
    private readonly ScriptedBroker _broker = new();
    private readonly MqttClient _client = new();

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        await _client.DisposeAsync();
        await _broker.DisposeAsync();
    }

    private async Task<(BrokerConnection Connection, MqttClientConnectResult Result)> ConnectAsync(MqttClientOptions options, bool sessionPresent = false)
    {
        var connecting = _client.ConnectAsync(options, Token);
        var connection = await _broker.AcceptClientAsync(sessionPresent);
        return (connection, await connecting.WaitAsync(ScriptedBroker.Patience, Token));
    }

    [Fact]
    public async Task Unacknowledged_qos1_messages_are_resent_with_dup_and_their_identifiers_after_a_reconnect_and_complete_on_the_puback()
    {
        var options = _broker.Options("persistent", cleanSession: false);
        var (first, _) = await ConnectAsync(options);
        var one = _client.PublishAsync("t/1", "one"u8.ToArray(), MqttQualityOfServiceLevel.AtLeastOnce, cancellationToken: Token);
        var two = _client.PublishAsync("t/2", "two"u8.ToArray(), MqttQualityOfServiceLevel.AtLeastOnce, cancellationToken: Token);
        var sent = new List<(MqttPublishPacket Packet, byte FirstByte)>();
        for (var i = 0; i < 2; i++)
        {
            var (packet, firstByte) = (await first.ReadRawAsync())!.Value;
            sent.Add(((MqttPublishPacket)packet, firstByte));
        }

        Assert.All(sent, s => Assert.False(s.Packet.Dup));
        first.Drop(); // the broker goes away before acknowledging anything
        await Task.WhenAny(one, Task.Delay(200, Token));
        Assert.False(one.IsCompleted); // a persistent session keeps the message: its publisher keeps waiting
        Assert.Equal(2, _client.PendingPublishCount);

        while (_client.IsConnected)
        {
            await Task.Delay(10, Token);
        }

        var (second, result) = await ConnectAsync(options, sessionPresent: true);

        Assert.Equal(2, result.ResentPublishCount);
        for (var i = 0; i < 2; i++)
        {
            var (packet, firstByte) = (await second.ReadRawAsync())!.Value;
            var resent = Assert.IsType<MqttPublishPacket>(packet);
            Assert.True(resent.Dup); // MQTT-3.3.1-1
            Assert.Equal(0x3A, firstByte); // PUBLISH | DUP | QoS 1
            Assert.Equal(sent[i].Packet.PacketIdentifier, resent.PacketIdentifier); // same identifier, same order [MQTT-4.6.0-1]
            Assert.Equal(sent[i].Packet.Topic, resent.Topic);
            Assert.Equal(sent[i].Packet.Payload.ToArray(), resent.Payload.ToArray());
        }

        await second.SendAsync(new MqttPubAckPacket(sent[0].Packet.PacketIdentifier));
        await second.SendAsync(new MqttPubAckPacket(sent[1].Packet.PacketIdentifier));
        await one.WaitAsync(ScriptedBroker.Patience, Token);
        await two.WaitAsync(ScriptedBroker.Patience, Token);
        Assert.Equal(0, _client.PendingPublishCount);
    }

    [Fact]
    public async Task A_clean_session_fails_unacknowledged_messages_when_the_connection_ends()
    {
        var (connection, _) = await ConnectAsync(_broker.Options(cleanSession: true));
        var publish = _client.PublishAsync("t", "x"u8.ToArray(), MqttQualityOfServiceLevel.AtLeastOnce, cancellationToken: Token);
        Assert.IsType<MqttPublishPacket>(await connection.ReadAsync());

        connection.Drop();

        var error = await Assert.ThrowsAsync<MqttSessionDiscardedException>(() => publish.WaitAsync(ScriptedBroker.Patience, Token));
        Assert.Contains("'t'", error.Message, StringComparison.Ordinal);
        Assert.IsType<MqttCommunicationException>(error.InnerException);
    }

    [Fact]
    public async Task Subscriptions_are_restored_when_the_broker_has_no_session_and_not_when_it_has()
    {
        var options = _broker.Options("subscriber", cleanSession: false);
        var (first, _) = await ConnectAsync(options);
        var subscribing = _client.SubscribeAsync([new MqttTopicFilter("a/#", MqttQualityOfServiceLevel.AtLeastOnce), new MqttTopicFilter("b", MqttQualityOfServiceLevel.AtMostOnce)], Token);
        var subscribe = Assert.IsType<MqttSubscribePacket>(await first.ReadAsync());
        await first.SendAsync(new MqttSubAckPacket(subscribe.PacketIdentifier, [MqttSubscribeReturnCode.GrantedQos1, MqttSubscribeReturnCode.GrantedQos0]));
        await subscribing;
        first.Drop();
        while (_client.IsConnected)
        {
            await Task.Delay(10, Token);
        }

        // The broker lost the session (session present 0): the client subscribes again before ConnectAsync returns.
        var connecting = _client.ConnectAsync(options, Token);
        var second = await _broker.AcceptClientAsync(sessionPresent: false);
        var restore = Assert.IsType<MqttSubscribePacket>(await second.ReadAsync());
        Assert.Equal(subscribe.TopicFilters, restore.TopicFilters);
        await second.SendAsync(new MqttSubAckPacket(restore.PacketIdentifier, [MqttSubscribeReturnCode.GrantedQos1, MqttSubscribeReturnCode.GrantedQos0]));
        var result = await connecting.WaitAsync(ScriptedBroker.Patience, Token);
        Assert.Equal(subscribe.TopicFilters, result.RestoredSubscriptions);
        second.Drop();
        while (_client.IsConnected)
        {
            await Task.Delay(10, Token);
        }

        // The broker kept the session: nothing is re-sent; the next packet is the one the test asks for.
        var (third, resumed) = await ConnectAsync(options, sessionPresent: true);
        Assert.Empty(resumed.RestoredSubscriptions);
        await _client.PublishAsync("marker", default, cancellationToken: Token);
        Assert.Equal("marker", Assert.IsType<MqttPublishPacket>(await third.ReadAsync()).Topic);
    }

    [Fact]
    public async Task A_refused_filter_is_a_subscribe_exception_and_is_not_remembered()
    {
        var (connection, _) = await ConnectAsync(_broker.Options());
        var subscribing = _client.SubscribeAsync([new MqttTopicFilter("ok"), new MqttTopicFilter("secret/#")], Token);
        var subscribe = Assert.IsType<MqttSubscribePacket>(await connection.ReadAsync());
        await connection.SendAsync(new MqttSubAckPacket(subscribe.PacketIdentifier, [MqttSubscribeReturnCode.GrantedQos1, MqttSubscribeReturnCode.Failure]));

        var error = await Assert.ThrowsAsync<MqttSubscribeException>(() => subscribing);
        Assert.Contains("'secret/#'", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("'ok'", error.Message, StringComparison.Ordinal);
        Assert.Equal([true, false], error.Result.Items.Select(i => i.Succeeded));
        Assert.Equal(["ok"], _client.Subscriptions.Select(s => s.Topic));
        Assert.True(_client.IsConnected);
    }

    [Fact]
    public async Task The_inflight_window_holds_back_a_publish_until_a_puback_frees_a_place_and_identifiers_are_distinct()
    {
        var options = new MqttClientOptions { Host = "127.0.0.1", Port = _broker.Port, ClientId = "w", MaxInflightMessages = 2, KeepAlivePeriod = TimeSpan.Zero };
        var (connection, _) = await ConnectAsync(options);
        var publishes = Enumerable.Range(0, 3).Select(i => _client.PublishAsync("t", new[] { (byte)i }, MqttQualityOfServiceLevel.AtLeastOnce, cancellationToken: Token)).ToList();
        var first = Assert.IsType<MqttPublishPacket>(await connection.ReadAsync());
        var second = Assert.IsType<MqttPublishPacket>(await connection.ReadAsync());
        Assert.Equal(2, _client.PendingPublishCount); // the third waits for a place
        Assert.False(publishes[2].IsCompleted);

        await connection.SendAsync(new MqttPubAckPacket(first.PacketIdentifier));
        var third = Assert.IsType<MqttPublishPacket>(await connection.ReadAsync());
        Assert.Equal(2, third.Payload.Span[0]);
        Assert.Equal(3, new HashSet<ushort> { first.PacketIdentifier, second.PacketIdentifier, third.PacketIdentifier }.Count);
        Assert.DoesNotContain((ushort)0, new[] { first.PacketIdentifier, second.PacketIdentifier, third.PacketIdentifier });

        await connection.SendAsync(new MqttPubAckPacket(second.PacketIdentifier));
        await connection.SendAsync(new MqttPubAckPacket(third.PacketIdentifier));
        await Task.WhenAll(publishes).WaitAsync(ScriptedBroker.Patience, Token);
    }

    [Fact]
    public async Task Publishes_in_a_write_batch_reach_the_broker_only_when_the_batch_ends_and_in_order()
    {
        var (connection, _) = await ConnectAsync(_broker.Options());
        var publishes = new List<Task>();
        await using (var batch = _client.HoldWrites())
        {
            for (var i = 0; i < 3; i++)
            {
                publishes.Add(_client.PublishAsync("t", new[] { (byte)i }, MqttQualityOfServiceLevel.AtLeastOnce, cancellationToken: Token));
            }

            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => connection.ReadAsync(TimeSpan.FromMilliseconds(200)));
        }

        for (var i = 0; i < 3; i++)
        {
            var publish = Assert.IsType<MqttPublishPacket>(await connection.ReadAsync());
            Assert.Equal(i, publish.Payload.Span[0]);
            await connection.SendAsync(new MqttPubAckPacket(publish.PacketIdentifier));
        }

        await Task.WhenAll(publishes).WaitAsync(ScriptedBroker.Patience, Token);
    }

    [Fact]
    public async Task A_publish_waiting_for_the_window_in_a_write_batch_sends_what_is_held_first_instead_of_waiting_forever()
    {
        var options = new MqttClientOptions { Host = "127.0.0.1", Port = _broker.Port, ClientId = "w", MaxInflightMessages = 2, KeepAlivePeriod = TimeSpan.Zero };
        var (connection, _) = await ConnectAsync(options);
        var batch = _client.HoldWrites();
        var publishes = Enumerable.Range(0, 3).Select(i => _client.PublishAsync("t", new[] { (byte)i }, MqttQualityOfServiceLevel.AtLeastOnce, cancellationToken: Token)).ToList();

        // The third waits for a place: the two held go out, so their PUBACKs can come.
        var first = Assert.IsType<MqttPublishPacket>(await connection.ReadAsync());
        Assert.IsType<MqttPublishPacket>(await connection.ReadAsync());
        await connection.SendAsync(new MqttPubAckPacket(first.PacketIdentifier));
        await publishes[0].WaitAsync(ScriptedBroker.Patience, Token);
        await batch.DisposeAsync(); // the third, held since it got its place

        var third = Assert.IsType<MqttPublishPacket>(await connection.ReadAsync());
        Assert.Equal(2, third.Payload.Span[0]);
    }

    [Fact]
    public async Task The_callers_payload_buffer_may_be_reused_as_soon_as_publish_returns_even_while_the_publish_waits_for_the_window()
    {
        var options = new MqttClientOptions { Host = "127.0.0.1", Port = _broker.Port, ClientId = "w", MaxInflightMessages = 1, KeepAlivePeriod = TimeSpan.Zero };
        var (connection, _) = await ConnectAsync(options);
        var payload = "first"u8.ToArray();
        var one = _client.PublishAsync("t", payload, MqttQualityOfServiceLevel.AtLeastOnce, cancellationToken: Token);
        "secnd"u8.CopyTo(payload);
        var two = _client.PublishAsync("t", payload, MqttQualityOfServiceLevel.AtLeastOnce, cancellationToken: Token); // waits: the window is 1
        "XXXXX"u8.CopyTo(payload); // the caller's buffer, reused

        var first = Assert.IsType<MqttPublishPacket>(await connection.ReadAsync());
        await connection.SendAsync(new MqttPubAckPacket(first.PacketIdentifier));
        var second = Assert.IsType<MqttPublishPacket>(await connection.ReadAsync());
        await connection.SendAsync(new MqttPubAckPacket(second.PacketIdentifier));
        await Task.WhenAll(one, two).WaitAsync(ScriptedBroker.Patience, Token);

        Assert.Equal("first", Encoding.UTF8.GetString(first.Payload.Span));
        Assert.Equal("secnd", Encoding.UTF8.GetString(second.Payload.Span));
    }

    [Fact]
    public async Task A_qos1_message_from_the_broker_is_handed_over_before_it_is_acknowledged()
    {
        var handled = new List<string>();
        _client.ApplicationMessageReceivedAsync += args =>
        {
            lock (handled)
            {
                handled.Add(Encoding.UTF8.GetString(args.ApplicationMessage.Payload.Span));
            }

            return Task.CompletedTask;
        };
        var (connection, _) = await ConnectAsync(_broker.Options());

        await connection.SendAsync(new MqttPublishPacket { Topic = "cmd", Payload = "hello"u8.ToArray(), QualityOfServiceLevel = MqttQualityOfServiceLevel.AtLeastOnce, PacketIdentifier = 42 });

        Assert.Equal(new MqttPubAckPacket(42), await connection.ReadAsync());
        lock (handled)
        {
            Assert.Equal(["hello"], handled); // delivered first, then PUBACK
        }
    }

    [Fact]
    public async Task A_handler_may_publish_and_wait_for_its_puback()
    {
        var answered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _client.ApplicationMessageReceivedAsync += async args =>
        {
            await _client.PublishAsync("result", args.ApplicationMessage.Payload, MqttQualityOfServiceLevel.AtLeastOnce, cancellationToken: Token);
            answered.SetResult();
        };
        var (connection, _) = await ConnectAsync(_broker.Options());
        await connection.SendAsync(new MqttPublishPacket { Topic = "cmd", Payload = "1"u8.ToArray(), QualityOfServiceLevel = MqttQualityOfServiceLevel.AtLeastOnce, PacketIdentifier = 7 });

        var result = Assert.IsType<MqttPublishPacket>(await connection.ReadAsync());
        await connection.SendAsync(new MqttPubAckPacket(result.PacketIdentifier));

        await answered.Task.WaitAsync(ScriptedBroker.Patience, Token);
        Assert.Equal(new MqttPubAckPacket(7), await connection.ReadAsync());
    }

    [Fact]
    public async Task A_failing_handler_leaves_the_message_unacknowledged_and_closes_the_connection_with_its_error()
    {
        var disconnects = new Disconnects(_client);
        _client.ApplicationMessageReceivedAsync += _ => throw new InvalidOperationException("cannot store it");
        var (connection, _) = await ConnectAsync(_broker.Options());

        await connection.SendAsync(new MqttPublishPacket { Topic = "cmd", Payload = "1"u8.ToArray(), QualityOfServiceLevel = MqttQualityOfServiceLevel.AtLeastOnce, PacketIdentifier = 3 });

        var error = Assert.IsType<MqttApplicationMessageHandlerException>((await disconnects.First).Exception);
        Assert.Contains("cannot store it", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(new MqttPubAckPacket(3), await connection.ReadUntilClosedAsync());
    }

    [Fact]
    public async Task Keep_alive_is_measured_from_the_last_packet_sent()
    {
        var time = new FakeTimeProvider();
        var options = new MqttClientOptions { Host = "127.0.0.1", Port = _broker.Port, ClientId = "k", KeepAlivePeriod = TimeSpan.FromSeconds(10), TimeProvider = time };
        var (connection, _) = await ConnectAsync(options);

        // Something goes out every 6 s: the idle time never reaches 10 s, so no PINGREQ in 60 s.
        for (var i = 0; i < 10; i++)
        {
            time.Advance(TimeSpan.FromSeconds(6));
            await _client.PublishAsync("tick", new[] { (byte)i }, cancellationToken: Token);
            Assert.Equal("tick", Assert.IsType<MqttPublishPacket>(await connection.ReadAsync()).Topic);
        }

        // Now silence: PINGREQ comes once 10 s have passed since the last publish, not before.
        var sinceLast = TimeSpan.Zero;
        var next = connection.ReadAsync();
        while (!next.IsCompleted && sinceLast < TimeSpan.FromSeconds(60))
        {
            time.Advance(TimeSpan.FromMilliseconds(500));
            sinceLast += TimeSpan.FromMilliseconds(500);
            await Task.WhenAny(next, Task.Delay(20, Token));
        }

        Assert.IsType<MqttPingReqPacket>(await next);

        // Never before 10 s of silence (the clock is fake, so this is exact); later by how far the clock ran ahead
        // before the keep-alive loop, woken on the thread pool, armed its next timer.
        Assert.InRange(sinceLast, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(20));
        await connection.SendAsync(MqttPingRespPacket.Instance);
        Assert.True(_client.IsConnected);
    }

    [Fact]
    public async Task Disconnect_sends_disconnect_and_a_second_connect_works_on_the_same_client()
    {
        var disconnects = new Disconnects(_client);
        var (first, _) = await ConnectAsync(_broker.Options());
        await _client.DisconnectAsync(Token);

        Assert.Equal([MqttDisconnectPacket.Instance], await first.ReadUntilClosedAsync());
        var args = await disconnects.First;
        Assert.True(args.ClientInitiated);
        Assert.Null(args.Exception);

        var (second, _) = await ConnectAsync(_broker.Options());
        await _client.PublishAsync("again", default, cancellationToken: Token);
        Assert.Equal("again", Assert.IsType<MqttPublishPacket>(await second.ReadAsync()).Topic);
        await Assert.ThrowsAsync<InvalidOperationException>(() => _client.ConnectAsync(_broker.Options(), Token));
    }
}
