namespace Gateway.Mqtt;

/// <summary>
/// The broker refused one or more topic filters of a SUBSCRIBE: its SUBACK carried the failure code 0x80 for them
/// (MQTT-3.9.3; typically an ACL that denies the filter). <see cref="Result"/> lists every filter with its code;
/// the filters that were granted are subscribed.
/// </summary>
public class MqttSubscribeException : MqttException
{
    /// <summary>Creates the exception with no message.</summary>
    public MqttSubscribeException()
        : this("the broker refused a subscription")
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public MqttSubscribeException(string message)
        : base(message)
    {
        Result = new MqttClientSubscribeResult([]);
    }

    /// <summary>Creates the exception with a message and the error that caused it.</summary>
    public MqttSubscribeException(string message, Exception? innerException)
        : base(message, innerException)
    {
        Result = new MqttClientSubscribeResult([]);
    }

    /// <summary>Creates the exception for a SUBACK that refused at least one filter.</summary>
    public MqttSubscribeException(MqttClientSubscribeResult result)
        : base(Describe(result))
    {
        Result = result;
    }

    /// <summary>Every filter of the SUBSCRIBE with the broker's answer for it.</summary>
    public MqttClientSubscribeResult Result { get; }

    private static string Describe(MqttClientSubscribeResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var refused = new List<string>();
        foreach (var item in result.Items)
        {
            if (!item.Succeeded)
            {
                refused.Add($"'{item.TopicFilter.Topic}'");
            }
        }

        return $"the broker refused the subscription to {string.Join(", ", refused)} (SUBACK return code 0x80, MQTT-3.9.3: failure; check the broker's ACL for this client)";
    }
}
