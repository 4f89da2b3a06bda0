using System.Buffers;

namespace Gateway.Mqtt.Client;

/// <summary>
/// A QoS 1 PUBLISH that is in flight: its encoded bytes (from the shared array pool, kept for a DUP resend after a
/// reconnect) and the task its publisher waits on. Completed by the PUBACK; failed when its session is discarded.
/// </summary>
internal sealed class OutgoingPublish : TaskCompletionSource
{
    private byte[]? _buffer;

    public OutgoingPublish(string topic, int size)
        : base(TaskCreationOptions.RunContinuationsAsynchronously)
    {
        Topic = topic;
        _buffer = ArrayPool<byte>.Shared.Rent(size);
    }

    /// <summary>Set when the session registers it (under the write lock).</summary>
    public ushort PacketIdentifier { get; set; }

    /// <summary>The order of first sending: resends keep it [MQTT-4.6.0-1]. Set when the session registers it.</summary>
    public long Sequence { get; set; }

    public string Topic { get; }

    public int Length { get; set; }

    public Span<byte> Buffer => _buffer ?? throw new ObjectDisposedException(nameof(OutgoingPublish));

    public ReadOnlyMemory<byte> Packet => (_buffer ?? throw new ObjectDisposedException(nameof(OutgoingPublish))).AsMemory(0, Length);

    /// <summary>Sets DUP (bit 3 of the first byte) for a resend [MQTT-3.3.1-1].</summary>
    public void MarkDuplicate() => Buffer[0] |= 0x08;

    /// <summary>The PUBACK came: free the buffer and wake the publisher.</summary>
    public void Acknowledge()
    {
        ReturnBuffer();
        TrySetResult();
    }

    /// <summary>The session is gone: free the buffer and fail the publisher.</summary>
    public void Discard(Exception error)
    {
        ReturnBuffer();
        TrySetException(error);
    }

    /// <summary>Never registered (the connection went first): just free the buffer.</summary>
    public void Abandon() => ReturnBuffer();

    private void ReturnBuffer()
    {
        var buffer = Interlocked.Exchange(ref _buffer, null);
        if (buffer is not null)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
