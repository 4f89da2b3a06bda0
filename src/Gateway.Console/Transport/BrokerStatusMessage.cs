using Gateway.Protocol;

namespace Gateway.Console.Transport;

/// <summary>
/// What a gateway's retained <c>&lt;prefix&gt;/status</c> topic said, as <see cref="MqttGatewayChannel"/> hands it on
/// among the messages it receives: <c>online</c> once its link connected, <c>offline</c> when it stopped or its
/// connection was lost (its last will). Not a protocol message: it never goes on the wire as JSON.
/// </summary>
/// <param name="Topic">The status topic.</param>
/// <param name="Status"><c>online</c>, <c>offline</c>, or what else the topic held (at most <see cref="MaxLength"/> characters, control characters replaced).</param>
/// <param name="Retained">True when the broker sent it as the retained message, at subscription (MQTT 3.1.1 §3.3.1.3).</param>
internal sealed record BrokerStatusMessage(string Topic, string Status, bool Retained) : Message
{
    /// <summary>The longest status shown; a longer payload is cut.</summary>
    public const int MaxLength = 40;

    /// <inheritdoc/>
    public override string Type => "mqtt-status";
}
