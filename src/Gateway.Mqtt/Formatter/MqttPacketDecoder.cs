using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using Gateway.Mqtt.Framing;
using Gateway.Mqtt.Packets;

namespace Gateway.Mqtt.Formatter;

/// <summary>
/// Bytes to packets (MQTT-2 and MQTT-3): pure functions over a <see cref="MqttFrame"/>. Anything that breaks the
/// specification throws <see cref="MqttProtocolViolationException"/> naming the clause. The per-type decoders for
/// the packets a client receives most (PUBACK, PINGRESP) allocate nothing.
/// </summary>
public static class MqttPacketDecoder
{
    private static UTF8Encoding Utf8 => MqttTopic.StrictUtf8;

    /// <summary>Decodes a whole packet of any MQTT 3.1.1 type but the QoS 2 ones (PUBREC, PUBREL, PUBCOMP), which this client never uses.</summary>
    public static MqttPacket Decode(in MqttFrame frame) => frame.Type switch
    {
        MqttPacketType.Connect => DecodeConnect(frame),
        MqttPacketType.ConnAck => DecodeConnAck(frame),
        MqttPacketType.Publish => DecodePublish(frame),
        MqttPacketType.PubAck => new MqttPubAckPacket(DecodePubAck(frame)),
        MqttPacketType.Subscribe => DecodeSubscribe(frame),
        MqttPacketType.SubAck => DecodeSubAck(frame),
        MqttPacketType.Unsubscribe => DecodeUnsubscribe(frame),
        MqttPacketType.UnsubAck => new MqttUnsubAckPacket(DecodeUnsubAck(frame)),
        MqttPacketType.PingReq => DecodeEmpty(frame, MqttPingReqPacket.Instance, "MQTT-3.12.1"),
        MqttPacketType.PingResp => DecodeEmpty(frame, MqttPingRespPacket.Instance, "MQTT-3.13.1"),
        MqttPacketType.Disconnect => DecodeEmpty(frame, MqttDisconnectPacket.Instance, "MQTT-3.14.1"),
        MqttPacketType.PubRec or MqttPacketType.PubRel or MqttPacketType.PubComp => throw QosTwoNotSupported(frame.Type),
        _ => throw new MqttProtocolViolationException("MQTT-2.2.1", $"packet type {(int)frame.Type} is reserved"),
    };

    /// <summary>Decodes a CONNACK: remaining length 2, reserved flag bits 0, a defined return code, no session with a refusal.</summary>
    public static MqttConnAckPacket DecodeConnAck(in MqttFrame frame)
    {
        Expect(frame, MqttPacketType.ConnAck);
        CheckFlags(frame, 0);
        if (frame.RemainingLength != 2)
        {
            throw new MqttProtocolViolationException("MQTT-3.2.1", $"CONNACK remaining length must be 2, was {frame.RemainingLength}");
        }

        var reader = new SequenceReader<byte>(frame.Body);
        reader.TryRead(out var acknowledgeFlags);
        reader.TryRead(out var code);
        if ((acknowledgeFlags & 0xFE) != 0)
        {
            throw new MqttProtocolViolationException("MQTT-3.2.2.1", $"CONNACK acknowledge flags 0x{acknowledgeFlags:X2} set reserved bits 7-1");
        }

        if (code > (byte)MqttConnectReturnCode.NotAuthorized)
        {
            throw new MqttProtocolViolationException("MQTT-3.2.2.3", $"CONNACK return code {code} is reserved (defined: 0-5)");
        }

        var sessionPresent = (acknowledgeFlags & 0x01) != 0;
        if (sessionPresent && code != 0)
        {
            throw new MqttProtocolViolationException("MQTT-3.2.2-4", $"CONNACK refuses the connection (code {code}) yet claims a session is present");
        }

        return new MqttConnAckPacket(sessionPresent, (MqttConnectReturnCode)code);
    }

