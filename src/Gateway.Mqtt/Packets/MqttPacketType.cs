namespace Gateway.Mqtt.Packets;

/// <summary>MQTT control packet types: the high nibble of the fixed header's first byte (MQTT-2.2.1, Table 2.1).</summary>
public enum MqttPacketType : byte
{
    /// <summary>Client request to connect to the server.</summary>
    Connect = 1,

    /// <summary>Connect acknowledgement.</summary>
    ConnAck = 2,

    /// <summary>Publish message.</summary>
    Publish = 3,

    /// <summary>Publish acknowledgement (QoS 1).</summary>
    PubAck = 4,

    /// <summary>Publish received (QoS 2, part 1).</summary>
    PubRec = 5,

    /// <summary>Publish release (QoS 2, part 2).</summary>
    PubRel = 6,

    /// <summary>Publish complete (QoS 2, part 3).</summary>
    PubComp = 7,

    /// <summary>Client subscribe request.</summary>
    Subscribe = 8,

    /// <summary>Subscribe acknowledgement.</summary>
    SubAck = 9,

    /// <summary>Unsubscribe request.</summary>
    Unsubscribe = 10,

    /// <summary>Unsubscribe acknowledgement.</summary>
    UnsubAck = 11,

    /// <summary>PING request.</summary>
    PingReq = 12,

    /// <summary>PING response.</summary>
    PingResp = 13,

    /// <summary>Client is disconnecting.</summary>
    Disconnect = 14,
}
