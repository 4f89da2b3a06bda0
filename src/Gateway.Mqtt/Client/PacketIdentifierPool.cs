namespace Gateway.Mqtt.Client;

/// <summary>
/// Packet identifiers for PUBLISH (QoS 1), SUBSCRIBE and UNSUBSCRIBE: 1–65,535, never 0 [MQTT-2.3.1-1], and never one
/// still in use [MQTT-2.3.1-2]. Hands them out round-robin so a freed identifier is not reused at once, which keeps
/// a late answer to an abandoned request from matching a new one. Not thread-safe: the client holds its lock.
/// </summary>
internal sealed class PacketIdentifierPool
{
    private readonly ulong[] _used = new ulong[65_536 / 64];
    private ushort _next = 1;

    /// <summary>Identifiers in use.</summary>
    public int Count { get; private set; }

    /// <summary>Takes the next free identifier.</summary>
    /// <exception cref="InvalidOperationException">All 65,535 are in use.</exception>
    public ushort Allocate()
    {
        if (Count >= ushort.MaxValue)
        {
            throw new InvalidOperationException("all 65,535 packet identifiers are in use");
        }

        while (true)
        {
            var id = _next;
            _next = id == ushort.MaxValue ? (ushort)1 : (ushort)(id + 1);
            if (!IsInUse(id))
            {
                _used[id >> 6] |= 1UL << (id & 63);
                Count++;
                return id;
            }
        }
    }

    /// <summary>Whether <paramref name="id"/> is in use.</summary>
    public bool IsInUse(ushort id) => (_used[id >> 6] & (1UL << (id & 63))) != 0;

    /// <summary>Gives <paramref name="id"/> back.</summary>
    /// <exception cref="InvalidOperationException">It was not in use.</exception>
    public void Release(ushort id)
    {
        if (id == 0 || !IsInUse(id))
        {
            throw new InvalidOperationException($"packet identifier {id} is not in use");
        }

        _used[id >> 6] &= ~(1UL << (id & 63));
        Count--;
    }
}
