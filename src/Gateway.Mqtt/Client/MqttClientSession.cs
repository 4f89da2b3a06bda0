using Gateway.Mqtt.Packets;

namespace Gateway.Mqtt.Client;

/// <summary>
/// The client's side of the session (MQTT-4.1): QoS 1 messages sent and not yet acknowledged, the packet identifiers
/// in use, and the subscriptions the client asked for (restored when a broker has no session). It outlives
/// connections; a clean session or another client id discards the messages. Not thread-safe: the client holds its lock.
/// </summary>
internal sealed class MqttClientSession
{
    private readonly Dictionary<ushort, OutgoingPublish> _inflight = [];
    private readonly Dictionary<string, MqttQualityOfServiceLevel> _subscriptions = new(StringComparer.Ordinal);
    private long _sequence;

    /// <summary>The client id the session belongs to (null before the first connect).</summary>
    public string? ClientId { get; set; }

    public PacketIdentifierPool Identifiers { get; } = new();

    public int InflightCount => _inflight.Count;

    public int SubscriptionCount => _subscriptions.Count;

    /// <summary>Registers a QoS 1 message under a fresh identifier and the next sequence number.</summary>
    public void Add(OutgoingPublish entry)
    {
        entry.PacketIdentifier = Identifiers.Allocate();
        entry.Sequence = ++_sequence;
        _inflight.Add(entry.PacketIdentifier, entry);
    }

    /// <summary>Removes the message a PUBACK acknowledges; false when none has that identifier.</summary>
    public bool TryAcknowledge(ushort packetIdentifier, out OutgoingPublish? entry)
    {
        if (!_inflight.Remove(packetIdentifier, out entry))
        {
            return false;
        }

        Identifiers.Release(packetIdentifier);
        return true;
    }

    /// <summary>The unacknowledged messages in the order they were first sent [MQTT-4.6.0-1].</summary>
    public OutgoingPublish[] InflightInOrder()
    {
        var entries = new OutgoingPublish[_inflight.Count];
        _inflight.Values.CopyTo(entries, 0);
        Array.Sort(entries, static (a, b) => a.Sequence.CompareTo(b.Sequence));
        return entries;
    }

    /// <summary>Removes every unacknowledged message (the caller fails them) and frees their identifiers.</summary>
    public OutgoingPublish[] DiscardInflight()
    {
        var entries = InflightInOrder();
        foreach (var entry in entries)
        {
            Identifiers.Release(entry.PacketIdentifier);
        }

        _inflight.Clear();
        return entries;
    }

    public void AddSubscription(MqttTopicFilter filter) => _subscriptions[filter.Topic] = filter.QualityOfServiceLevel;

    public void RemoveSubscription(string topicFilter) => _subscriptions.Remove(topicFilter);

    public List<MqttTopicFilter> Subscriptions()
    {
        var list = new List<MqttTopicFilter>(_subscriptions.Count);
        foreach (var (topic, qos) in _subscriptions)
        {
            list.Add(new MqttTopicFilter(topic, qos));
        }

        return list;
    }
}
