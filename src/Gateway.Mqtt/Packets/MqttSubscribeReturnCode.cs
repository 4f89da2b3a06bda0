namespace Gateway.Mqtt.Packets;

/// <summary>SUBACK return codes (MQTT-3.9.3); any other value is reserved [MQTT-3.9.3-2].</summary>
public enum MqttSubscribeReturnCode : byte
{
    /// <summary>Success, maximum QoS 0.</summary>
    GrantedQos0 = 0x00,

    /// <summary>Success, maximum QoS 1.</summary>
    GrantedQos1 = 0x01,

    /// <summary>Success, maximum QoS 2.</summary>
    GrantedQos2 = 0x02,

    /// <summary>Failure: the broker refused the filter.</summary>
    Failure = 0x80,
}
