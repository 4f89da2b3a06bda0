using System.Buffers;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;

namespace Gateway.Protocol;

/// <summary>
/// Writes <c>reading</c> messages of one device straight from their fields into a buffer, byte for byte what
/// <see cref="MessageWriter"/> writes for the same <see cref="ReadingMessage"/>, without a message object or a JSON
/// writer per reading: the parts that do not change between readings of a series (the device, the sensor, quantity
/// and unit, escaped once) are kept as UTF-8 and copied; only the seq, the time and the value are formatted. A link
/// draining a backlog spends most of its time here (issue 17 item 5). Not thread-safe: one per sender.
/// </summary>
/// <remarks>
/// Series are recognised by the identity of their strings (the outbox reader hands every row of a series the same
/// instances), so a lookup hashes no text; equal strings in other instances only cost a second entry. At most
/// <see cref="MaxSeries"/> entries are kept, then the cache starts again: bounded whatever the data.
/// </remarks>
public sealed class ReadingEncoder
{
    /// <summary>Most series kept before the cache is emptied.</summary>
    public const int MaxSeries = 4096;

    private static readonly JsonWriterOptions Options = new() { Indented = false, SkipValidation = true };

    private readonly byte[] _head; // {"type":"reading","device":"…","seq":
    private readonly Dictionary<SeriesKey, Series> _series = new(SeriesKeyComparer.Instance);
    private readonly byte[] _secondText = new byte[20]; // yyyy-MM-ddTHH:mm:ss. of _second
    private long _second = -1;
    private Series? _last;
    private SeriesKey _lastKey;

    /// <summary>Creates an encoder for readings of <paramref name="device"/>.</summary>
    public ReadingEncoder(string device)
    {
        ArgumentNullException.ThrowIfNull(device);
        _head = [.. "{"u8, .. Fragment(json =>
        {
            json.WriteString("type"u8, "reading"u8);
            json.WriteString("device"u8, device);
        }), .. ",\"seq\":"u8];
    }

    /// <summary>Writes one reading as a JSON object (no line feed), as <see cref="MessageWriter.Write"/> would.</summary>
    public void Write(long seq, DateTimeOffset timestamp, string sensor, string quantity, double value, string unit, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        var series = SeriesOf(sensor, quantity, unit);

        // head + seq (20) + ,"ts":" (7) + time (24) + " (1) + middle + value (≤ 24 or null) + tail
        var span = output.GetSpan(_head.Length + 20 + 7 + 24 + 2 + series.Middle.Length + 32 + series.Tail.Length);
        var n = Copy(_head, span, 0);
        seq.TryFormat(span[n..], out var written, default, CultureInfo.InvariantCulture);
        n += written;
        n = Copy(",\"ts\":\""u8, span, n);
        n += WriteTime(timestamp, span[n..]);
        n = Copy("\""u8, span, n);
        n = Copy(series.Middle, span, n);
        if (double.IsFinite(value))
        {
            value.TryFormat(span[n..], out written, default, CultureInfo.InvariantCulture);
            n += written;
        }
        else
        {
            n = Copy("null"u8, span, n); // JSON has no NaN or infinity
        }

        n = Copy(series.Tail, span, n);
        output.Advance(n);
    }

    /// <summary>Writes one reading followed by a line feed: one NDJSON line.</summary>
    public void WriteLine(long seq, DateTimeOffset timestamp, string sensor, string quantity, double value, string unit, IBufferWriter<byte> output)
    {
        Write(seq, timestamp, sensor, quantity, value, unit, output);
        output.GetSpan(1)[0] = (byte)'\n';
        output.Advance(1);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Copy(ReadOnlySpan<byte> part, Span<byte> span, int at)
    {
        part.CopyTo(span[at..]);
        return at + part.Length;
    }

    // ISO 8601 UTC with milliseconds, 2026-11-23T06:30:54.474Z, as MessageWriter writes it (sub-milliseconds cut off):
    // the text up to the seconds is formatted once per second of data.
    private int WriteTime(DateTimeOffset timestamp, Span<byte> span)
    {
        var ticks = timestamp.UtcTicks;
        var second = ticks / TimeSpan.TicksPerSecond;
        if (second != _second)
        {
            new DateTime(second * TimeSpan.TicksPerSecond, DateTimeKind.Utc).TryFormat(_secondText, out _, "yyyy-MM-dd'T'HH:mm:ss'.'", CultureInfo.InvariantCulture);
            _second = second;
        }

        _secondText.CopyTo(span);
        var ms = (int)(ticks / TimeSpan.TicksPerMillisecond % 1000);
        span[20] = (byte)('0' + (ms / 100));
        span[21] = (byte)('0' + (ms / 10 % 10));
        span[22] = (byte)('0' + (ms % 10));
        span[23] = (byte)'Z';
        return 24;
    }

    private Series SeriesOf(string sensor, string quantity, string unit)
    {
        var key = new SeriesKey(sensor, quantity, unit);
        if (_last is not null && SeriesKeyComparer.Instance.Equals(key, _lastKey))
        {
            return _last;
        }

        if (!_series.TryGetValue(key, out var series))
        {
            ArgumentNullException.ThrowIfNull(sensor);
            ArgumentNullException.ThrowIfNull(quantity);
            ArgumentNullException.ThrowIfNull(unit);
            if (_series.Count >= MaxSeries)
            {
                _series.Clear();
            }

            // "sensor":"…","quantity":"…" and "unit":"…", escaped as Utf8JsonWriter escapes them.
            series = new Series(
                [.. ","u8, .. Fragment(json =>
                {
                    json.WriteString("sensor"u8, sensor);
                    json.WriteString("quantity"u8, quantity);
                }), .. ",\"value\":"u8],
                [.. ","u8, .. Fragment(json => json.WriteString("unit"u8, unit)), .. "}"u8]);
            _series[key] = series;
        }

        _last = series;
        _lastKey = key;
        return series;
    }

    // The members a writer produces inside an object, without the braces.
    private static byte[] Fragment(Action<Utf8JsonWriter> members)
    {
        var buffer = new ArrayBufferWriter<byte>(128);
        using (var json = new Utf8JsonWriter(buffer, Options))
        {
            json.WriteStartObject();
            members(json);
            json.Flush();
        }

        return buffer.WrittenSpan[1..].ToArray();
    }

    private sealed record Series(byte[] Middle, byte[] Tail);

    private readonly record struct SeriesKey(string Sensor, string Quantity, string Unit);

    private sealed class SeriesKeyComparer : IEqualityComparer<SeriesKey>
    {
        public static readonly SeriesKeyComparer Instance = new();

        public bool Equals(SeriesKey x, SeriesKey y) =>
            ReferenceEquals(x.Sensor, y.Sensor) && ReferenceEquals(x.Quantity, y.Quantity) && ReferenceEquals(x.Unit, y.Unit);

        public int GetHashCode(SeriesKey key) =>
            HashCode.Combine(RuntimeHelpers.GetHashCode(key.Sensor), RuntimeHelpers.GetHashCode(key.Quantity), RuntimeHelpers.GetHashCode(key.Unit));
    }
}
