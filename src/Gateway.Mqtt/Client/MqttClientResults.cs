using Gateway.Mqtt.Packets;

namespace Gateway.Mqtt;

/// <summary>What <see cref="MqttClient.ConnectAsync"/> found and did.</summary>
/// <param name="SessionPresent">The broker resumed a stored session (CONNACK session present, MQTT-3.2.2.2).</param>
/// <param name="ResentPublishCount">Unacknowledged QoS 1 messages resent with DUP set [MQTT-4.4.0-1].</param>
/// <param name="RestoredSubscriptions">Subscriptions sent again because the broker had no session.</param>
public sealed record MqttClientConnectResult(bool SessionPresent, int ResentPublishCount, IReadOnlyList<MqttTopicFilter> RestoredSubscriptions);

/// <summary>The broker's answer to one topic filter of a SUBSCRIBE.</summary>
/// <param name="TopicFilter">The filter asked for.</param>
/// <param name="ReturnCode">Granted QoS, or <see cref="MqttSubscribeReturnCode.Failure"/>.</param>
public sealed record MqttClientSubscribeResultItem(MqttTopicFilter TopicFilter, MqttSubscribeReturnCode ReturnCode)
{
    /// <summary>Whether the broker granted the filter.</summary>
    public bool Succeeded => ReturnCode != MqttSubscribeReturnCode.Failure;
}

/// <summary>The broker's answer to a SUBSCRIBE, one item per filter in order [MQTT-3.9.3-1].</summary>
/// <param name="Items">One item per filter.</param>
public sealed record MqttClientSubscribeResult(IReadOnlyList<MqttClientSubscribeResultItem> Items);

/// <summary>A message from the broker, handed to <see cref="MqttClient.ApplicationMessageReceivedAsync"/>.</summary>
public sealed class MqttApplicationMessageReceivedEventArgs : EventArgs
{
    /// <summary>Creates the arguments.</summary>
    /// <param name="applicationMessage">The message.</param>
    /// <param name="packetIdentifier">The PUBLISH's packet identifier (0 for QoS 0).</param>
    public MqttApplicationMessageReceivedEventArgs(MqttApplicationMessage applicationMessage, ushort packetIdentifier)
    {
        ApplicationMessage = applicationMessage;
        PacketIdentifier = packetIdentifier;
    }

    /// <summary>The message (its payload is the handler's to keep).</summary>
    public MqttApplicationMessage ApplicationMessage { get; }

    /// <summary>The PUBLISH's packet identifier (0 for QoS 0); the PUBACK follows when the handler returns.</summary>
    public ushort PacketIdentifier { get; }
}

/// <summary>Why a connection ended, handed to <see cref="MqttClient.DisconnectedAsync"/>.</summary>
public sealed class MqttClientDisconnectedEventArgs : EventArgs
{
    /// <summary>Creates the arguments.</summary>
    /// <param name="exception">The cause, or null when the client ended the connection.</param>
    /// <param name="clientInitiated">True when this client ended the connection on purpose.</param>
    public MqttClientDisconnectedEventArgs(Exception? exception, bool clientInitiated)
    {
        Exception = exception;
        ClientInitiated = clientInitiated;
    }

    /// <summary>The cause (I/O error, protocol violation, keep-alive timeout, broker closed the socket ...); null when <see cref="MqttClient.DisconnectAsync"/> or disposal ended it.</summary>
    public Exception? Exception { get; }

    /// <summary>True when this client ended the connection on purpose.</summary>
    public bool ClientInitiated { get; }
}
