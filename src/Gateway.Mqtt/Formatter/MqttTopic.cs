using System.Text;

namespace Gateway.Mqtt.Formatter;

/// <summary>Topic name and topic filter rules (MQTT-4.7). Each check returns null when the text is valid, else what is wrong with the clause.</summary>
public static class MqttTopic
{
    /// <summary>The longest UTF-8 string MQTT can carry: its length prefix is 16 bits (MQTT-1.5.3).</summary>
    public const int MaximumLength = 65_535;

    internal static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Checks a topic name (as in PUBLISH): not empty, no wildcards, no U+0000, at most 65,535 UTF-8 bytes.</summary>
    /// <returns>Null when valid; else "clause: problem".</returns>
    public static string? CheckTopicName(string? topic)
    {
        if (string.IsNullOrEmpty(topic))
        {
            return "MQTT-4.7.3-1: a topic name must be at least one character long";
        }

        foreach (var c in topic)
        {
            switch (c)
            {
                case '+' or '#':
                    return $"MQTT-3.3.2-2: the topic name '{topic}' contains the wildcard '{c}'; wildcards are only for subscriptions";
                case '\0':
                    return "MQTT-4.7.3-2: a topic name must not contain U+0000";
            }
        }

        return CheckLength(topic, "topic name");
    }

    /// <summary>Checks a topic filter (as in SUBSCRIBE/UNSUBSCRIBE): not empty, '#' only last and on a level of its own, '+' a whole level, no U+0000.</summary>
    /// <returns>Null when valid; else "clause: problem".</returns>
    public static string? CheckTopicFilter(string? filter)
    {
        if (string.IsNullOrEmpty(filter))
        {
            return "MQTT-4.7.3-1: a topic filter must be at least one character long";
        }

        for (var i = 0; i < filter.Length; i++)
        {
            var c = filter[i];
            if (c == '\0')
            {
                return "MQTT-4.7.3-2: a topic filter must not contain U+0000";
            }

            var startsLevel = i == 0 || filter[i - 1] == '/';
            var endsLevel = i == filter.Length - 1 || filter[i + 1] == '/';
            if (c == '#' && (!startsLevel || i != filter.Length - 1))
            {
                return $"MQTT-4.7.1-2: in the topic filter '{filter}' the multi-level wildcard '#' must be the last character, alone or after '/'";
            }

            if (c == '+' && (!startsLevel || !endsLevel))
            {
                return $"MQTT-4.7.1-3: in the topic filter '{filter}' the single-level wildcard '+' must occupy a whole level";
            }
        }

        return CheckLength(filter, "topic filter");
    }

    private static string? CheckLength(string text, string what)
    {
        int bytes;
        try
        {
            bytes = StrictUtf8.GetByteCount(text);
        }
        catch (EncoderFallbackException)
        {
            return $"MQTT-1.5.3-1: the {what} is not well-formed UTF-16 (a lone surrogate), so it has no UTF-8 form";
        }

        return bytes > MaximumLength ? $"MQTT-4.7.3-3: the {what} is {bytes} UTF-8 bytes; at most {MaximumLength}" : null;
    }
}
