using System.Buffers;
using System.Text;
using Gateway.Mqtt.Formatter;
using Gateway.Mqtt.Framing;
using Gateway.Mqtt.Packets;

namespace Gateway.Mqtt.Tests.Codec;

/// <summary>
/// The golden byte vectors of ../shared/reference/HARDWARE-AND-PROTOCOL-FACTS.md (MQTTnet's V3 binary serialization
/// tests), both ways, and a round trip for every packet type.
/// </summary>
public sealed class GoldenVectorTests
{
    private const string Connect = "10 1B 00 04 4D 51 54 54 04 C2 00 7B 00 03 58 59 5A 00 04 55 53 45 52 00 04 50 41 53 53";
    private const string Publish = "3B 0E 00 05 41 2F 42 2F 43 00 7B 48 45 4C 4C 4F";
    private const string PubAck = "40 02 00 7B";
    private const string SubAck = "90 06 00 7B 00 01 02 80";
    private const string ConnAck = "20 02 01 05";

    [Fact]
    public void Connect_with_client_id_user_password_keep_alive_123_and_clean_session_encodes_to_the_golden_bytes()
    {
        var packet = new MqttConnectPacket
        {
            ClientId = "XYZ",
            Username = "USER",
            Password = Encoding.UTF8.GetBytes("PASS"),
            KeepAliveSeconds = 123,
            CleanSession = true,
        };

        Assert.Equal(Hex.Of(Hex.Bytes(Connect)), Hex.Of(MqttPacketEncoder.Encode(packet)));

        var decoded = Assert.IsType<MqttConnectPacket>(Decode(Connect));
        Assert.Equal("XYZ", decoded.ClientId);
        Assert.Equal("USER", decoded.Username);
        Assert.Equal("PASS", Encoding.UTF8.GetString(decoded.Password!.Value.Span));
        Assert.Equal(123, decoded.KeepAliveSeconds);
        Assert.True(decoded.CleanSession);
        Assert.Null(decoded.Will);
    }

    [Fact]
    public void Publish_qos1_dup_retain_encodes_to_the_golden_bytes_and_back()
    {
        var bytes = new byte[MqttPacketEncoder.GetPublishSize("A/B/C", 5, MqttQualityOfServiceLevel.AtLeastOnce)];
        var written = MqttPacketEncoder.EncodePublish(bytes, "A/B/C", "HELLO"u8, MqttQualityOfServiceLevel.AtLeastOnce, retain: true, dup: true, 123);

        Assert.Equal(bytes.Length, written);
        Assert.Equal(Hex.Of(Hex.Bytes(Publish)), Hex.Of(bytes));

        var decoded = Assert.IsType<MqttPublishPacket>(Decode(Publish));
        Assert.Equal("A/B/C", decoded.Topic);
        Assert.Equal("HELLO", Encoding.UTF8.GetString(decoded.Payload.Span));
        Assert.Equal(MqttQualityOfServiceLevel.AtLeastOnce, decoded.QualityOfServiceLevel);
        Assert.True(decoded.Dup);
        Assert.True(decoded.Retain);
        Assert.Equal(123, decoded.PacketIdentifier);
    }

    [Fact]
    public void PubAck_123_is_40_02_00_7B()
    {
        var bytes = new byte[4];
        MqttPacketEncoder.EncodePubAck(bytes, 123);
        Assert.Equal(Hex.Of(Hex.Bytes(PubAck)), Hex.Of(bytes));
        Assert.Equal(new MqttPubAckPacket(123), Decode(PubAck));
    }

    [Fact]
    public void SubAck_with_granted_0_1_2_and_a_failure_decodes_from_the_golden_bytes()
    {
        var decoded = Assert.IsType<MqttSubAckPacket>(Decode(SubAck));
        Assert.Equal(123, decoded.PacketIdentifier);
        Assert.Equal(
            [MqttSubscribeReturnCode.GrantedQos0, MqttSubscribeReturnCode.GrantedQos1, MqttSubscribeReturnCode.GrantedQos2, MqttSubscribeReturnCode.Failure],
            decoded.ReturnCodes);
        Assert.Equal(Hex.Of(Hex.Bytes(SubAck)), Hex.Of(MqttPacketEncoder.Encode(decoded)));
    }

    [Fact]
    public void ConnAck_session_present_with_code_5_is_not_a_valid_combination()
    {
        // The reference vector (MQTTnet's) sets session present with return code 5; MQTT-3.2.2-4 forbids that
        // combination, so we encode it faithfully but refuse it when decoding.
        var bytes = new byte[4];
        MqttPacketEncoder.EncodeConnAck(bytes, sessionPresent: true, MqttConnectReturnCode.NotAuthorized);
        Assert.Equal(Hex.Of(Hex.Bytes(ConnAck)), Hex.Of(bytes));

        var error = Assert.Throws<MqttProtocolViolationException>(() => Decode(ConnAck));
        Assert.Equal("MQTT-3.2.2-4", error.Clause);
        Assert.Equal(new MqttConnAckPacket(false, MqttConnectReturnCode.NotAuthorized), Decode("20 02 00 05"));
    }

