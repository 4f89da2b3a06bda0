using Gateway.Mqtt.Packets;

namespace Gateway.Mqtt;

/// <summary>
/// The broker refused the connection: its CONNACK carried a non-zero return code (MQTT-3.2.2.3, Table 3.1).
/// <see cref="ReturnCode"/> says which; the message spells out what it means.
/// </summary>
public class MqttConnectException : MqttException
{
    /// <summary>Creates the exception with no message.</summary>
    public MqttConnectException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public MqttConnectException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the error that caused it.</summary>
    public MqttConnectException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception for the broker's return code.</summary>
    public MqttConnectException(MqttConnectReturnCode returnCode)
        : base($"the broker refused the connection: CONNACK return code {(int)returnCode} ({MqttConnectReturnCodes.Describe(returnCode)}) (MQTT-3.2.2.3)")
    {
        ReturnCode = returnCode;
    }

    /// <summary>The CONNACK return code (1–5; others are reserved and rejected as a protocol violation).</summary>
    public MqttConnectReturnCode ReturnCode { get; }
}
