namespace Gateway.Mqtt;

/// <summary>
/// An application message: what a PUBLISH carries (MQTT-3.3), and what a last will is made of (MQTT-3.1.2.5).
/// </summary>
public sealed class MqttApplicationMessage
{
    /// <summary>The topic name (UTF-8, 1–65,535 bytes, no wildcards, no U+0000; MQTT-4.7.3, MQTT-3.3.2-2).</summary>
    public required string Topic { get; init; }

    /// <summary>The payload: any bytes, possibly none (MQTT-3.3.3).</summary>
    public ReadOnlyMemory<byte> Payload { get; init; }

    /// <summary>The quality of service.</summary>
    public MqttQualityOfServiceLevel QualityOfServiceLevel { get; init; }

    /// <summary>Whether the broker keeps the message as the topic's retained message (MQTT-3.3.1.3).</summary>
    public bool Retain { get; init; }

    /// <summary>On a received message: the DUP flag, set when the broker may have delivered it before (MQTT-3.3.1.1).</summary>
    public bool Dup { get; init; }
}
