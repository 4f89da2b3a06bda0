namespace Gateway.Protocol.Transport;

/// <summary>
/// A gateway's topics under its prefix (docs/protocol.md, "MQTT"): one state topic per sensor quantity, events,
/// gaps, the retained availability topic, commands in, results out, and a set/state pair per named output. The
/// gateway's MQTT link publishes and subscribes by them, and gwctl's <c>mqtt://</c> transport the other way round.
/// Pure; topic levels are sanitized so no id can add a level or a wildcard.
/// </summary>
public sealed class MqttTopics
{
    /// <summary>Creates the topics for <paramref name="prefix"/> (with <c>{device}</c> already replaced).</summary>
    public MqttTopics(string prefix)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        Prefix = prefix.TrimEnd('/');
    }

    /// <summary>The prefix, e.g. <c>gateway/pi-01</c>.</summary>
    public string Prefix { get; }

    /// <summary>Retained <c>online</c>/<c>offline</c> (the last will).</summary>
    public string Status => $"{Prefix}/status";

    /// <summary>Signed command messages to run.</summary>
    public string Commands => $"{Prefix}/commands";

    /// <summary>The result of each command.</summary>
    public string Results => $"{Prefix}/results";

    /// <summary>Sensor events (health changes).</summary>
    public string Events => $"{Prefix}/events";

    /// <summary>Gaps: readings that will never come.</summary>
    public string Gaps => $"{Prefix}/gaps";

    /// <summary>The filter matching every sensor quantity's state topic (MQTT 3.1.1 §4.7.1.2: <c>#</c> matches the levels below).</summary>
    public string ReadingsFilter => $"{Prefix}/sensor/#";

    /// <summary>The state topic of one quantity of one sensor.</summary>
    public string Reading(string sensor, string quantity) => $"{Prefix}/sensor/{Level(sensor)}/{Level(quantity)}";

    /// <summary>Where Home Assistant switches an output: payload <c>ON</c> or <c>OFF</c>.</summary>
    public string OutputSet(string output) => $"{Prefix}/output/{Level(output)}/set";

    /// <summary>The filter matching every output's set topic.</summary>
    public string OutputSetFilter => $"{Prefix}/output/+/set";

    /// <summary>The retained state of an output: <c>ON</c> or <c>OFF</c>.</summary>
    public string OutputState(string output) => $"{Prefix}/output/{Level(output)}/state";

    /// <summary>The output a set topic names, or null when <paramref name="topic"/> is not one.</summary>
    public string? OutputOfSetTopic(string topic)
    {
        ArgumentNullException.ThrowIfNull(topic);
        var head = $"{Prefix}/output/";
        return topic.StartsWith(head, StringComparison.Ordinal) && topic.EndsWith("/set", StringComparison.Ordinal) && topic.Length > head.Length + 4
            ? topic[head.Length..^4]
            : null;
    }

    /// <summary>One topic level: <c>/ + #</c> and control characters become <c>_</c> (MQTT 3.1.1 §4.7.1: wildcards are not allowed in topic names).</summary>
    public static string Level(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return string.Create(value.Length, value, static (span, v) =>
        {
            for (var i = 0; i < v.Length; i++)
            {
                var c = v[i];
                span[i] = c is '/' or '+' or '#' or < ' ' ? '_' : c;
            }
        });
    }
}
