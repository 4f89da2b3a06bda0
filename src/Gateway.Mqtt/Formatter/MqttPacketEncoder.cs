using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using Gateway.Mqtt.Framing;
using Gateway.Mqtt.Packets;

namespace Gateway.Mqtt.Formatter;

/// <summary>
/// Packets to bytes (MQTT-2 and MQTT-3): pure functions. <see cref="GetSize"/> gives the exact size, <see cref="Encode(MqttPacket, Span{byte})"/>
/// writes it; the PUBLISH/PUBACK/PINGREQ writers used on the client's hot path take plain arguments so nothing is allocated.
/// Invalid packets (an empty topic, a password without a user name, a QoS 3, ...) throw <see cref="ArgumentException"/> naming the clause.
/// </summary>
public static class MqttPacketEncoder
{
    /// <summary>The protocol name of MQTT 3.1.1 (MQTT-3.1.2.1).</summary>
    public const string ProtocolName = "MQTT";

    /// <summary>The protocol level of MQTT 3.1.1 (MQTT-3.1.2.2).</summary>
    public const byte ProtocolLevel = 4;

    private static UTF8Encoding Utf8 => MqttTopic.StrictUtf8;

    /// <summary>Encodes <paramref name="packet"/> into a new array.</summary>
    public static byte[] Encode(MqttPacket packet)
    {
        var bytes = new byte[GetSize(packet)];
        Encode(packet, bytes);
        return bytes;
    }

    /// <summary>Encodes <paramref name="packet"/> into <paramref name="writer"/>.</summary>
    public static void Write(MqttPacket packet, IBufferWriter<byte> writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        var size = GetSize(packet);
        var span = writer.GetSpan(size);
        Encode(packet, span);
        writer.Advance(size);
    }

    /// <summary>The packet's whole size in bytes, fixed header included.</summary>
    public static int GetSize(MqttPacket packet)
    {
        var remaining = GetRemainingLength(packet);
        return 1 + MqttRemainingLength.GetEncodedSize(remaining) + remaining;
    }

    /// <summary>Writes <paramref name="packet"/> at the start of <paramref name="destination"/>; returns the bytes written.</summary>
    public static int Encode(MqttPacket packet, Span<byte> destination)
    {
        ArgumentNullException.ThrowIfNull(packet);
        return packet switch
        {
            MqttConnectPacket p => EncodeConnect(p, destination),
            MqttConnAckPacket p => EncodeConnAck(destination, p.SessionPresent, p.ReturnCode),
            MqttPublishPacket p => EncodePublish(destination, p.Topic, p.Payload.Span, p.QualityOfServiceLevel, p.Retain, p.Dup, p.PacketIdentifier),
            MqttPubAckPacket p => EncodeIdentifierOnly(destination, 0x40, p.PacketIdentifier),
            MqttSubscribePacket p => EncodeSubscribe(p, destination),
            MqttSubAckPacket p => EncodeSubAck(p, destination),
            MqttUnsubscribePacket p => EncodeUnsubscribe(p, destination),
            MqttUnsubAckPacket p => EncodeIdentifierOnly(destination, 0xB0, p.PacketIdentifier),
            MqttPingReqPacket => EncodeEmpty(destination, 0xC0),
            MqttPingRespPacket => EncodeEmpty(destination, 0xD0),
            MqttDisconnectPacket => EncodeEmpty(destination, 0xE0),
            _ => throw new ArgumentException($"cannot encode {packet.GetType().Name}", nameof(packet)),
        };
    }

    /// <summary>The size of a PUBLISH with this topic, payload length and QoS, fixed header included.</summary>
    /// <exception cref="ArgumentException">The topic is invalid (MQTT-4.7.3) or the packet would exceed 268,435,455 bytes of remaining length.</exception>
    public static int GetPublishSize(string topic, int payloadLength, MqttQualityOfServiceLevel qos)
    {
        var remaining = GetPublishRemainingLength(topic, payloadLength, qos);
        return 1 + MqttRemainingLength.GetEncodedSize(remaining) + remaining;
    }

