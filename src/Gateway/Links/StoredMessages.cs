using Gateway.Outbox;
using Gateway.Protocol;

namespace Gateway.Links;

/// <summary>How a stored row goes on the wire: a health row as an <c>event</c>, everything else as a <c>reading</c>.</summary>
internal static class StoredMessages
{
    /// <summary>The protocol message for <paramref name="row"/> of device <paramref name="device"/>.</summary>
    public static Message ToMessage(StoredReading row, string device)
    {
        ArgumentNullException.ThrowIfNull(row);
        return row.Quantity == StoredReading.HealthQuantity
            ? new EventMessage(device, row.Seq, row.Timestamp, row.SensorId, "health", row.Text ?? string.Empty)
            : new ReadingMessage(device, row.Seq, row.Timestamp, row.SensorId, row.Quantity, row.Value, row.Unit);
    }
}
