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
    /// which the format cannot carry.
    /// </summary>
    public static bool WriteReading(string device, long seq, DateTimeOffset timestamp, string sensor, string quantity, double value, string unit, InfluxPrecision precision, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(unit);
        if (!double.IsFinite(value))
        {
            return false;
        }

        var sb = new StringBuilder(96);
        Escape(sb, quantity, measurement: true);
        sb.Append(",device=");
        Escape(sb, device, measurement: false);
        sb.Append(",sensor=");
        Escape(sb, sensor, measurement: false);
        if (unit.Length > 0)
        {
            sb.Append(",unit=");
            Escape(sb, unit, measurement: false);
        }

        sb.Append(" value=").Append(value.ToString("R", CultureInfo.InvariantCulture));
        sb.Append(",seq=").Append(seq.ToString(CultureInfo.InvariantCulture)).Append('i');
        End(sb, timestamp, precision, output);
        return true;
    }

    /// <summary>Writes one <see cref="HealthMeasurement"/> line: a sensor's health became <paramref name="state"/> (ok, failing, failed).</summary>
    public static void WriteHealth(string device, long seq, DateTimeOffset timestamp, string sensor, string state, string message, InfluxPrecision precision, IBufferWriter<byte> output)
    {
        var sb = new StringBuilder(128);
        sb.Append(HealthMeasurement).Append(",device=");
        Escape(sb, device, measurement: false);
        sb.Append(",sensor=");
        Escape(sb, sensor, measurement: false);
        sb.Append(" state=");
        Quote(sb, state);
        sb.Append(",message=");
        Quote(sb, message);
        sb.Append(",seq=").Append(seq.ToString(CultureInfo.InvariantCulture)).Append('i');
        End(sb, timestamp, precision, output);
    }

    /// <summary>Writes one <see cref="GapMeasurement"/> line: seqs <paramref name="from"/> to <paramref name="to"/> will never arrive, and why.</summary>
    public static void WriteGap(string device, long from, long to, string reason, DateTimeOffset at, InfluxPrecision precision, IBufferWriter<byte> output)
    {
        var sb = new StringBuilder(96);
        sb.Append(GapMeasurement).Append(",device=");
        Escape(sb, device, measurement: false);
        sb.Append(",reason=");
        Escape(sb, reason, measurement: false);
        sb.Append(" from=").Append(from.ToString(CultureInfo.InvariantCulture)).Append('i');
        sb.Append(",to=").Append(to.ToString(CultureInfo.InvariantCulture)).Append('i');
        sb.Append(",count=").Append((to - from + 1).ToString(CultureInfo.InvariantCulture)).Append('i');
        End(sb, at, precision, output);
    }

    private static void End(StringBuilder sb, DateTimeOffset timestamp, InfluxPrecision precision, IBufferWriter<byte> output)
    {
        var milliseconds = timestamp.ToUnixTimeMilliseconds();
        sb.Append(' ').Append((precision == InfluxPrecision.Milliseconds ? milliseconds : milliseconds * 1_000_000).ToString(CultureInfo.InvariantCulture)).Append('\n');
        Encoding.UTF8.GetBytes(sb.ToString(), output);
    }

    // Measurements escape commas and spaces; tag keys and values also equals signs (backslash escapes).
    private static void Escape(StringBuilder sb, string value, bool measurement)
    {
        foreach (var c in value)
        {
            if (c is ',' or ' ' || (!measurement && c == '='))
            {
                sb.Append('\\');
            }

            sb.Append(c is '\n' or '\r' ? ' ' : c);
        }
    }

    // String field values are double-quoted; quotes and backslashes inside are backslash-escaped; a line ends at a newline.
    private static void Quote(StringBuilder sb, string value)
    {
        sb.Append('"');
        foreach (var c in value)
        {
            if (c is '"' or '\\')
            {
                sb.Append('\\');
            }

            sb.Append(c is '\n' or '\r' ? ' ' : c);
        }

        sb.Append('"');
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
