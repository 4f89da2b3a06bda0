namespace Gateway.Mqtt;

/// <summary>
/// The broker did not answer in time: no CONNACK, SUBACK, UNSUBACK or PINGRESP within
/// <see cref="MqttClientOptions.Timeout"/>, or a write did not complete in that time. The connection is closed.
/// </summary>
public class MqttTimeoutException : MqttCommunicationException
{
    /// <summary>Creates the exception with no message.</summary>
    public MqttTimeoutException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public MqttTimeoutException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the error that caused it.</summary>
    public MqttTimeoutException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
