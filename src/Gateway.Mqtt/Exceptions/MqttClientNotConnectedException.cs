namespace Gateway.Mqtt;

/// <summary>An operation that needs a connection was called while the client is not connected; call ConnectAsync first.</summary>
public class MqttClientNotConnectedException : MqttException
{
    /// <summary>Creates the exception with the standard message.</summary>
    public MqttClientNotConnectedException()
        : base("the MQTT client is not connected; call ConnectAsync first")
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public MqttClientNotConnectedException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the error that caused it.</summary>
    public MqttClientNotConnectedException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
