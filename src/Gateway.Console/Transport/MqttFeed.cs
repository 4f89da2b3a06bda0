namespace Gateway.Console.Transport;

/// <summary>Which of a gateway's topics gwctl subscribes to over <c>mqtt://</c> (docs/protocol.md, MQTT).</summary>
internal enum MqttFeed
{
    /// <summary>For a command: <c>&lt;prefix&gt;/results</c>, and the retained <c>&lt;prefix&gt;/status</c> to say why no result came.</summary>
    Results,

    /// <summary>For <c>watch</c>: readings (<c>&lt;prefix&gt;/sensor/#</c>), events, gaps, status and results.</summary>
    Watch,
}
