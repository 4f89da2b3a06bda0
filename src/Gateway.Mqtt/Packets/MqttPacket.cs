namespace Gateway.Mqtt.Packets;

/// <summary>A decoded MQTT 3.1.1 control packet. Packets are plain values; <c>MqttPacketEncoder</c> and <c>MqttPacketDecoder</c> turn them into bytes and back.</summary>
public abstract record MqttPacket
{
    /// <summary>The packet's type (the fixed header's high nibble).</summary>
    public abstract MqttPacketType Type { get; }
}

/// <summary>CONNECT (MQTT-3.1).</summary>
public sealed record MqttConnectPacket : MqttPacket
{
    /// <inheritdoc />
    public override MqttPacketType Type => MqttPacketType.Connect;

    /// <summary>Client identifier (MQTT-3.1.3.1); empty only with a clean session [MQTT-3.1.3-7].</summary>
    public required string ClientId { get; init; }

    /// <summary>Clean session flag (MQTT-3.1.2.4).</summary>
    public bool CleanSession { get; init; }

    /// <summary>Keep alive in seconds, 0 = off (MQTT-3.1.2.10).</summary>
    public ushort KeepAliveSeconds { get; init; }

    /// <summary>User name, or null for none (MQTT-3.1.3.4).</summary>
    public string? Username { get; init; }

    /// <summary>Password bytes, or null for none; requires a user name [MQTT-3.1.2-22].</summary>
    public ReadOnlyMemory<byte>? Password { get; init; }

    /// <summary>Last will (topic, payload, QoS, retain), or null for none (MQTT-3.1.2.5).</summary>
    public MqttApplicationMessage? Will { get; init; }
}

/// <summary>CONNACK (MQTT-3.2).</summary>
/// <param name="SessionPresent">Whether the broker resumed a stored session (MQTT-3.2.2.2).</param>
/// <param name="ReturnCode">The broker's verdict (MQTT-3.2.2.3).</param>
public sealed record MqttConnAckPacket(bool SessionPresent, MqttConnectReturnCode ReturnCode) : MqttPacket
{
    /// <inheritdoc />
    public override MqttPacketType Type => MqttPacketType.ConnAck;
}

/// <summary>PUBLISH (MQTT-3.3).</summary>
public sealed record MqttPublishPacket : MqttPacket
{
    /// <inheritdoc />
    public override MqttPacketType Type => MqttPacketType.Publish;

    /// <summary>Topic name (no wildcards).</summary>
    public required string Topic { get; init; }

    /// <summary>Payload.</summary>
    public ReadOnlyMemory<byte> Payload { get; init; }

    /// <summary>QoS (0, 1 or 2).</summary>
    public MqttQualityOfServiceLevel QualityOfServiceLevel { get; init; }

    /// <summary>RETAIN flag.</summary>
    public bool Retain { get; init; }

    /// <summary>DUP flag: a possible re-delivery (only with QoS &gt; 0, [MQTT-3.3.1-2]).</summary>
    public bool Dup { get; init; }

    /// <summary>Packet identifier (QoS &gt; 0 only, non-zero; [MQTT-2.3.1-1], [MQTT-2.3.1-5]).</summary>
    public ushort PacketIdentifier { get; init; }
}

/// <summary>PUBACK (MQTT-3.4).</summary>
/// <param name="PacketIdentifier">The acknowledged PUBLISH's identifier.</param>
public sealed record MqttPubAckPacket(ushort PacketIdentifier) : MqttPacket
{
    /// <inheritdoc />
    public override MqttPacketType Type => MqttPacketType.PubAck;
}

/// <summary>SUBSCRIBE (MQTT-3.8).</summary>
/// <param name="PacketIdentifier">Non-zero identifier.</param>
/// <param name="TopicFilters">At least one filter [MQTT-3.8.3-3].</param>
public sealed record MqttSubscribePacket(ushort PacketIdentifier, IReadOnlyList<MqttTopicFilter> TopicFilters) : MqttPacket
{
    /// <inheritdoc />
    public override MqttPacketType Type => MqttPacketType.Subscribe;
}

/// <summary>SUBACK (MQTT-3.9).</summary>
/// <param name="PacketIdentifier">The SUBSCRIBE's identifier.</param>
/// <param name="ReturnCodes">One code per filter, in the SUBSCRIBE's order [MQTT-3.9.3-1].</param>
public sealed record MqttSubAckPacket(ushort PacketIdentifier, IReadOnlyList<MqttSubscribeReturnCode> ReturnCodes) : MqttPacket
{
    /// <inheritdoc />
    public override MqttPacketType Type => MqttPacketType.SubAck;
}

/// <summary>UNSUBSCRIBE (MQTT-3.10).</summary>
/// <param name="PacketIdentifier">Non-zero identifier.</param>
/// <param name="TopicFilters">At least one filter [MQTT-3.10.3-2].</param>
public sealed record MqttUnsubscribePacket(ushort PacketIdentifier, IReadOnlyList<string> TopicFilters) : MqttPacket
{
    /// <inheritdoc />
    public override MqttPacketType Type => MqttPacketType.Unsubscribe;
}

/// <summary>UNSUBACK (MQTT-3.11).</summary>
/// <param name="PacketIdentifier">The UNSUBSCRIBE's identifier.</param>
public sealed record MqttUnsubAckPacket(ushort PacketIdentifier) : MqttPacket
{
    /// <inheritdoc />
    public override MqttPacketType Type => MqttPacketType.UnsubAck;
}

/// <summary>PINGREQ (MQTT-3.12): <c>C0 00</c>.</summary>
public sealed record MqttPingReqPacket : MqttPacket
{
    /// <summary>The one instance (the packet has no fields).</summary>
    public static readonly MqttPingReqPacket Instance = new();

    /// <inheritdoc />
    public override MqttPacketType Type => MqttPacketType.PingReq;
}

/// <summary>PINGRESP (MQTT-3.13): <c>D0 00</c>.</summary>
public sealed record MqttPingRespPacket : MqttPacket
{
    /// <summary>The one instance (the packet has no fields).</summary>
    public static readonly MqttPingRespPacket Instance = new();

    /// <inheritdoc />
    public override MqttPacketType Type => MqttPacketType.PingResp;
}

/// <summary>DISCONNECT (MQTT-3.14): <c>E0 00</c>.</summary>
public sealed record MqttDisconnectPacket : MqttPacket
{
    /// <summary>The one instance (the packet has no fields).</summary>
    public static readonly MqttDisconnectPacket Instance = new();

    /// <inheritdoc />
    public override MqttPacketType Type => MqttPacketType.Disconnect;
}
