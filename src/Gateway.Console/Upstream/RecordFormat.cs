using System.Globalization;
using System.Text;
using Gateway.Protocol;

namespace Gateway.Console.Upstream;

/// <summary>The file formats <c>gwctl listen --record</c> writes.</summary>
internal enum RecordFormat
{
    /// <summary>The protocol's own messages, one per line (<c>.ndjson</c>, <c>.jsonl</c>, anything not <c>.csv</c>).</summary>
    Ndjson,

    /// <summary>RFC 4180 CSV with a header row (<c>.csv</c>).</summary>
    Csv,
}

/// <summary>
/// One line of a recording per reading, event or gap. NDJSON lines are the protocol messages as received (a gap
/// gains the <c>device</c> it belongs to); CSV rows have the columns of <see cref="CsvHeader"/>, quoted where RFC 4180
/// requires, and a gap's row has no seq (its range is in <c>message</c>), so each seq appears once in either format.
/// </summary>
internal static class RecordLines
{
    /// <summary>The CSV header row.</summary>
    public const string CsvHeader = "device,seq,ts,type,sensor,quantity,value,unit,message";

    /// <summary>The format a file name implies: <c>.csv</c> is CSV, anything else NDJSON.</summary>
    public static RecordFormat FormatOf(string path) =>
        string.Equals(Path.GetExtension(path), ".csv", StringComparison.OrdinalIgnoreCase) ? RecordFormat.Csv : RecordFormat.Ndjson;

    /// <summary>The line (without newline) for a reading or event.</summary>
    public static string Line(RecordFormat format, Message message)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (format == RecordFormat.Ndjson)
        {
            return MessageWriter.ToJson(message);
        }

        return message switch
        {
            ReadingMessage r => Csv(r.Device, Number(r.Seq), Time(r.Timestamp), "reading", r.Sensor, r.Quantity, double.IsFinite(r.Value) ? r.Value.ToString("R", CultureInfo.InvariantCulture) : string.Empty, r.Unit, string.Empty),
            EventMessage e => Csv(e.Device, Number(e.Seq), Time(e.Timestamp), "event", e.Sensor, string.Empty, string.Empty, string.Empty, $"{e.Kind}: {e.Message}"),
            _ => throw new ArgumentException($"only readings and events are recorded per seq, not '{message.Type}'", nameof(message)),
        };
    }

    /// <summary>The line (without newline) for a gap the gateway announced, received at <paramref name="at"/>.</summary>
    public static string GapLine(RecordFormat format, string device, GapMessage gap, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(gap);
        if (format == RecordFormat.Ndjson)
        {
            // The protocol's gap plus the device (unknown fields are allowed: docs/protocol.md, Messages).
            var json = MessageWriter.ToJson(gap);
            return $"{{\"type\":\"gap\",\"device\":{System.Text.Json.JsonSerializer.Serialize(device, RecordJson.Default.String)}{json["{\"type\":\"gap\"".Length..]}";
        }

        return Csv(device, string.Empty, Time(at), "gap", string.Empty, string.Empty, string.Empty, string.Empty, $"seqs {gap.From}-{gap.To} lost ({gap.Reason})");
    }

    /// <summary>
    /// The device and seq of a recorded line, to pick up where an earlier recording left off; null for gaps, the
    /// header, and anything that is not a recorded reading or event.
    /// </summary>
    public static (string Device, long Seq)? SeqOf(RecordFormat format, string line)
    {
        ArgumentNullException.ThrowIfNull(line);
        if (format == RecordFormat.Ndjson)
        {
            return MessageParser.Parse(Encoding.UTF8.GetBytes(line)) switch
            {
                ReadingMessage r => (r.Device, r.Seq),
                EventMessage e => (e.Device, e.Seq),
                _ => null,
            };
        }

        var fields = SplitCsv(line);
        return fields.Count >= 2 && long.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out var seq) && fields[0].Length > 0
            ? (fields[0], seq)
            : null;
    }

    /// <summary>Splits one RFC 4180 row (no embedded line breaks: gwctl never writes them).</summary>
    public static List<string> SplitCsv(string line)
    {
        ArgumentNullException.ThrowIfNull(line);
        var fields = new List<string>();
        var field = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < line.Length && line[i + 1] == '"')
                {
                    field.Append('"');
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    field.Append(c);
                }
            }
            else if (c == '"')
            {
                quoted = true;
            }
            else if (c == ',')
            {
                fields.Add(field.ToString());
                field.Clear();
            }
            else
            {
                field.Append(c);
            }
        }

        fields.Add(field.ToString());
        return fields;
    }

    private static string Number(long n) => n.ToString(CultureInfo.InvariantCulture);

    private static string Time(DateTimeOffset ts) => ts.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    private static string Csv(params string[] fields) => string.Join(',', fields.Select(Quote));

    // RFC 4180 §2.6–2.7: quote a field holding a comma, quote or line break, doubling its quotes. Line breaks inside
    // a value (a hostile sensor name) become spaces, so one row stays one line.
    private static string Quote(string field)
    {
        var s = field.Replace('\r', ' ').Replace('\n', ' ');
        return s.AsSpan().IndexOfAny(",\"") >= 0 || (s.Length > 0 && (s[0] == ' ' || s[^1] == ' '))
            ? "\"" + s.Replace("\"", "\"\"", StringComparison.Ordinal) + "\""
            : s;
    }
}

[System.Text.Json.Serialization.JsonSerializable(typeof(string))]
internal sealed partial class RecordJson : System.Text.Json.Serialization.JsonSerializerContext;
