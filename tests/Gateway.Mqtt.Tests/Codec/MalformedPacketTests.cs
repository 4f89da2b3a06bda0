using System.Buffers;
using Gateway.Mqtt.Formatter;
using Gateway.Mqtt.Framing;
using Gateway.Mqtt.Packets;

namespace Gateway.Mqtt.Tests.Codec;

/// <summary>Bytes a broker must never send: each is a typed error naming the clause it breaks.</summary>
public sealed class MalformedPacketTests
{
    [Theory]
    [InlineData("20 03 00 00 00", "MQTT-3.2.1")] // CONNACK with remaining length 3
    [InlineData("20 01 00", "MQTT-3.2.1")] // CONNACK with remaining length 1
    [InlineData("20 02 02 00", "MQTT-3.2.2.1")] // reserved acknowledge flag bit
    [InlineData("20 02 00 06", "MQTT-3.2.2.3")] // reserved return code
    [InlineData("21 02 00 00", "MQTT-2.2.2-2")] // CONNACK flags must be 0
    [InlineData("36 05 00 01 61 00 01", "MQTT-3.3.1-4")] // PUBLISH QoS 3
    [InlineData("38 03 00 01 61", "MQTT-3.3.1-2")] // DUP on QoS 0
    [InlineData("32 05 00 01 61 00 00", "MQTT-2.3.1-1")] // QoS 1 with packet id 0
    [InlineData("30 03 00 01 23", "MQTT-3.3.2-2")] // topic name '#'
    [InlineData("30 02 00 00", "MQTT-4.7.3-1")] // empty topic name
    [InlineData("30 03 00 01 FF", "MQTT-1.5.3-1")] // invalid UTF-8
    [InlineData("30 03 00 01 00", "MQTT-1.5.3-2")] // U+0000 in the topic
    [InlineData("30 04 00 05 41 42", "MQTT-2.2.3")] // string longer than the packet
    [InlineData("32 04 00 01 61 00", "MQTT-2.2.3")] // packet id cut off
    [InlineData("40 03 00 01 00", "MQTT-3.4.1")] // PUBACK with remaining length 3
    [InlineData("42 02 00 01", "MQTT-2.2.2-2")] // PUBACK flags must be 0
    [InlineData("90 02 00 01", "MQTT-3.8.4-5")] // SUBACK without return codes
    [InlineData("90 03 00 01 03", "MQTT-3.9.3-2")] // SUBACK reserved return code
    [InlineData("B0 01 00", "MQTT-3.11.1")] // UNSUBACK too short
    [InlineData("D0 01 00", "MQTT-3.13.1")] // PINGRESP with a body
    [InlineData("50 02 00 01", "MQTT-4.3.3")] // PUBREC: QoS 2 flow, never asked for
    [InlineData("80 06 00 01 00 01 61 00", "MQTT-2.2.2-2")] // SUBSCRIBE without flags 0010
    [InlineData("82 06 00 01 00 01 61 03", "MQTT-3.8.3-4")] // SUBSCRIBE QoS 3
    [InlineData("82 02 00 01", "MQTT-3.8.3-3")] // SUBSCRIBE without filters
    [InlineData("82 08 00 01 00 03 61 23 62 00", "MQTT-4.7.1-2")] // filter 'a#b'
    [InlineData("A2 02 00 01", "MQTT-3.10.3-2")] // UNSUBSCRIBE without filters
    [InlineData("10 0C 00 04 4D 51 49 73 04 02 00 00 00 00", "MQTT-3.1.2-1")] // protocol name 'MQIs'
    [InlineData("10 0C 00 04 4D 51 54 54 03 02 00 00 00 00", "MQTT-3.1.2-2")] // level 3
    [InlineData("10 0C 00 04 4D 51 54 54 04 03 00 00 00 00", "MQTT-3.1.2-3")] // reserved flag
    [InlineData("10 0C 00 04 4D 51 54 54 04 42 00 00 00 00", "MQTT-3.1.2-22")] // password without user
    [InlineData("10 0C 00 04 4D 51 54 54 04 22 00 00 00 00", "MQTT-3.1.2-11")] // will retain without will
    public void A_malformed_packet_is_a_typed_error_naming_its_clause(string hex, string clause)
    {
        var buffer = new ReadOnlySequence<byte>(Hex.Bytes(hex));
        Assert.True(MqttFrameReader.TryRead(ref buffer, MqttRemainingLength.Maximum, out var frame));
        var error = Assert.Throws<MqttProtocolViolationException>(() => MqttPacketDecoder.Decode(frame));
        Assert.Equal(clause, error.Clause);
        Assert.StartsWith(clause + ": ", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("00 00")]
    [InlineData("F0 00")]
    public void A_reserved_packet_type_is_rejected_by_the_framer(string hex)
    {
        var buffer = new ReadOnlySequence<byte>(Hex.Bytes(hex));
        var error = Assert.Throws<MqttProtocolViolationException>(() => MqttFrameReader.TryRead(ref buffer, 100, out _));
        Assert.Equal("MQTT-2.2.1", error.Clause);
    }

    [Fact]
    public void A_packet_over_the_size_limit_is_refused_as_soon_as_its_header_is_read()
    {
        var buffer = new ReadOnlySequence<byte>(Hex.Bytes("30 FF FF 03")); // announces 65535 bytes, none present
        var error = Assert.Throws<MqttPacketTooLargeException>(() => MqttFrameReader.TryRead(ref buffer, 1024, out _));
        Assert.Equal(65_535, error.RemainingLength);
        Assert.Equal(1024, error.Limit);
    }

    [Fact]
    public void Frames_are_cut_whole_out_of_a_byte_stream_and_a_partial_one_waits()
    {
        var bytes = Hex.Bytes("40 02 00 01 D0 00 40 02 00 02 90 03 00");
        var buffer = Segments.Split(bytes, 3);

        Assert.True(MqttFrameReader.TryRead(ref buffer, 100, out var first));
        Assert.Equal(1, MqttPacketDecoder.DecodePubAck(first));
        Assert.True(MqttFrameReader.TryRead(ref buffer, 100, out var second));
        Assert.Equal(MqttPacketType.PingResp, second.Type);
        Assert.True(MqttFrameReader.TryRead(ref buffer, 100, out var third));
        Assert.Equal(2, MqttPacketDecoder.DecodePubAck(third));
        var before = buffer.Length;
        Assert.False(MqttFrameReader.TryRead(ref buffer, 100, out _));
        Assert.Equal(before, buffer.Length);
    }

    [Fact]
    public void Invalid_outgoing_packets_are_refused_with_the_clause()
    {
        Assert.Contains("MQTT-3.3.2-2", Assert.Throws<ArgumentException>(() => MqttPacketEncoder.GetPublishSize("a/+", 0, MqttQualityOfServiceLevel.AtMostOnce)).Message, StringComparison.Ordinal);
        Assert.Contains("MQTT-2.3.1-1", Assert.Throws<ArgumentException>(() => MqttPacketEncoder.EncodePublish(new byte[16], "a", default, MqttQualityOfServiceLevel.AtLeastOnce, false, false, 0)).Message, StringComparison.Ordinal);
        Assert.Contains("MQTT-3.3.1-2", Assert.Throws<ArgumentException>(() => MqttPacketEncoder.EncodePublish(new byte[16], "a", default, MqttQualityOfServiceLevel.AtMostOnce, false, true, 0)).Message, StringComparison.Ordinal);
        Assert.Contains("MQTT-3.1.2-22", Assert.Throws<ArgumentException>(() => MqttPacketEncoder.Encode(new MqttConnectPacket { ClientId = "x", Password = new byte[1] })).Message, StringComparison.Ordinal);
        Assert.Contains("MQTT-3.1.3-7", Assert.Throws<ArgumentException>(() => MqttPacketEncoder.Encode(new MqttConnectPacket { ClientId = string.Empty, CleanSession = false })).Message, StringComparison.Ordinal);
        Assert.Contains("MQTT-4.7.1-3", Assert.Throws<ArgumentException>(() => MqttPacketEncoder.Encode(new MqttSubscribePacket(1, [new MqttTopicFilter("a/b+")]))).Message, StringComparison.Ordinal);
        Assert.Contains("MQTT-2.2.3", Assert.Throws<ArgumentException>(() => MqttPacketEncoder.GetPublishSize("a", MqttRemainingLength.Maximum, MqttQualityOfServiceLevel.AtMostOnce)).Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("a/b", true)]
    [InlineData("+", true)]
    [InlineData("+/+/#", true)]
    [InlineData("#", true)]
    [InlineData("a/#", true)]
    [InlineData("/", true)]
    [InlineData("a#", false)]
    [InlineData("a/#/b", false)]
    [InlineData("a+/b", false)]
    [InlineData("a/+b", false)]
    [InlineData("", false)]
    public void Topic_filters_follow_the_wildcard_rules_of_MQTT_4_7_1(string filter, bool valid) =>
        Assert.Equal(valid, MqttTopic.CheckTopicFilter(filter) is null);
}
