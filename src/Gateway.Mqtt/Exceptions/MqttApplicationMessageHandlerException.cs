namespace Gateway.Mqtt;

/// <summary>
/// The <see cref="MqttClient.ApplicationMessageReceivedAsync"/> handler threw. The message was not acknowledged and
/// the connection was closed with this as the cause, so a persistent session gets the message again on reconnect.
/// </summary>
public class MqttApplicationMessageHandlerException : MqttException
{
    /// <summary>Creates the exception with no message.</summary>
    public MqttApplicationMessageHandlerException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public MqttApplicationMessageHandlerException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the error that caused it.</summary>
    public MqttApplicationMessageHandlerException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
