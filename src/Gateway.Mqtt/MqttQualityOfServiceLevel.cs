namespace Gateway.Mqtt;

/// <summary>Quality of service of a PUBLISH (MQTT-4.3). This client sends and subscribes with at most QoS 1.</summary>
public enum MqttQualityOfServiceLevel : byte
{
    /// <summary>QoS 0: delivered at most once, no acknowledgement (MQTT-4.3.1).</summary>
    AtMostOnce = 0,

    /// <summary>QoS 1: delivered at least once; kept until the receiver's PUBACK (MQTT-4.3.2).</summary>
    AtLeastOnce = 1,

    /// <summary>QoS 2: exactly once (MQTT-4.3.3). Not supported by this client: refused when requested or received.</summary>
    ExactlyOnce = 2,
}
