using System.Buffers.Binary;
using System.Text;
using Gateway.Mqtt.Packets;

namespace Gateway.Mqtt.Tests.Broker;

/// <summary>The client against a real mosquitto started per test on a free loopback port.</summary>
public sealed class MosquittoTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private static byte[] Seq(int seq)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(bytes, seq);
        return bytes;
    }

    [Fact]
    public async Task Publish_qos1_is_acknowledged_and_arrives_in_order_at_a_subscriber()
    {
        await using var broker = await Mosquitto.StartAsync();
        await using var subscriber = new MqttClient();
        await using var publisher = new MqttClient();
        var inbox = new Inbox(subscriber);
        await subscriber.ConnectAsync(broker.Options("sub"), Token);
        var granted = await subscriber.SubscribeAsync("data/#", MqttQualityOfServiceLevel.AtLeastOnce, Token);
        Assert.Equal(MqttSubscribeReturnCode.GrantedQos1, Assert.Single(granted.Items).ReturnCode);
        await publisher.ConnectAsync(broker.Options("pub"), Token);

        var publishes = Enumerable.Range(0, 200).Select(i => publisher.PublishAsync($"data/{i % 3}", Seq(i), MqttQualityOfServiceLevel.AtLeastOnce, cancellationToken: Token)).ToArray();
        await Task.WhenAll(publishes).WaitAsync(Inbox.Patience, Token);
        Assert.Equal(0, publisher.PendingPublishCount);

        for (var i = 0; i < 200; i++)
        {
            var message = await inbox.NextAsync();
            Assert.Equal(i, BinaryPrimitives.ReadInt32BigEndian(message.Payload.Span));
            Assert.Equal($"data/{i % 3}", message.Topic);
            Assert.Equal(MqttQualityOfServiceLevel.AtLeastOnce, message.QualityOfServiceLevel);
        }
    }

    [Fact]
    public async Task A_persistent_session_receives_what_was_published_while_it_was_away()
    {
        await using var broker = await Mosquitto.StartAsync();
        await using var subscriber = new MqttClient();
        await using var publisher = new MqttClient();
        var inbox = new Inbox(subscriber);
        var options = broker.Options("away", cleanSession: false);
        Assert.False((await subscriber.ConnectAsync(options, Token)).SessionPresent);
        await subscriber.SubscribeAsync("away/#", MqttQualityOfServiceLevel.AtLeastOnce, Token);
        await subscriber.DisconnectAsync(Token);

        await publisher.ConnectAsync(broker.Options("pub"), Token);
        for (var i = 0; i < 20; i++)
        {
            await publisher.PublishAsync("away/x", Seq(i), MqttQualityOfServiceLevel.AtLeastOnce, cancellationToken: Token);
        }

        var resumed = await subscriber.ConnectAsync(options, Token);
        Assert.True(resumed.SessionPresent);
        Assert.Empty(resumed.RestoredSubscriptions); // the broker kept them
        for (var i = 0; i < 20; i++)
        {
            Assert.Equal(i, BinaryPrimitives.ReadInt32BigEndian((await inbox.NextAsync()).Payload.Span));
        }
    }

    [Fact]
    public async Task A_broker_restarted_mid_stream_with_persistence_loses_no_qos1_message()
    {
        const int Count = 600;
        await using var broker = await Mosquitto.StartAsync();
        await using var proxy = new LoopbackProxy(broker.Port);
        await using var subscriber = new MqttClient();
        await using var publisher = new MqttClient();
        var seen = new HashSet<int>();
        var all = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        subscriber.ApplicationMessageReceivedAsync += args =>
        {
            lock (seen)
            {
                seen.Add(BinaryPrimitives.ReadInt32BigEndian(args.ApplicationMessage.Payload.Span)); // de-duplicated by seq
                if (seen.Count == Count)
                {
                    all.TrySetResult();
                }
            }

            return Task.CompletedTask;
        };
        var subscriberOptions = broker.Options("restart-sub", cleanSession: false);
        var publisherOptions = new MqttClientOptions { Host = "127.0.0.1", Port = proxy.Port, ClientId = "restart-pub", CleanSession = false, Timeout = TimeSpan.FromSeconds(5) };
        await subscriber.ConnectAsync(subscriberOptions, Token);
        await subscriber.SubscribeAsync("seq", MqttQualityOfServiceLevel.AtLeastOnce, Token);
        await publisher.ConnectAsync(publisherOptions, Token);

        // A publish that fails was not taken into the session (not connected, or the connection went while it waited
        // for the window): the caller publishes it again after reconnecting, as the link will. What the session holds
        // the client resends itself, with DUP, when it reconnects.
        var resent = 0;
        var publishes = new Dictionary<int, Task>(Count);
        for (var i = 0; i < Count; i++)
        {
            if (i == Count / 3)
            {
                // From here the publisher's packets are lost on the way: they stay unacknowledged in its session.
                proxy.BlackHole = true;
            }

            if (i == (Count / 3) + 50)
            {
                // Mid-stream, with QoS 1 messages in flight: the broker goes down and comes back from its persistence file.
                for (var wait = 0; wait < 500 && publisher.PendingPublishCount == 0; wait++)
                {
                    await Task.Delay(10, Token);
                }

                Assert.True(publisher.PendingPublishCount > 0);
                await broker.StopAsync();
                proxy.Drop();
                proxy.BlackHole = false;
                await broker.RestartAsync();
            }

            publishes[i] = Publish(publisher, i);
        }

        for (var round = 0; round < 20; round++)
        {
            resent += await ReconnectAsync(publisher, publisherOptions);
            await ReconnectAsync(subscriber, subscriberOptions);
            foreach (var (seq, _) in publishes.Where(p => p.Value.IsFaulted).ToList())
            {
                publishes[seq] = Publish(publisher, seq);
            }

            try
            {
                await Task.WhenAll(publishes.Values).WaitAsync(TimeSpan.FromSeconds(5), Token);
                break;
            }
            catch (MqttException)
            {
                // some were not taken: next round
            }
        }

        await ReconnectAsync(subscriber, subscriberOptions);
        Assert.All(publishes.Values, p => Assert.True(p.IsCompletedSuccessfully));
        await all.Task.WaitAsync(Inbox.Patience, Token);
        Assert.Equal(Count, seen.Count);
        Assert.True(resent > 0, "the publisher resent nothing with DUP");
    }

    private static Task Publish(MqttClient publisher, int seq)
    {
        try
        {
            return publisher.PublishAsync("seq", Seq(seq), MqttQualityOfServiceLevel.AtLeastOnce, cancellationToken: Token);
        }
        catch (MqttException e)
        {
            return Task.FromException(e);
        }
    }

    private static async Task<int> ReconnectAsync(MqttClient client, MqttClientOptions options)
    {
        for (var attempt = 0; attempt < 100 && !client.IsConnected; attempt++)
        {
            try
            {
                return (await client.ConnectAsync(options, Token)).ResentPublishCount;
            }
            catch (InvalidOperationException)
            {
                await Task.Delay(20, Token); // the old connection is still being torn down
            }
            catch (MqttCommunicationException)
            {
                await Task.Delay(50, Token); // broker not back yet
            }
        }

        return 0;
    }

    [Fact]
    public async Task The_last_will_is_published_when_the_connection_drops_without_disconnect()
    {
        await using var broker = await Mosquitto.StartAsync();
        await using var proxy = new LoopbackProxy(broker.Port);
        await using var observer = new MqttClient();
        await using var client = new MqttClient();
        var inbox = new Inbox(observer);
        await observer.ConnectAsync(broker.Options("observer"), Token);
        await observer.SubscribeAsync("status/#", MqttQualityOfServiceLevel.AtLeastOnce, Token);
        await client.ConnectAsync(
            new MqttClientOptions
            {
                Host = "127.0.0.1",
                Port = proxy.Port,
                ClientId = "dying",
                WillMessage = new MqttApplicationMessage { Topic = "status/dying", Payload = "offline"u8.ToArray(), QualityOfServiceLevel = MqttQualityOfServiceLevel.AtLeastOnce, Retain = true },
            },
            Token);
        await client.PublishAsync("status/dying", "online"u8.ToArray(), MqttQualityOfServiceLevel.AtLeastOnce, retain: true, Token);
        Assert.Equal("online", await inbox.NextTextAsync());

        proxy.Drop();

        var will = await inbox.NextAsync();
        Assert.Equal("status/dying", will.Topic);
        Assert.Equal("offline", Encoding.UTF8.GetString(will.Payload.Span));

        // Retained: a newcomer sees "offline" too.
        await using var late = new MqttClient();
        var lateInbox = new Inbox(late);
        await late.ConnectAsync(broker.Options("late"), Token);
        await late.SubscribeAsync("status/dying", MqttQualityOfServiceLevel.AtLeastOnce, Token);
        var retained = await lateInbox.NextAsync();
        Assert.True(retained.Retain);
        Assert.Equal("offline", Encoding.UTF8.GetString(retained.Payload.Span));
    }

    [Fact]
    public async Task A_clean_disconnect_does_not_publish_the_last_will()
    {
        await using var broker = await Mosquitto.StartAsync();
        await using var observer = new MqttClient();
        await using var client = new MqttClient();
        var inbox = new Inbox(observer);
        await observer.ConnectAsync(broker.Options("observer"), Token);
        await observer.SubscribeAsync("status/#", MqttQualityOfServiceLevel.AtLeastOnce, Token);
        var options = broker.Options("polite");
        await client.ConnectAsync(
            new MqttClientOptions { Host = options.Host, Port = options.Port, ClientId = "polite", WillMessage = new MqttApplicationMessage { Topic = "status/polite", Payload = "offline"u8.ToArray() } },
            Token);

        await client.DisconnectAsync(Token);
        await observer.PublishAsync("status/marker", "after"u8.ToArray(), MqttQualityOfServiceLevel.AtLeastOnce, cancellationToken: Token);

        Assert.Equal("status/marker", (await inbox.NextAsync()).Topic); // nothing from the will came before the marker
    }

    [Fact]
    public async Task A_wrong_password_is_a_connect_exception_with_code_4_or_5_and_the_right_one_connects()
    {
        await using var broker = await Mosquitto.StartAsync(allowAnonymous: false, (dir, exe) => Mosquitto.PasswordFile(dir, exe, "gateway", "s3cret"));
        await using var client = new MqttClient();
        var options = broker.Options("pw");

        var error = await Assert.ThrowsAsync<MqttConnectException>(() => client.ConnectAsync(
            new MqttClientOptionsBuilder().WithTcpServer(options.Host, options.Port).WithClientId("pw").WithCredentials("gateway", "wrong").Build(),
            Token));
        Assert.Contains(error.ReturnCode, new[] { MqttConnectReturnCode.BadUserNameOrPassword, MqttConnectReturnCode.NotAuthorized });
        Assert.Contains(error.ReturnCode == MqttConnectReturnCode.NotAuthorized ? "not authorized" : "bad user name or password", error.Message, StringComparison.Ordinal);
        Assert.False(client.IsConnected);

        await client.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer(options.Host, options.Port).WithClientId("pw").WithCredentials("gateway", "s3cret").Build(), Token);
        Assert.True(client.IsConnected);
    }

    [Fact]
    public async Task Keep_alive_pings_keep_an_idle_connection_open_past_one_and_a_half_keep_alives()
    {
        await using var broker = await Mosquitto.StartAsync();
        await using var client = new MqttClient();
        var inbox = new Inbox(client);
        var disconnected = false;
        client.DisconnectedAsync += _ =>
        {
            disconnected = true;
            return Task.CompletedTask;
        };
        await client.ConnectAsync(broker.Options("idle", keepAliveSeconds: 1), Token);
        await client.SubscribeAsync("idle", MqttQualityOfServiceLevel.AtLeastOnce, Token);

        await Task.Delay(TimeSpan.FromSeconds(2.5), Token); // mosquitto drops a client silent for 1.5 s [MQTT-3.1.2-24]

        Assert.False(disconnected);
        Assert.True(client.IsConnected);
        var log = broker.Log;
        Assert.True(log.Contains("Received PINGREQ from idle", StringComparison.Ordinal), log);
        await client.PublishAsync("idle", "still here"u8.ToArray(), MqttQualityOfServiceLevel.AtLeastOnce, cancellationToken: Token);
        Assert.Equal("still here", await inbox.NextTextAsync());
    }

    [Fact]
    public async Task An_acl_that_denies_a_subscription_is_a_subscribe_exception_and_the_connection_stays_usable()
    {
        await using var broker = await Mosquitto.StartAsync(allowAnonymous: false, (dir, exe) => Mosquitto.DynamicSecurity(dir, exe, "gateway", "s3cret", "gateway/#"));
        await using var client = new MqttClient();
        var inbox = new Inbox(client);
        var options = broker.Options("acl");
        await client.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer(options.Host, options.Port).WithClientId("acl").WithCredentials("gateway", "s3cret").Build(), Token);

        var error = await Assert.ThrowsAsync<MqttSubscribeException>(() => client.SubscribeAsync([new MqttTopicFilter("gateway/commands"), new MqttTopicFilter("secret/#")], Token));

        Assert.Contains("'secret/#'", error.Message, StringComparison.Ordinal);
        Assert.Equal([MqttSubscribeReturnCode.GrantedQos1, MqttSubscribeReturnCode.Failure], error.Result.Items.Select(i => i.ReturnCode));
        Assert.Equal(["gateway/commands"], client.Subscriptions.Select(s => s.Topic));
        await client.PublishAsync("gateway/commands", "go"u8.ToArray(), MqttQualityOfServiceLevel.AtLeastOnce, cancellationToken: Token);
        Assert.Equal("go", await inbox.NextTextAsync());
    }
}