    [Fact]
    public void PingReq_PingResp_and_Disconnect_are_two_bytes()
    {
        Assert.Equal("C000", Hex.Of(MqttPacketEncoder.Encode(MqttPingReqPacket.Instance)));
        Assert.Equal("D000", Hex.Of(MqttPacketEncoder.Encode(MqttPingRespPacket.Instance)));
        Assert.Equal("E000", Hex.Of(MqttPacketEncoder.Encode(MqttDisconnectPacket.Instance)));
        Assert.Same(MqttPingRespPacket.Instance, Decode("D0 00"));
    }

    [Fact]
    public void Subscribe_and_unsubscribe_carry_flags_0010_and_round_trip()
    {
        var subscribe = new MqttSubscribePacket(7, [new MqttTopicFilter("a/+/c", MqttQualityOfServiceLevel.AtLeastOnce), new MqttTopicFilter("#", MqttQualityOfServiceLevel.AtMostOnce)]);
        var bytes = MqttPacketEncoder.Encode(subscribe);
        Assert.Equal("82 0E 00 07 00 05 61 2F 2B 2F 63 01 00 01 23 00".Replace(" ", string.Empty, StringComparison.Ordinal), Hex.Of(bytes));
        var decoded = Assert.IsType<MqttSubscribePacket>(Decode(Hex.Of(bytes)));
        Assert.Equal(subscribe.TopicFilters, decoded.TopicFilters);

        var unsubscribe = new MqttUnsubscribePacket(8, ["a/+/c"]);
        bytes = MqttPacketEncoder.Encode(unsubscribe);
        Assert.Equal("A2 09 00 08 00 05 61 2F 2B 2F 63".Replace(" ", string.Empty, StringComparison.Ordinal), Hex.Of(bytes));
        Assert.Equal(unsubscribe.TopicFilters, Assert.IsType<MqttUnsubscribePacket>(Decode(Hex.Of(bytes))).TopicFilters);
        Assert.Equal(new MqttUnsubAckPacket(8), Decode(Hex.Of(MqttPacketEncoder.Encode(new MqttUnsubAckPacket(8)))));
    }

    [Fact]
    public void Connect_with_a_will_sets_will_flag_qos_and_retain_and_round_trips()
    {
        var packet = new MqttConnectPacket
        {
            ClientId = "gw",
            KeepAliveSeconds = 30,
            Will = new MqttApplicationMessage { Topic = "gw/status", Payload = "offline"u8.ToArray(), QualityOfServiceLevel = MqttQualityOfServiceLevel.AtLeastOnce, Retain = true },
        };
        var bytes = MqttPacketEncoder.Encode(packet);

        // Flags byte: will retain 0x20 | will QoS 1 << 3 | will 0x04 = 0x2C (clean session off).
        Assert.Equal(0x2C, bytes[9]);
        var decoded = Assert.IsType<MqttConnectPacket>(Decode(Hex.Of(bytes)));
        Assert.Equal("gw/status", decoded.Will!.Topic);
        Assert.Equal("offline", Encoding.UTF8.GetString(decoded.Will.Payload.Span));
        Assert.Equal(MqttQualityOfServiceLevel.AtLeastOnce, decoded.Will.QualityOfServiceLevel);
        Assert.True(decoded.Will.Retain);
        Assert.False(decoded.CleanSession);
    }

    [Fact]
    public void A_large_publish_uses_a_four_byte_length_and_decodes_from_a_segmented_buffer()
    {
        var payload = new byte[2_097_152];
        payload[^1] = 0x42;
        var bytes = new byte[MqttPacketEncoder.GetPublishSize("t", payload.Length, MqttQualityOfServiceLevel.AtMostOnce)];
        MqttPacketEncoder.EncodePublish(bytes, "t", payload, MqttQualityOfServiceLevel.AtMostOnce, false, false, 0);
        Assert.Equal(1 + 4 + 3 + payload.Length, bytes.Length);

        var sequence = Segments.Split(bytes, 1000);
        Assert.True(MqttFrameReader.TryRead(ref sequence, MqttRemainingLength.Maximum, out var frame));
        Assert.True(sequence.IsEmpty);
        var decoded = MqttPacketDecoder.DecodePublish(frame);
        Assert.Equal(payload.Length, decoded.Payload.Length);
        Assert.Equal(0x42, decoded.Payload.Span[^1]);
    }

    private static MqttPacket Decode(string hex)
    {
        var buffer = new ReadOnlySequence<byte>(Hex.Bytes(hex));
        Assert.True(MqttFrameReader.TryRead(ref buffer, MqttRemainingLength.Maximum, out var frame));
        Assert.True(buffer.IsEmpty);
        return MqttPacketDecoder.Decode(frame);
    }
}
