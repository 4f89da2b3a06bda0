using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Gateway.Protocol;

/// <summary>The formats a link can speak instead of the protocol, for consumers that do not know it.</summary>
public enum PayloadFormat
{
    /// <summary>The gateway protocol (NDJSON messages).</summary>
    Protocol,

    /// <summary>InfluxDB line protocol: Telegraf's socket_listener, InfluxDB and QuestDB line-protocol ports.</summary>
    InfluxLine,

    /// <summary>SenML JSON (RFC 8428), one pack per line.</summary>
    SenML,
}

/// <summary>The timestamp precision of InfluxDB line protocol lines (the <c>precision</c> a writer declares to the server).</summary>
public enum InfluxPrecision
{
    /// <summary>Nanoseconds since the Unix epoch: the protocol's default, what line-protocol sockets expect.</summary>
    Nanoseconds,

    /// <summary>Milliseconds since the Unix epoch (<c>precision=ms</c> on the HTTP write APIs): the gateway's own resolution.</summary>
    Milliseconds,
}

/// <summary>
/// InfluxDB line protocol (docs.influxdata.com "Line protocol"): <c>quantity,device=…,sensor=…,unit=… value=21.5 1700000000000000000</c>
/// with measurement, tag keys and tag values escaped as the specification requires. Health changes and announced gaps
/// have measurements of their own (<see cref="HealthMeasurement"/>, <see cref="GapMeasurement"/>) so that they never
/// share a series with a quantity of the same name.
/// </summary>
public static class InfluxLineProtocol
{
    /// <summary>The measurement of sensor health changes: tags device, sensor; fields state (string), message (string), seq.</summary>
    public const string HealthMeasurement = "gateway_health";

    /// <summary>The measurement of announced gaps: tags device, reason; fields from, to, count (integers).</summary>
    public const string GapMeasurement = "gateway_gap";

    /// <summary>Writes one line (with its newline) for a reading, timestamp in nanoseconds; nothing for a non-finite value, which the format cannot carry.</summary>
    public static void WriteLine(ReadingMessage reading, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(reading);
        WriteReading(reading.Device, reading.Seq, reading.Timestamp, reading.Sensor, reading.Quantity, reading.Value, reading.Unit, InfluxPrecision.Nanoseconds, output);
    }

    /// <summary>
    /// Writes one line (with its newline) for a reading; returns false and writes nothing for a non-finite value,
    /// which the format cannot carry. Encodes straight into <paramref name="output"/>: no string is built on the way.
    /// </summary>
    public static bool WriteReading(string device, long seq, DateTimeOffset timestamp, string sensor, string quantity, double value, string unit, InfluxPrecision precision, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(unit);
        ArgumentNullException.ThrowIfNull(output);
        if (!double.IsFinite(value))
        {
            return false;
        }

        Escape(output, quantity, measurement: true);
        Literal(output, ",device="u8);
        Escape(output, device, measurement: false);
        Literal(output, ",sensor="u8);
        Escape(output, sensor, measurement: false);
        if (unit.Length > 0)
        {
            Literal(output, ",unit="u8);
            Escape(output, unit, measurement: false);
        }

        Literal(output, " value="u8);
        Number(output, value);
        Literal(output, ",seq="u8);
        Number(output, seq);
        Literal(output, "i"u8);
        End(output, timestamp, precision);
        return true;
    }

    /// <summary>Writes one <see cref="HealthMeasurement"/> line: a sensor's health became <paramref name="state"/> (ok, failing, failed).</summary>
    public static void WriteHealth(string device, long seq, DateTimeOffset timestamp, string sensor, string state, string message, InfluxPrecision precision, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        Literal(output, "gateway_health,device="u8);
        Escape(output, device, measurement: false);
        Literal(output, ",sensor="u8);
        Escape(output, sensor, measurement: false);
        Literal(output, " state="u8);
        Quote(output, state);
        Literal(output, ",message="u8);
        Quote(output, message);
        Literal(output, ",seq="u8);
        Number(output, seq);
        Literal(output, "i"u8);
        End(output, timestamp, precision);
    }

    /// <summary>Writes one <see cref="GapMeasurement"/> line: seqs <paramref name="from"/> to <paramref name="to"/> will never arrive, and why.</summary>
    public static void WriteGap(string device, long from, long to, string reason, DateTimeOffset at, InfluxPrecision precision, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        Literal(output, "gateway_gap,device="u8);
        Escape(output, device, measurement: false);
        Literal(output, ",reason="u8);
        Escape(output, reason, measurement: false);
        Literal(output, " from="u8);
        Number(output, from);
        Literal(output, "i,to="u8);
        Number(output, to);
        Literal(output, "i,count="u8);
        Number(output, to - from + 1);
        Literal(output, "i"u8);
        End(output, at, precision);
    }

