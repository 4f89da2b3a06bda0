using System.Text;
using Gateway.Mqtt.Packets;

namespace Gateway.Mqtt.Tests.Client;

/// <summary>A broker that sends garbage, stops mid-packet, breaks the rules or says nothing: typed errors, never a hang.</summary>
public sealed class BrokerMisbehaviourTests : IAsyncLifetime
{
    private readonly ScriptedBroker _broker = new();
    private readonly MqttClient _client = new();

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        await _client.DisposeAsync();
        await _broker.DisposeAsync();
    }

    private async Task<T> ConnectFailsWith<T>(Func<BrokerConnection, Task> broker, double timeoutSeconds = 5)
        where T : Exception
    {
        var connecting = _client.ConnectAsync(_broker.Options(timeoutSeconds: timeoutSeconds), TestContext.Current.CancellationToken);
        var connection = await _broker.AcceptAsync();
        Assert.IsType<MqttConnectPacket>(await connection.ReadAsync());
        await broker(connection);
        var error = await Assert.ThrowsAsync<T>(() => connecting.WaitAsync(ScriptedBroker.Patience, TestContext.Current.CancellationToken));
        Assert.False(_client.IsConnected);
        return error;
    }

    [Fact]
    public async Task Garbage_instead_of_a_connack_is_a_protocol_violation()
    {
        var error = await ConnectFailsWith<MqttProtocolViolationException>(c => c.SendRawAsync(Encoding.ASCII.GetBytes("HTTP/1.1 400 Bad Request\r\n\r\n")));
        Assert.Equal("MQTT-3.2.0-1", error.Clause);
    }

    [Fact]
    public async Task A_reserved_packet_type_is_a_protocol_violation()
    {
        var error = await ConnectFailsWith<MqttProtocolViolationException>(c => c.SendRawAsync([0xF0, 0x00]));
        Assert.Equal("MQTT-2.2.1", error.Clause);
    }

    [Fact]
    public async Task A_connack_with_a_bad_length_is_a_protocol_violation()
    {
        var error = await ConnectFailsWith<MqttProtocolViolationException>(c => c.SendRawAsync([0x20, 0x03, 0x00, 0x00, 0x00]));
        Assert.Equal("MQTT-3.2.1: CONNACK remaining length must be 2, was 3", error.Message);
    }

    [Fact]
    public async Task A_remaining_length_of_five_bytes_is_a_protocol_violation()
    {
        var error = await ConnectFailsWith<MqttProtocolViolationException>(c => c.SendRawAsync([0x20, 0xFF, 0xFF, 0xFF, 0xFF, 0x01]));
        Assert.Equal("MQTT-2.2.3: remaining length exceeds 4 bytes (the fourth byte has its continuation bit set)", error.Message);
    }

    [Fact]
    public async Task A_connack_cut_short_by_the_broker_closing_is_a_truncated_packet()
    {
        var error = await ConnectFailsWith<MqttProtocolViolationException>(async c =>
        {
            await c.SendRawAsync([0x20, 0x02, 0x00]);
            c.Drop();
        });
        Assert.Equal("MQTT-2.2.3", error.Clause);
        Assert.Contains("in the middle of a packet", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_broker_that_closes_without_a_word_is_a_communication_error()
    {
        var error = await ConnectFailsWith<MqttCommunicationException>(c =>
        {
            c.Drop();
            return Task.CompletedTask;
        });
        Assert.Contains("closed the connection", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_broker_that_never_answers_connect_times_out()
    {
        var error = await ConnectFailsWith<MqttTimeoutException>(_ => Task.CompletedTask, timeoutSeconds: 0.3);
        Assert.Contains("no CONNACK", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(MqttConnectReturnCode.UnacceptableProtocolVersion, "unacceptable protocol version")]
    [InlineData(MqttConnectReturnCode.IdentifierRejected, "identifier rejected")]
    [InlineData(MqttConnectReturnCode.ServerUnavailable, "server unavailable")]
    [InlineData(MqttConnectReturnCode.BadUserNameOrPassword, "bad user name or password")]
    [InlineData(MqttConnectReturnCode.NotAuthorized, "not authorized")]
    public async Task A_refusing_connack_is_a_connect_exception_with_the_code_and_its_meaning(MqttConnectReturnCode code, string meaning)
    {
        var error = await ConnectFailsWith<MqttConnectException>(c => c.SendAsync(new MqttConnAckPacket(false, code)));
        Assert.Equal(code, error.ReturnCode);
        Assert.Contains($"return code {(int)code} ({meaning}", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_puback_for_an_unknown_packet_identifier_closes_the_connection_with_a_violation()
    {
        var disconnects = new Disconnects(_client);
        var connecting = _client.ConnectAsync(_broker.Options(), TestContext.Current.CancellationToken);
        var connection = await _broker.AcceptClientAsync();
        await connecting;

        await connection.SendAsync(new MqttPubAckPacket(4711));

        var args = await disconnects.First;
        var error = Assert.IsType<MqttProtocolViolationException>(args.Exception);
        Assert.Equal("MQTT-2.3.1-6", error.Clause);
        Assert.Contains("4711", error.Message, StringComparison.Ordinal);
        Assert.False(args.ClientInitiated);
        Assert.False(_client.IsConnected);
        Assert.Empty(await connection.ReadUntilClosedAsync());
    }

    [Fact]
    public async Task A_second_connack_closes_the_connection()
    {
        var disconnects = new Disconnects(_client);
        var connecting = _client.ConnectAsync(_broker.Options(), TestContext.Current.CancellationToken);
        var connection = await _broker.AcceptClientAsync();
        await connecting;

        await connection.SendAsync(new MqttConnAckPacket(false, MqttConnectReturnCode.ConnectionAccepted));

        Assert.IsType<MqttProtocolViolationException>((await disconnects.First).Exception);
    }

    [Fact]
    public async Task A_qos2_publish_from_the_broker_is_refused_clearly()
    {
        var disconnects = new Disconnects(_client);
        var connecting = _client.ConnectAsync(_broker.Options(), TestContext.Current.CancellationToken);
        var connection = await _broker.AcceptClientAsync();
        await connecting;

        await connection.SendAsync(new MqttPublishPacket { Topic = "t", QualityOfServiceLevel = MqttQualityOfServiceLevel.ExactlyOnce, PacketIdentifier = 9 });

        var error = Assert.IsType<MqttProtocolViolationException>((await disconnects.First).Exception);
        Assert.Contains("QoS 2", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_packet_over_the_clients_size_limit_closes_the_connection_before_the_body_arrives()
    {
        var disconnects = new Disconnects(_client);
        var connecting = _client.ConnectAsync(_broker.Options(), TestContext.Current.CancellationToken);
        var connection = await _broker.AcceptClientAsync();
        await connecting;

        await connection.SendRawAsync([0x30, 0xFF, 0xFF, 0xFF, 0x7F]); // announces 268,435,455 bytes

        var error = Assert.IsType<MqttPacketTooLargeException>((await disconnects.First).Exception);
        Assert.Equal(268_435_455, error.RemainingLength);
    }

    [Fact]
    public async Task Silence_after_pingreq_declares_the_connection_dead_and_fails_every_waiter_with_the_cause()
    {
        var disconnects = new Disconnects(_client);
        var connecting = _client.ConnectAsync(_broker.Options(keepAliveSeconds: 1, timeoutSeconds: 0.5), TestContext.Current.CancellationToken);
        var connection = await _broker.AcceptClientAsync();
        await connecting;
        var publish = _client.PublishAsync("t", "x"u8.ToArray(), MqttQualityOfServiceLevel.AtLeastOnce, cancellationToken: TestContext.Current.CancellationToken);
        Assert.IsType<MqttPublishPacket>(await connection.ReadAsync());

        Assert.IsType<MqttPingReqPacket>(await connection.ReadAsync()); // never answered

        var cause = Assert.IsType<MqttTimeoutException>((await disconnects.First).Exception);
        Assert.Contains("no PINGRESP", cause.Message, StringComparison.Ordinal);
        var failed = await Assert.ThrowsAsync<MqttSessionDiscardedException>(() => publish);
        Assert.Same(cause, failed.InnerException);
        Assert.Equal(0, _client.PendingPublishCount);
    }

    [Fact]
    public async Task A_subscribe_waiting_for_its_suback_fails_with_the_cause_when_the_broker_drops()
    {
        var connecting = _client.ConnectAsync(_broker.Options(), TestContext.Current.CancellationToken);
        var connection = await _broker.AcceptClientAsync();
        await connecting;

        var subscribing = _client.SubscribeAsync("a/#", cancellationToken: TestContext.Current.CancellationToken);
        Assert.IsType<MqttSubscribePacket>(await connection.ReadAsync());
        connection.Drop();

        var error = await Assert.ThrowsAsync<MqttCommunicationException>(() => subscribing.WaitAsync(ScriptedBroker.Patience, TestContext.Current.CancellationToken));
        Assert.Contains("closed the connection", error.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<MqttClientNotConnectedException>(() => _client.PublishAsync("t", default, cancellationToken: TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task A_suback_that_never_comes_times_out_and_closes_the_connection()
    {
        var connecting = _client.ConnectAsync(_broker.Options(timeoutSeconds: 0.3), TestContext.Current.CancellationToken);
        var connection = await _broker.AcceptClientAsync();
        await connecting;

        var error = await Assert.ThrowsAsync<MqttTimeoutException>(() => _client.SubscribeAsync("a/#", cancellationToken: TestContext.Current.CancellationToken));
        Assert.Contains("no SUBACK", error.Message, StringComparison.Ordinal);
        Assert.False(_client.IsConnected);
    }
}