    /// <summary>Decodes a PUBLISH; the payload is copied out of the frame.</summary>
    public static MqttPublishPacket DecodePublish(in MqttFrame frame)
    {
        Expect(frame, MqttPacketType.Publish);
        var qos = (frame.Flags >> 1) & 0x03;
        if (qos == 3)
        {
            throw new MqttProtocolViolationException("MQTT-3.3.1-4", "PUBLISH has both QoS bits set (QoS 3 does not exist)");
        }

        var dup = (frame.Flags & 0x08) != 0;
        if (dup && qos == 0)
        {
            throw new MqttProtocolViolationException("MQTT-3.3.1-2", "PUBLISH with QoS 0 has the DUP flag set");
        }

        var reader = new SequenceReader<byte>(frame.Body);
        var topic = ReadString(ref reader, "PUBLISH topic name");
        var problem = MqttTopic.CheckTopicName(topic);
        if (problem is not null)
        {
            throw Violation(problem);
        }

        ushort id = 0;
        if (qos > 0)
        {
            id = ReadUInt16(ref reader, "PUBLISH packet identifier");
            if (id == 0)
            {
                throw new MqttProtocolViolationException("MQTT-2.3.1-1", $"a QoS {qos} PUBLISH carries packet identifier 0");
            }
        }

        var payload = reader.UnreadSequence.ToArray();
        return new MqttPublishPacket
        {
            Topic = topic,
            Payload = payload,
            QualityOfServiceLevel = (MqttQualityOfServiceLevel)qos,
            Retain = (frame.Flags & 0x01) != 0,
            Dup = dup,
            PacketIdentifier = id,
        };
    }

    /// <summary>Decodes a PUBACK (<c>40 02 id</c>) to its packet identifier.</summary>
    public static ushort DecodePubAck(in MqttFrame frame) => DecodeIdentifierOnly(frame, MqttPacketType.PubAck, "MQTT-3.4.1");

    /// <summary>Decodes an UNSUBACK (<c>B0 02 id</c>) to its packet identifier.</summary>
    public static ushort DecodeUnsubAck(in MqttFrame frame) => DecodeIdentifierOnly(frame, MqttPacketType.UnsubAck, "MQTT-3.11.1");

    /// <summary>Checks a PINGRESP (<c>D0 00</c>).</summary>
    public static void DecodePingResp(in MqttFrame frame) => DecodeEmpty(frame, MqttPingRespPacket.Instance, "MQTT-3.13.1");

    /// <summary>Decodes a SUBACK: an identifier and one defined return code per filter [MQTT-3.9.3-2].</summary>
    public static MqttSubAckPacket DecodeSubAck(in MqttFrame frame)
    {
        Expect(frame, MqttPacketType.SubAck);
        CheckFlags(frame, 0);
        var reader = new SequenceReader<byte>(frame.Body);
        var id = ReadUInt16(ref reader, "SUBACK packet identifier");
        if (reader.Remaining == 0)
        {
            throw new MqttProtocolViolationException("MQTT-3.8.4-5", "SUBACK carries no return code (one per topic filter is required)");
        }

        var codes = new MqttSubscribeReturnCode[reader.Remaining];
        for (var i = 0; i < codes.Length; i++)
        {
            reader.TryRead(out var code);
            if (code is not (0x00 or 0x01 or 0x02 or 0x80))
            {
                throw new MqttProtocolViolationException("MQTT-3.9.3-2", $"SUBACK return code 0x{code:X2} is reserved (defined: 0x00, 0x01, 0x02, 0x80)");
            }

            codes[i] = (MqttSubscribeReturnCode)code;
        }

        return new MqttSubAckPacket(id, codes);
    }

