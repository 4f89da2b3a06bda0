using Gateway.Outbox;
using Gateway.Protocol;

namespace Gateway.Links;

/// <summary>How a stored record goes on the wire: by its kind, a health change as an <c>event</c>, a measurement as a <c>reading</c> (whatever its quantity is called).</summary>
internal static class StoredMessages
{
    /// <summary>The protocol message for <paramref name="row"/> of device <paramref name="device"/>.</summary>
    public static Message ToMessage(in StoredRecord row, string device) => row.Kind switch
    {
        RecordKind.Health => new EventMessage(device, row.Seq, row.Timestamp, row.SensorId, "health", row.Text ?? string.Empty),
        _ => new ReadingMessage(device, row.Seq, row.Timestamp, row.SensorId, row.Quantity, row.Value, row.Unit),
    };
}
