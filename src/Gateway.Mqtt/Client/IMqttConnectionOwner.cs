namespace Gateway.Mqtt.Client;

/// <summary>What a <see cref="MqttConnection"/> reports to the client that owns the session.</summary>
internal interface IMqttConnectionOwner
{
    /// <summary>A PUBACK arrived; throws <see cref="MqttProtocolViolationException"/> when no QoS 1 PUBLISH has that identifier.</summary>
    void OnPubAck(ushort packetIdentifier);

    /// <summary>A received message, in order; the PUBACK (QoS 1) is sent when this completes.</summary>
    Task DeliverAsync(MqttApplicationMessageReceivedEventArgs message);

    /// <summary>The connection ended (once). <paramref name="releasedIdentifiers"/> were held by unanswered SUBSCRIBE/UNSUBSCRIBE requests.</summary>
    void OnClosed(MqttConnection connection, Exception? cause, IReadOnlyList<ushort> releasedIdentifiers);

    /// <summary>A SUBACK or UNSUBACK answered a request: its identifier is free again.</summary>
    void ReleasePacketIdentifier(ushort packetIdentifier);
}