    /// <summary>Writes a PUBLISH (MQTT-3.3); returns the bytes written.</summary>
    /// <param name="destination">At least <see cref="GetPublishSize"/> bytes.</param>
    /// <param name="topic">Topic name (no wildcards).</param>
    /// <param name="payload">Payload.</param>
    /// <param name="qos">0, 1 or 2.</param>
    /// <param name="retain">RETAIN flag.</param>
    /// <param name="dup">DUP flag; must be false with QoS 0 [MQTT-3.3.1-2].</param>
    /// <param name="packetIdentifier">Non-zero with QoS &gt; 0 [MQTT-2.3.1-1]; ignored (not written) with QoS 0 [MQTT-2.3.1-5].</param>
    public static int EncodePublish(Span<byte> destination, string topic, ReadOnlySpan<byte> payload, MqttQualityOfServiceLevel qos, bool retain, bool dup, ushort packetIdentifier)
    {
        var remaining = GetPublishRemainingLength(topic, payload.Length, qos);
        if (qos == MqttQualityOfServiceLevel.AtMostOnce && dup)
        {
            throw new ArgumentException("MQTT-3.3.1-2: the DUP flag must be 0 on a QoS 0 PUBLISH", nameof(dup));
        }

        if (qos != MqttQualityOfServiceLevel.AtMostOnce && packetIdentifier == 0)
        {
            throw new ArgumentException("MQTT-2.3.1-1: a QoS 1 or 2 PUBLISH needs a non-zero packet identifier", nameof(packetIdentifier));
        }

        var first = (byte)(0x30 | (dup ? 0x08 : 0) | ((int)qos << 1) | (retain ? 0x01 : 0));
        var i = WriteFixedHeader(destination, first, remaining);
        i += WriteString(destination[i..], topic);
        if (qos != MqttQualityOfServiceLevel.AtMostOnce)
        {
            BinaryPrimitives.WriteUInt16BigEndian(destination[i..], packetIdentifier);
            i += 2;
        }

        payload.CopyTo(destination[i..]);
        return i + payload.Length;
    }

    /// <summary>Writes a PUBACK (MQTT-3.4): <c>40 02 id id</c>; returns 4.</summary>
    public static int EncodePubAck(Span<byte> destination, ushort packetIdentifier) => EncodeIdentifierOnly(destination, 0x40, packetIdentifier);

    /// <summary>Writes a CONNACK (MQTT-3.2): <c>20 02 flags code</c>; returns 4.</summary>
    public static int EncodeConnAck(Span<byte> destination, bool sessionPresent, MqttConnectReturnCode returnCode)
    {
        destination[0] = 0x20;
        destination[1] = 0x02;
        destination[2] = sessionPresent ? (byte)0x01 : (byte)0x00;
        destination[3] = (byte)returnCode;
        return 4;
    }

    private static int GetRemainingLength(MqttPacket packet)
    {
        ArgumentNullException.ThrowIfNull(packet);
        switch (packet)
        {
            case MqttConnectPacket p:
                return GetConnectRemainingLength(p);
            case MqttPublishPacket p:
                return GetPublishRemainingLength(p.Topic, p.Payload.Length, p.QualityOfServiceLevel);
            case MqttConnAckPacket or MqttPubAckPacket or MqttUnsubAckPacket:
                return 2;
            case MqttSubscribePacket p:
            {
                if (p.TopicFilters.Count == 0)
                {
                    throw new ArgumentException("MQTT-3.8.3-3: a SUBSCRIBE needs at least one topic filter", nameof(packet));
                }

                var size = 2L;
                foreach (var filter in p.TopicFilters)
                {
                    ThrowIfInvalid(MqttTopic.CheckTopicFilter(filter.Topic), nameof(packet));
                    size += 2 + Utf8.GetByteCount(filter.Topic) + 1;
                }

                return CheckRemaining(size);
            }

            case MqttSubAckPacket p:
                return CheckRemaining(2L + p.ReturnCodes.Count);
            case MqttUnsubscribePacket p:
            {
                if (p.TopicFilters.Count == 0)
                {
                    throw new ArgumentException("MQTT-3.10.3-2: an UNSUBSCRIBE needs at least one topic filter", nameof(packet));
                }

                var size = 2L;
                foreach (var filter in p.TopicFilters)
                {
                    ThrowIfInvalid(MqttTopic.CheckTopicFilter(filter), nameof(packet));
                    size += 2 + Utf8.GetByteCount(filter);
                }

                return CheckRemaining(size);
            }

            case MqttPingReqPacket or MqttPingRespPacket or MqttDisconnectPacket:
                return 0;
            default:
                throw new ArgumentException($"cannot encode {packet.GetType().Name}", nameof(packet));
        }
    }