    /// <summary>Decodes a CONNECT (what a broker receives; used by test brokers and round-trip tests).</summary>
    public static MqttConnectPacket DecodeConnect(in MqttFrame frame)
    {
        Expect(frame, MqttPacketType.Connect);
        CheckFlags(frame, 0);
        var reader = new SequenceReader<byte>(frame.Body);
        var name = ReadString(ref reader, "CONNECT protocol name");
        if (name != MqttPacketEncoder.ProtocolName)
        {
            throw new MqttProtocolViolationException("MQTT-3.1.2-1", $"CONNECT protocol name is '{name}', not 'MQTT'");
        }

        var level = ReadByte(ref reader, "CONNECT protocol level");
        if (level != MqttPacketEncoder.ProtocolLevel)
        {
            throw new MqttProtocolViolationException("MQTT-3.1.2-2", $"CONNECT protocol level is {level}; MQTT 3.1.1 is 4");
        }

        var flags = ReadByte(ref reader, "CONNECT flags");
        if ((flags & 0x01) != 0)
        {
            throw new MqttProtocolViolationException("MQTT-3.1.2-3", "CONNECT sets the reserved flag bit 0");
        }

        var hasUser = (flags & 0x80) != 0;
        var hasPassword = (flags & 0x40) != 0;
        var willRetain = (flags & 0x20) != 0;
        var willQos = (flags >> 3) & 0x03;
        var hasWill = (flags & 0x04) != 0;
        if (!hasWill && (willQos != 0 || willRetain))
        {
            throw new MqttProtocolViolationException("MQTT-3.1.2-11", "CONNECT has no will yet sets will QoS or will retain");
        }

        if (willQos == 3)
        {
            throw new MqttProtocolViolationException("MQTT-3.1.2-14", "CONNECT will QoS is 3");
        }

        if (hasPassword && !hasUser)
        {
            throw new MqttProtocolViolationException("MQTT-3.1.2-22", "CONNECT has a password flag without the user name flag");
        }

        var keepAlive = ReadUInt16(ref reader, "CONNECT keep alive");
        var clientId = ReadString(ref reader, "CONNECT client id");
        MqttApplicationMessage? will = null;
        if (hasWill)
        {
            var topic = ReadString(ref reader, "CONNECT will topic");
            var problem = MqttTopic.CheckTopicName(topic);
            if (problem is not null)
            {
                throw Violation(problem);
            }

            will = new MqttApplicationMessage
            {
                Topic = topic,
                Payload = ReadBinary(ref reader, "CONNECT will message"),
                QualityOfServiceLevel = (MqttQualityOfServiceLevel)willQos,
                Retain = willRetain,
            };
        }

        var user = hasUser ? ReadString(ref reader, "CONNECT user name") : null;
        ReadOnlyMemory<byte>? password = hasPassword ? ReadBinary(ref reader, "CONNECT password") : null;
        ExpectEnd(reader, "CONNECT", "MQTT-3.1.3");
        return new MqttConnectPacket
        {
            ClientId = clientId,
            CleanSession = (flags & 0x02) != 0,
            KeepAliveSeconds = keepAlive,
            Username = user,
            Password = password,
            Will = will,
        };
    }

    /// <summary>Decodes a SUBSCRIBE: flags 0010, a non-zero identifier, at least one filter with QoS 0–2.</summary>
    public static MqttSubscribePacket DecodeSubscribe(in MqttFrame frame)
    {
        Expect(frame, MqttPacketType.Subscribe);
        CheckFlags(frame, 0x02);
        var reader = new SequenceReader<byte>(frame.Body);
        var id = ReadNonZeroIdentifier(ref reader, "SUBSCRIBE");
        var filters = new List<MqttTopicFilter>();
        while (reader.Remaining > 0)
        {
            var filter = ReadFilter(ref reader, "SUBSCRIBE topic filter");
            var qos = ReadByte(ref reader, "SUBSCRIBE requested QoS");
            if (qos > 2)
            {
                throw new MqttProtocolViolationException("MQTT-3.8.3-4", $"SUBSCRIBE requested QoS byte 0x{qos:X2} for '{filter}' is not 0, 1 or 2");
            }

            filters.Add(new MqttTopicFilter(filter, (MqttQualityOfServiceLevel)qos));
        }

        if (filters.Count == 0)
        {
            throw new MqttProtocolViolationException("MQTT-3.8.3-3", "SUBSCRIBE carries no topic filter");
        }

        return new MqttSubscribePacket(id, filters);
    }

    /// <summary>Decodes an UNSUBSCRIBE: flags 0010, a non-zero identifier, at least one filter.</summary>
    public static MqttUnsubscribePacket DecodeUnsubscribe(in MqttFrame frame)
    {
        Expect(frame, MqttPacketType.Unsubscribe);
        CheckFlags(frame, 0x02);
        var reader = new SequenceReader<byte>(frame.Body);
        var id = ReadNonZeroIdentifier(ref reader, "UNSUBSCRIBE");
        var filters = new List<string>();
        while (reader.Remaining > 0)
        {
            filters.Add(ReadFilter(ref reader, "UNSUBSCRIBE topic filter"));
        }

        if (filters.Count == 0)
        {
            throw new MqttProtocolViolationException("MQTT-3.10.3-2", "UNSUBSCRIBE carries no topic filter");
        }

        return new MqttUnsubscribePacket(id, filters);
    }

    internal static MqttProtocolViolationException QosTwoNotSupported(MqttPacketType type) => new(
        "MQTT-4.3.3",
        $"received {type.ToString().ToUpperInvariant()}, part of the QoS 2 flow; this client never publishes with QoS 2 and subscribes with at most QoS 1, so the broker must not send it");

