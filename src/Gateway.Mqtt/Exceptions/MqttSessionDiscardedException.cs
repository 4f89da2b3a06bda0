namespace Gateway.Mqtt;

/// <summary>
/// A QoS 1 message was never acknowledged and its session is gone: the connection that carried it used a clean
/// session and ended, the client connected again with <c>CleanSession = true</c> or another client id, or the
/// client was disposed. The message may or may not have reached the broker; publish it again if it must arrive.
/// </summary>
public class MqttSessionDiscardedException : MqttException
{
    /// <summary>Creates the exception with no message.</summary>
    public MqttSessionDiscardedException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public MqttSessionDiscardedException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the error that caused it.</summary>
    public MqttSessionDiscardedException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