    private static void End(IBufferWriter<byte> output, DateTimeOffset timestamp, InfluxPrecision precision)
    {
        var milliseconds = timestamp.ToUnixTimeMilliseconds();
        Literal(output, " "u8);
        Number(output, precision == InfluxPrecision.Milliseconds ? milliseconds : milliseconds * 1_000_000);
        Literal(output, "\n"u8);
    }

    private static void Literal(IBufferWriter<byte> output, ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(output.GetSpan(bytes.Length));
        output.Advance(bytes.Length);
    }

    private static void Number(IBufferWriter<byte> output, long value)
    {
        var span = output.GetSpan(20);
        value.TryFormat(span, out var written, default, CultureInfo.InvariantCulture);
        output.Advance(written);
    }

    private static void Number(IBufferWriter<byte> output, double value)
    {
        var span = output.GetSpan(32);
        value.TryFormat(span, out var written, "R", CultureInfo.InvariantCulture);
        output.Advance(written);
    }

    // Measurements escape commas and spaces; tag keys and values also equals signs (backslash escapes); a newline would
    // end the line, so it becomes a space. Each char takes at most 3 UTF-8 bytes, or 2 when escaped (a surrogate pair: 4
    // bytes for 2 chars).
    private static void Escape(IBufferWriter<byte> output, string value, bool measurement)
    {
        var span = output.GetSpan(value.Length * 3);
        var written = 0;
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (c < 0x80)
            {
                if (c is ',' or ' ' || (!measurement && c == '='))
                {
                    span[written++] = (byte)'\\';
                }

                span[written++] = c is '\n' or '\r' ? (byte)' ' : (byte)c;
            }
            else
            {
                written += Utf8(value, ref i, span[written..]);
            }
        }

        output.Advance(written);
    }

    // String field values are double-quoted; quotes and backslashes inside are backslash-escaped; a line ends at a newline.
    private static void Quote(IBufferWriter<byte> output, string value)
    {
        var span = output.GetSpan(value.Length * 3 + 2);
        var written = 0;
        span[written++] = (byte)'"';
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (c < 0x80)
            {
                if (c is '"' or '\\')
                {
                    span[written++] = (byte)'\\';
                }

                span[written++] = c is '\n' or '\r' ? (byte)' ' : (byte)c;
            }
            else
            {
                written += Utf8(value, ref i, span[written..]);
            }
        }

        span[written++] = (byte)'"';
        output.Advance(written);
    }

    // One non-ASCII char (or a surrogate pair, advancing i past its second half) as UTF-8; a lone surrogate as U+FFFD.
    private static int Utf8(string value, ref int i, Span<byte> destination)
    {
        var length = char.IsHighSurrogate(value[i]) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]) ? 2 : 1;
        var rune = length == 2 ? new System.Text.Rune(value[i], value[i + 1]) : System.Text.Rune.IsValid(value[i]) ? new System.Text.Rune(value[i]) : System.Text.Rune.ReplacementChar;
        i += length - 1;
        return rune.EncodeToUtf8(destination);
    }
}

/// <summary>
/// SenML JSON (RFC 8428): one pack per reading and line, <c>[{"bn":"pi-01:env:","n":"temperature","u":"Cel","v":21.5,"t":1700000000.123}]</c>;
/// the base name is the device and sensor so that bn + n is unique (§4.5.1), time in seconds (§4.5.3).
/// </summary>
public static class SenML
{
    private static readonly JsonWriterOptions Options = new() { Indented = false, SkipValidation = true };

    /// <summary>Writes one pack (with its newline) for a reading; nothing for a non-finite value, which JSON cannot carry.</summary>
    public static void WriteLine(ReadingMessage reading, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(reading);
        ArgumentNullException.ThrowIfNull(output);
        if (!double.IsFinite(reading.Value))
        {
            return;
        }

        using (var json = new Utf8JsonWriter(output, Options))
        {
            json.WriteStartArray();
            json.WriteStartObject();
            json.WriteString("bn"u8, $"{reading.Device}:{reading.Sensor}:");
            json.WriteString("n"u8, reading.Quantity);
            if (reading.Unit.Length > 0)
            {
                json.WriteString("u"u8, reading.Unit);
            }

            json.WriteNumber("v"u8, reading.Value);
            json.WriteNumber("t"u8, reading.Timestamp.ToUnixTimeMilliseconds() / 1000.0);
            json.WriteEndObject();
            json.WriteEndArray();
        }

        output.GetSpan(1)[0] = (byte)'\n';
        output.Advance(1);
    }
}