    private static ushort DecodeIdentifierOnly(in MqttFrame frame, MqttPacketType type, string lengthClause)
    {
        Expect(frame, type);
        CheckFlags(frame, 0);
        if (frame.RemainingLength != 2)
        {
            throw new MqttProtocolViolationException(lengthClause, $"{Name(type)} remaining length must be 2, was {frame.RemainingLength}");
        }

        Span<byte> two = stackalloc byte[2];
        frame.Body.CopyTo(two);
        return BinaryPrimitives.ReadUInt16BigEndian(two);
    }

    private static T DecodeEmpty<T>(in MqttFrame frame, T instance, string clause)
        where T : MqttPacket
    {
        CheckFlags(frame, 0);
        if (frame.RemainingLength != 0)
        {
            throw new MqttProtocolViolationException(clause, $"{Name(frame.Type)} remaining length must be 0, was {frame.RemainingLength}");
        }

        return instance;
    }

    private static void Expect(in MqttFrame frame, MqttPacketType type)
    {
        if (frame.Type != type)
        {
            throw new ArgumentException($"the frame is a {Name(frame.Type)}, not a {Name(type)}", nameof(frame));
        }
    }

    private static void CheckFlags(in MqttFrame frame, byte expected)
    {
        if (frame.Flags != expected)
        {
            // MQTT-2.2.2-1: the reserved flags must be as Table 2.2 lists; MQTT-2.2.2-2: otherwise close the connection.
            throw new MqttProtocolViolationException("MQTT-2.2.2-2", $"{Name(frame.Type)} fixed header flags are 0x{frame.Flags:X}, must be 0x{expected:X}");
        }
    }

    private static ushort ReadNonZeroIdentifier(ref SequenceReader<byte> reader, string packet)
    {
        var id = ReadUInt16(ref reader, $"{packet} packet identifier");
        return id != 0 ? id : throw new MqttProtocolViolationException("MQTT-2.3.1-1", $"{packet} carries packet identifier 0");
    }

    private static string ReadFilter(ref SequenceReader<byte> reader, string what)
    {
        var filter = ReadString(ref reader, what);
        var problem = MqttTopic.CheckTopicFilter(filter);
        return problem is null ? filter : throw Violation(problem);
    }

    private static byte ReadByte(ref SequenceReader<byte> reader, string what) =>
        reader.TryRead(out var b) ? b : throw Truncated(what, 1, reader.Remaining);

    private static ushort ReadUInt16(ref SequenceReader<byte> reader, string what) =>
        reader.TryReadBigEndian(out short value) ? (ushort)value : throw Truncated(what, 2, reader.Remaining);

    private static byte[] ReadBinary(ref SequenceReader<byte> reader, string what)
    {
        var length = ReadUInt16(ref reader, $"{what} length");
        if (reader.Remaining < length)
        {
            throw Truncated(what, length, reader.Remaining);
        }

        var bytes = reader.UnreadSequence.Slice(0, length).ToArray();
        reader.Advance(length);
        return bytes;
    }

    private static string ReadString(ref SequenceReader<byte> reader, string what)
    {
        var length = ReadUInt16(ref reader, $"{what} length");
        if (reader.Remaining < length)
        {
            throw Truncated(what, length, reader.Remaining);
        }

        string text;
        try
        {
            var bytes = reader.UnreadSequence.Slice(0, length);
            text = bytes.IsSingleSegment ? Utf8.GetString(bytes.FirstSpan) : Utf8.GetString(bytes.ToArray());
        }
        catch (DecoderFallbackException e)
        {
            throw new MqttProtocolViolationException("MQTT-1.5.3-1", $"the {what} is not well-formed UTF-8", e);
        }

        reader.Advance(length);
        if (text.Contains('\0', StringComparison.Ordinal))
        {
            throw new MqttProtocolViolationException("MQTT-1.5.3-2", $"the {what} contains U+0000");
        }

        return text;
    }

    private static void ExpectEnd(in SequenceReader<byte> reader, string packet, string clause)
    {
        if (reader.Remaining != 0)
        {
            throw new MqttProtocolViolationException(clause, $"{reader.Remaining} bytes follow the end of the {packet} payload");
        }
    }

    private static MqttProtocolViolationException Truncated(string what, int needed, long remaining) =>
        new("MQTT-2.2.3", $"the packet ends inside the {what}: {needed} bytes needed, {remaining} left within its remaining length");

    private static MqttProtocolViolationException Violation(string problem)
    {
        var colon = problem.IndexOf(':', StringComparison.Ordinal);
        return new MqttProtocolViolationException(problem[..colon], problem[(colon + 2)..]);
    }

    private static string Name(MqttPacketType type) => type.ToString().ToUpperInvariant();
}
