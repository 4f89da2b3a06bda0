namespace Gateway.Mqtt;

/// <summary>
/// A packet from the broker announced a remaining length above this client's
/// <see cref="MqttClientOptions.MaximumPacketSize"/>. Not a breach of the specification (which allows up to
/// 268,435,455 bytes, MQTT-2.2.3) but of the limit we keep so a broker cannot make us buffer that much.
/// </summary>
public class MqttPacketTooLargeException : MqttException
{
    /// <summary>Creates the exception with no message.</summary>
    public MqttPacketTooLargeException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public MqttPacketTooLargeException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the error that caused it.</summary>
    public MqttPacketTooLargeException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception for a packet of <paramref name="remainingLength"/> bytes against a limit of <paramref name="limit"/>.</summary>
    public MqttPacketTooLargeException(int remainingLength, int limit)
        : base($"a packet from the broker announces {remainingLength} bytes, more than MaximumPacketSize ({limit} bytes); raise the limit if such messages are expected")
    {
        RemainingLength = remainingLength;
        Limit = limit;
    }

    /// <summary>The remaining length the packet announced.</summary>
    public int RemainingLength { get; }

    /// <summary>The limit in force.</summary>
    public int Limit { get; }
}
