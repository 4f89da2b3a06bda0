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

/// <summary>
/// InfluxDB line protocol (docs.influxdata.com "Line protocol"): <c>quantity,device=…,sensor=…,unit=… value=21.5 1700000000000000000</c>
/// with measurement, tag keys and tag values escaped as the specification requires, and the timestamp in nanoseconds.
/// </summary>
public static class InfluxLineProtocol
{
    /// <summary>Writes one line (with its newline) for a reading; nothing for a non-finite value, which the format cannot carry.</summary>
    public static void WriteLine(ReadingMessage reading, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(reading);
        if (!double.IsFinite(reading.Value))
        {
            return;
        }

        var sb = new StringBuilder(96);
        Escape(sb, reading.Quantity, measurement: true);
        sb.Append(",device=");
        Escape(sb, reading.Device, measurement: false);
        sb.Append(",sensor=");
        Escape(sb, reading.Sensor, measurement: false);
        if (reading.Unit.Length > 0)
        {
            sb.Append(",unit=");
            Escape(sb, reading.Unit, measurement: false);
        }

        sb.Append(" value=").Append(reading.Value.ToString("R", CultureInfo.InvariantCulture));
        sb.Append(",seq=").Append(reading.Seq.ToString(CultureInfo.InvariantCulture)).Append('i');
        sb.Append(' ').Append((reading.Timestamp.ToUnixTimeMilliseconds() * 1_000_000).ToString(CultureInfo.InvariantCulture)).Append('\n');
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
