using System.Buffers;
using Gateway.Outbox;
using Gateway.Protocol;

namespace Gateway.Links;

/// <summary>
/// Writes stored records as lines of a link's <see cref="PayloadFormat"/>, straight from the row: a measurement in
/// the protocol through a <see cref="ReadingEncoder"/> (no message object per row, issue 17 item 5), a health change
/// as an <c>event</c> (rare: through <see cref="StoredMessages"/>); the foreign formats carry measurements only. One
/// per sender: not thread-safe.
/// </summary>
internal sealed class RecordWriter
{
    private readonly string _device;
    private readonly PayloadFormat _format;
    private readonly ReadingEncoder _readings;

    /// <summary>Creates a writer for records of <paramref name="device"/> in <paramref name="format"/>.</summary>
    public RecordWriter(string device, PayloadFormat format)
    {
        _device = device ?? throw new ArgumentNullException(nameof(device));
        _format = format;
        _readings = new ReadingEncoder(device);
    }

    /// <summary>Writes <paramref name="row"/> as one line with its line feed (nothing when the format cannot carry it).</summary>
    public void WriteLine(in StoredRecord row, IBufferWriter<byte> output)
    {
        switch (_format, row.Kind)
        {
            case (PayloadFormat.Protocol, RecordKind.Reading):
                _readings.WriteLine(row.Seq, row.Timestamp, row.SensorId, row.Quantity, row.Value, row.Unit, output);
                break;
            case (PayloadFormat.Protocol, _):
                MessageWriter.WriteLine(StoredMessages.ToMessage(row, _device), output);
                break;
            case (PayloadFormat.InfluxLine, RecordKind.Reading):
                InfluxLineProtocol.WriteReading(_device, row.Seq, row.Timestamp, row.SensorId, row.Quantity, row.Value, row.Unit, InfluxPrecision.Nanoseconds, output);
                break;
            case (PayloadFormat.SenML, RecordKind.Reading):
                SenML.WriteLine((ReadingMessage)StoredMessages.ToMessage(row, _device), output);
                break;
            default:
                break; // foreign formats carry measurements only, not events
        }
    }
}