    private static int GetPublishRemainingLength(string topic, int payloadLength, MqttQualityOfServiceLevel qos)
    {
        ThrowIfInvalid(MqttTopic.CheckTopicName(topic), nameof(topic));
        if ((byte)qos > 2)
        {
            throw new ArgumentException($"MQTT-3.3.1-4: QoS {(int)qos} does not exist; a PUBLISH has QoS 0, 1 or 2", nameof(qos));
        }

        var size = 2L + Utf8.GetByteCount(topic) + (qos == MqttQualityOfServiceLevel.AtMostOnce ? 0 : 2) + payloadLength;
        return CheckRemaining(size);
    }

    private static int GetConnectRemainingLength(MqttConnectPacket p)
    {
        CheckConnect(p);
        long size = 10 + 2 + Utf8.GetByteCount(p.ClientId);
        if (p.Will is { } will)
        {
            size += 2 + Utf8.GetByteCount(will.Topic) + 2 + will.Payload.Length;
        }

        if (p.Username is not null)
        {
            size += 2 + Utf8.GetByteCount(p.Username);
        }

        if (p.Password is { } password)
        {
            size += 2 + password.Length;
        }

        return CheckRemaining(size);
    }

    private static void CheckConnect(MqttConnectPacket p)
    {
        ArgumentNullException.ThrowIfNull(p.ClientId, nameof(p.ClientId));
        if (p.ClientId.Length == 0 && !p.CleanSession)
        {
            throw new ArgumentException("MQTT-3.1.3-7: an empty client id needs a clean session (the broker has nothing to resume it by)", nameof(p));
        }

        CheckStringLength(p.ClientId, "client id");
        if (p.Password is not null && p.Username is null)
        {
            throw new ArgumentException("MQTT-3.1.2-22: a password needs a user name", nameof(p));
        }

        if (p.Username is not null)
        {
            CheckStringLength(p.Username, "user name");
        }

        if (p.Password is { Length: > MqttTopic.MaximumLength } tooLong)
        {
            throw new ArgumentException($"MQTT-3.1.3.5: the password is {tooLong.Length} bytes; at most {MqttTopic.MaximumLength}", nameof(p));
        }

        if (p.Will is { } will)
        {
            ThrowIfInvalid(MqttTopic.CheckTopicName(will.Topic), nameof(p));
            if ((byte)will.QualityOfServiceLevel > 2)
            {
                throw new ArgumentException("MQTT-3.1.2-14: the will QoS must be 0, 1 or 2", nameof(p));
            }

            if (will.Payload.Length > MqttTopic.MaximumLength)
            {
                throw new ArgumentException($"MQTT-3.1.3.3: the will payload is {will.Payload.Length} bytes; at most {MqttTopic.MaximumLength}", nameof(p));
            }
        }
    }

    private static int EncodeConnect(MqttConnectPacket p, Span<byte> destination)
    {
        var remaining = GetConnectRemainingLength(p);
        var i = WriteFixedHeader(destination, 0x10, remaining);
        i += WriteString(destination[i..], ProtocolName);
        destination[i++] = ProtocolLevel;
        var flags = 0;
        if (p.Username is not null)
        {
            flags |= 0x80;
        }

        if (p.Password is not null)
        {
            flags |= 0x40;
        }

        if (p.Will is { } will)
        {
            flags |= 0x04 | ((int)will.QualityOfServiceLevel << 3) | (will.Retain ? 0x20 : 0);
        }

        if (p.CleanSession)
        {
            flags |= 0x02;
        }

        destination[i++] = (byte)flags;
        BinaryPrimitives.WriteUInt16BigEndian(destination[i..], p.KeepAliveSeconds);
        i += 2;
        i += WriteString(destination[i..], p.ClientId);
        if (p.Will is { } w)
        {
            i += WriteString(destination[i..], w.Topic);
            i += WriteBinary(destination[i..], w.Payload.Span);
        }

        if (p.Username is not null)
        {
            i += WriteString(destination[i..], p.Username);
        }

        if (p.Password is { } password)
        {
            i += WriteBinary(destination[i..], password.Span);
        }

        return i;
    }

