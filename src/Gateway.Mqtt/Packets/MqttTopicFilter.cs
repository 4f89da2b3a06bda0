namespace Gateway.Mqtt.Packets;

/// <summary>A topic filter with the maximum QoS asked for it, as a SUBSCRIBE carries them (MQTT-3.8.3).</summary>
/// <param name="Topic">The filter; may hold the wildcards <c>+</c> and <c>#</c> (MQTT-4.7.1).</param>
/// <param name="QualityOfServiceLevel">The maximum QoS the broker should deliver with.</param>
public sealed record MqttTopicFilter(string Topic, MqttQualityOfServiceLevel QualityOfServiceLevel = MqttQualityOfServiceLevel.AtLeastOnce);
