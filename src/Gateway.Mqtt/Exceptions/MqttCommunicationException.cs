namespace Gateway.Mqtt;

/// <summary>
/// The connection to the broker failed or was lost: the socket closed, a TLS handshake failed, or an operation could
/// not complete because the connection went away. <see cref="Exception.InnerException"/> holds the first cause
/// (a <see cref="System.IO.IOException"/>, a <see cref="MqttProtocolViolationException"/>, a keep-alive timeout, ...).
/// </summary>
public class MqttCommunicationException : MqttException
{
    /// <summary>Creates the exception with no message.</summary>
    public MqttCommunicationException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public MqttCommunicationException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the error that caused it.</summary>
    public MqttCommunicationException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
