namespace Gateway.Mqtt;

/// <summary>The base of every error this MQTT client raises: catch this to handle them all.</summary>
public class MqttException : Exception
{
    /// <summary>Creates the exception with no message.</summary>
    public MqttException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public MqttException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the error that caused it.</summary>
    public MqttException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
