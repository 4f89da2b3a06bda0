using System.Buffers;
using System.Globalization;
using System.Text.Json;

namespace Gateway.Protocol;

/// <summary>
/// Writes protocol messages as compact UTF-8 JSON into a buffer writer (BedrockFramework's IMessageWriter idea),
/// without building intermediate strings for the hot path (readings). Framing (a newline for NDJSON) is the caller's.
/// </summary>
public static class MessageWriter
{
    private static readonly JsonWriterOptions Options = new() { Indented = false, SkipValidation = true };

    // One writer per thread, reset onto each output: a Utf8JsonWriter per message was the link's largest allocation.
    [ThreadStatic]
    private static Utf8JsonWriter? t_json;

    /// <summary>Writes <paramref name="message"/> as one JSON object.</summary>
    public static void Write(Message message, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(message);
        var json = t_json ??= new Utf8JsonWriter(output, Options);
        json.Reset(output);
        try
        {
            WriteObject(json, message);
            json.Flush();
        }
        finally
        {
            json.Reset(); // drop the reference to the output
        }
    }

    private static void WriteObject(Utf8JsonWriter json, Message message)
    {
        json.WriteStartObject();
        json.WriteString("type"u8, message.Type);
        switch (message)
        {
            case ReadingMessage r:
                json.WriteString("device"u8, r.Device);
                json.WriteNumber("seq"u8, r.Seq);
                WriteTimestamp(json, r.Timestamp);
                json.WriteString("sensor"u8, r.Sensor);
                json.WriteString("quantity"u8, r.Quantity);
                if (double.IsFinite(r.Value))
                {
                    json.WriteNumber("value"u8, r.Value);
                }
                else
                {
                    json.WriteNull("value"u8); // JSON has no NaN or infinity
                }

                json.WriteString("unit"u8, r.Unit);
                break;
            case EventMessage e:
                json.WriteString("device"u8, e.Device);
                json.WriteNumber("seq"u8, e.Seq);
                WriteTimestamp(json, e.Timestamp);
                json.WriteString("sensor"u8, e.Sensor);
                json.WriteString("kind"u8, e.Kind);
                json.WriteString("message"u8, e.Message);
                break;
            case HelloMessage h:
                json.WriteString("device"u8, h.Device);
                json.WriteString("firmware"u8, h.Firmware);
                json.WriteNumber("protocol"u8, h.ProtocolVersion);
                json.WriteStartArray("sensors"u8);
                foreach (var s in h.Sensors)
                {
                    json.WriteStringValue(s);
                }

                json.WriteEndArray();
                json.WriteNumber("nextSeq"u8, h.NextSeq);
                break;
            case AckMessage a:
                json.WriteNumber("seq"u8, a.Seq);
                break;
            case GapMessage g:
                json.WriteNumber("from"u8, g.From);
                json.WriteNumber("to"u8, g.To);
                json.WriteString("reason"u8, g.Reason);
                break;
            case ErrorMessage err:
                json.WriteString("code"u8, err.Code);
                json.WriteString("message"u8, err.Message);
                break;
            case BeaconMessage b:
                json.WriteString("device"u8, b.Device);
                json.WriteString("firmware"u8, b.Firmware);
                json.WriteNumber("uptime"u8, b.UptimeSeconds);
                json.WriteStartArray("listeners"u8);
                foreach (var l in b.Listeners)
                {
                    json.WriteStringValue(l);
                }

                json.WriteEndArray();
                break;
            case CommandMessage c:
                json.WriteString("id"u8, c.Id);
                WriteOptional(json, "device"u8, c.Device);
                WriteOptional(json, "name"u8, c.Name);
                if (c.Args is not null)
                {
                    json.WritePropertyName("args"u8);
                    json.WriteRawValue(c.Args, skipInputValidation: false);
                }

                WriteOptional(json, "key"u8, c.Key);
                WriteOptional(json, "ts"u8, c.Timestamp);
                WriteOptional(json, "nonce"u8, c.Nonce);
                WriteOptional(json, "sig"u8, c.Signature);
                break;
            case ResultMessage r:
                json.WriteString("id"u8, r.Id);
                json.WriteBoolean("ok"u8, r.Ok);
                WriteOptional(json, "code"u8, r.Code);
                WriteOptional(json, "message"u8, r.Message);
                if (r.Data is not null)
                {
                    json.WritePropertyName("data"u8);
                    json.WriteRawValue(r.Data, skipInputValidation: false);
                }

                if (r.Duplicate)
                {
                    json.WriteBoolean("duplicate"u8, true);
                }

                break;
            case PingMessage or PongMessage:
                break;
            default:
                throw new ArgumentException($"no writer for message type '{message.Type}'", nameof(message));
        }

        json.WriteEndObject();
    }

    /// <summary>Writes the message followed by a newline: one NDJSON line.</summary>
    public static void WriteLine(Message message, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        Write(message, output);
        output.GetSpan(1)[0] = (byte)'\n';
        output.Advance(1);
    }

    /// <summary>The message as a JSON string (tests, logs).</summary>
    public static string ToJson(Message message)
    {
        ArgumentNullException.ThrowIfNull(message);
        return JsonLine.Text(buffer => Write(message, buffer));
    }

    private static void WriteOptional(Utf8JsonWriter json, ReadOnlySpan<byte> name, string? value)
    {
        if (value is not null)
        {
            json.WriteString(name, value);
        }
    }

    // ISO 8601 UTC with milliseconds, e.g. 2026-11-23T06:30:54.474Z.
    private static void WriteTimestamp(Utf8JsonWriter json, DateTimeOffset ts)
    {
        Span<char> text = stackalloc char[24];
        ts.UtcDateTime.TryFormat(text, out var n, "yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
        json.WriteString("ts"u8, text[..n]);
    }
}
