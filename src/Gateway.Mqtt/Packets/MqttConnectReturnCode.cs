namespace Gateway.Mqtt.Packets;

/// <summary>CONNACK return codes (MQTT-3.2.2.3, Table 3.1); 6–255 are reserved.</summary>
public enum MqttConnectReturnCode : byte
{
    /// <summary>0: connection accepted.</summary>
    ConnectionAccepted = 0,

    /// <summary>1: the server does not support the level of the MQTT protocol requested by the client.</summary>
    UnacceptableProtocolVersion = 1,

    /// <summary>2: the client identifier is correct UTF-8 but not allowed by the server.</summary>
    IdentifierRejected = 2,

    /// <summary>3: the network connection has been made but the MQTT service is unavailable.</summary>
    ServerUnavailable = 3,

    /// <summary>4: the data in the user name or password is malformed (in practice: bad user name or password).</summary>
    BadUserNameOrPassword = 4,

    /// <summary>5: the client is not authorized to connect.</summary>
    NotAuthorized = 5,
}

/// <summary>Human-readable meanings of <see cref="MqttConnectReturnCode"/> values.</summary>
public static class MqttConnectReturnCodes
{
    /// <summary>The meaning of <paramref name="code"/> as the specification's Table 3.1 words it.</summary>
    public static string Describe(MqttConnectReturnCode code) => code switch
    {
        MqttConnectReturnCode.ConnectionAccepted => "connection accepted",
        MqttConnectReturnCode.UnacceptableProtocolVersion => "unacceptable protocol version: the broker does not support MQTT 3.1.1",
        MqttConnectReturnCode.IdentifierRejected => "identifier rejected: the broker does not allow this client id",
        MqttConnectReturnCode.ServerUnavailable => "server unavailable: the MQTT service is not available",
        MqttConnectReturnCode.BadUserNameOrPassword => "bad user name or password",
        MqttConnectReturnCode.NotAuthorized => "not authorized: this client may not connect",
        _ => $"reserved return code {(int)code}",
    };
}
