using System.Buffers;
using System.IO.Compression;
using System.Text;
using Gateway.Outbox;
using Gateway.Protocol;
using Gateway.Sampling;

namespace Gateway.Links.Http;

/// <summary>
/// One request's worth of line protocol: records from the outbox encoded as lines (readings under their quantity,
/// health changes as <see cref="InfluxLineProtocol.HealthMeasurement"/>, announced gaps as
/// <see cref="InfluxLineProtocol.GapMeasurement"/>), timestamps in milliseconds, each line's seq remembered, so that
/// any run of lines can be sent alone (the link halves a batch the server rejected to find the lines it refuses).
/// Reused from batch to batch: clearing keeps the buffers.
/// </summary>
internal sealed class LineProtocolBatch
{
    private readonly ArrayBufferWriter<byte> _text = new(64 * 1024);
    private readonly List<(long Seq, int Start, int Length)> _lines = [];
    private DateTimeOffset? _lastGapAt;

    /// <summary>Lines in the batch.</summary>
    public int Count => _lines.Count;

    /// <summary>The seq of line <paramref name="index"/>; 0 for a gap announcement.</summary>
    public long Seq(int index) => _lines[index].Seq;

    /// <summary>Line <paramref name="index"/> as text, without its newline (for the log).</summary>
    public string Line(int index)
    {
        var (_, start, length) = _lines[index];
        return Encoding.UTF8.GetString(_text.WrittenSpan.Slice(start, length - 1));
    }

    /// <summary>Empties the batch.</summary>
    public void Clear()
    {
        _text.ResetWrittenCount();
        _lines.Clear();
        _lastGapAt = null;
    }

    /// <summary>Adds <paramref name="row"/> of <paramref name="device"/>; false when the format cannot carry it (a non-finite value).</summary>
    public bool Add(in StoredRecord row, string device)
    {
        var start = _text.WrittenCount;
        if (row.Kind == RecordKind.Health)
        {
            var state = row.Value switch
            {
                (double)HealthState.Ok => "ok",
                (double)HealthState.Failing => "failing",
                _ => "failed",
            };
            InfluxLineProtocol.WriteHealth(device, row.Seq, row.Timestamp, row.SensorId, state, row.Text ?? string.Empty, InfluxPrecision.Milliseconds, _text);
        }
        else if (!InfluxLineProtocol.WriteReading(device, row.Seq, row.Timestamp, row.SensorId, row.Quantity, row.Value, row.Unit, InfluxPrecision.Milliseconds, _text))
        {
            return false;
        }

        _lines.Add((row.Seq, start, _text.WrittenCount - start));
        return true;
    }

    /// <summary>
    /// Adds the announcement of a gap: seqs <paramref name="from"/> to <paramref name="to"/> of <paramref name="device"/>
    /// will never arrive. A point is its series and its time, and a second point with both the same replaces the first:
    /// so gaps announced at the same millisecond go a millisecond apart.
    /// </summary>
    public void AddGap(string device, long from, long to, string reason, DateTimeOffset at)
    {
        var start = _text.WrittenCount;
        if (_lastGapAt is { } last && at <= last)
        {
            at = last.AddMilliseconds(1);
        }

        _lastGapAt = at;
        InfluxLineProtocol.WriteGap(device, from, to, reason, at, InfluxPrecision.Milliseconds, _text);
        _lines.Add((0, start, _text.WrittenCount - start));
    }

    /// <summary>Lines <paramref name="from"/> to <paramref name="from"/> + <paramref name="count"/> − 1 as one body, gzip-compressed or as they are.</summary>
    public ReadOnlyMemory<byte> Body(int from, int count, bool gzip)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(from);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        var start = _lines[from].Start;
        var last = _lines[from + count - 1];
        var text = _text.WrittenMemory[start..(last.Start + last.Length)];
        if (!gzip)
        {
            return text;
        }

        using var compressed = new MemoryStream(text.Length / 4 + 64);
        using (var zip = new GZipStream(compressed, CompressionLevel.Fastest, leaveOpen: true))
        {
            zip.Write(text.Span);
        }

        return compressed.GetBuffer().AsMemory(0, (int)compressed.Length);
    }
}
