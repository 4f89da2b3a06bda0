namespace Gateway.Mqtt;

/// <summary>
/// The peer sent bytes that break the MQTT 3.1.1 specification (OASIS Standard, 29 October 2014). The message starts
/// with the clause: a numbered normative statement such as <c>MQTT-3.3.1-4</c>, or a section such as
/// <c>MQTT-2.2.3</c> where the specification states the rule without a number. The connection is closed
/// ([MQTT-4.8.0-1]: on a protocol violation the receiver closes the network connection).
/// </summary>
public class MqttProtocolViolationException : MqttException
{
    /// <summary>Creates the exception with no message.</summary>
    public MqttProtocolViolationException()
        : this("MQTT-4.8.0-1", "protocol violation")
    {
    }

    /// <summary>Creates the exception with a message (used as is).</summary>
    public MqttProtocolViolationException(string message)
        : this("MQTT-4.8.0-1", message)
    {
    }

    /// <summary>Creates the exception with a message (used as is) and the error that caused it.</summary>
    public MqttProtocolViolationException(string message, Exception? innerException)
        : base($"MQTT-4.8.0-1: {message}", innerException)
    {
        Clause = "MQTT-4.8.0-1";
    }

    /// <summary>Creates the exception for <paramref name="clause"/>; the message is "<c>clause: problem</c>".</summary>
    /// <param name="clause">The specification clause, e.g. <c>MQTT-3.3.1-4</c> or <c>MQTT-2.2.3</c>.</param>
    /// <param name="problem">What was wrong, with the offending value.</param>
    /// <param name="innerException">The error that revealed the problem, if any.</param>
    public MqttProtocolViolationException(string clause, string problem, Exception? innerException = null)
        : base($"{clause}: {problem}", innerException)
    {
        Clause = clause;
    }

    /// <summary>The specification clause that was broken, e.g. <c>MQTT-3.3.1-4</c>.</summary>
    public string Clause { get; }
}