    private static int EncodeSubscribe(MqttSubscribePacket p, Span<byte> destination)
    {
        var remaining = GetRemainingLength(p);
        RequireIdentifier(p.PacketIdentifier, "SUBSCRIBE");
        var i = WriteFixedHeader(destination, 0x82, remaining); // MQTT-3.8.1-1: flags 0010
        BinaryPrimitives.WriteUInt16BigEndian(destination[i..], p.PacketIdentifier);
        i += 2;
        foreach (var filter in p.TopicFilters)
        {
            if ((byte)filter.QualityOfServiceLevel > 2)
            {
                throw new ArgumentException($"MQTT-3.8.3-4: requested QoS {(int)filter.QualityOfServiceLevel} for '{filter.Topic}' does not exist", nameof(p));
            }

            i += WriteString(destination[i..], filter.Topic);
            destination[i++] = (byte)filter.QualityOfServiceLevel;
        }

        return i;
    }

    private static int EncodeSubAck(MqttSubAckPacket p, Span<byte> destination)
    {
        var remaining = GetRemainingLength(p);
        var i = WriteFixedHeader(destination, 0x90, remaining);
        BinaryPrimitives.WriteUInt16BigEndian(destination[i..], p.PacketIdentifier);
        i += 2;
        foreach (var code in p.ReturnCodes)
        {
            destination[i++] = (byte)code;
        }

        return i;
    }

    private static int EncodeUnsubscribe(MqttUnsubscribePacket p, Span<byte> destination)
    {
        var remaining = GetRemainingLength(p);
        RequireIdentifier(p.PacketIdentifier, "UNSUBSCRIBE");
        var i = WriteFixedHeader(destination, 0xA2, remaining); // MQTT-3.10.1-1: flags 0010
        BinaryPrimitives.WriteUInt16BigEndian(destination[i..], p.PacketIdentifier);
        i += 2;
        foreach (var filter in p.TopicFilters)
        {
            i += WriteString(destination[i..], filter);
        }

        return i;
    }

    private static int EncodeIdentifierOnly(Span<byte> destination, byte first, ushort packetIdentifier)
    {
        destination[0] = first;
        destination[1] = 0x02;
        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], packetIdentifier);
        return 4;
    }

    private static int EncodeEmpty(Span<byte> destination, byte first)
    {
        destination[0] = first;
        destination[1] = 0x00;
        return 2;
    }

    private static int WriteFixedHeader(Span<byte> destination, byte first, int remaining)
    {
        destination[0] = first;
        return 1 + MqttRemainingLength.Encode(remaining, destination[1..]);
    }

    private static int WriteString(Span<byte> destination, string value)
    {
        var length = Utf8.GetBytes(value, destination[2..]);
        BinaryPrimitives.WriteUInt16BigEndian(destination, (ushort)length);
        return 2 + length;
    }

    private static int WriteBinary(Span<byte> destination, ReadOnlySpan<byte> value)
    {
        BinaryPrimitives.WriteUInt16BigEndian(destination, (ushort)value.Length);
        value.CopyTo(destination[2..]);
        return 2 + value.Length;
    }

    private static void RequireIdentifier(ushort packetIdentifier, string packet)
    {
        if (packetIdentifier == 0)
        {
            throw new ArgumentException($"MQTT-2.3.1-1: a {packet} needs a non-zero packet identifier", nameof(packetIdentifier));
        }
    }

    private static void CheckStringLength(string value, string what)
    {
        int bytes;
        try
        {
            bytes = Utf8.GetByteCount(value);
        }
        catch (EncoderFallbackException e)
        {
            throw new ArgumentException($"MQTT-1.5.3-1: the {what} is not well-formed UTF-16 (a lone surrogate)", what, e);
        }

        if (bytes > MqttTopic.MaximumLength)
        {
            throw new ArgumentException($"MQTT-1.5.3: the {what} is {bytes} UTF-8 bytes; at most {MqttTopic.MaximumLength}", what);
        }

        if (value.Contains('\0', StringComparison.Ordinal))
        {
            throw new ArgumentException($"MQTT-1.5.3-2: the {what} must not contain U+0000", what);
        }
    }

    private static void ThrowIfInvalid(string? problem, string parameter)
    {
        if (problem is not null)
        {
            throw new ArgumentException(problem, parameter);
        }
    }

    private static int CheckRemaining(long size) => size <= MqttRemainingLength.Maximum
        ? (int)size
        : throw new ArgumentException($"MQTT-2.2.3: the packet's remaining length would be {size} bytes; MQTT allows at most {MqttRemainingLength.Maximum}");
}
