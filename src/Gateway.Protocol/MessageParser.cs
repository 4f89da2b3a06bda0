using System.Text.Json;
using System.Text.Unicode;
using Gateway.Protocol.Json;

namespace Gateway.Protocol;

/// <summary>
/// Parses one protocol message from UTF-8 JSON bytes. Total: for any input it returns either a message or an
/// <see cref="ErrorMessage"/> saying what was wrong (invalid UTF-8, malformed JSON, unknown type, a missing, wrong-typed
/// or out-of-range field, a duplicate name or a lone surrogate escape anywhere — <see cref="StrictJson"/>), ready to
/// send back to the peer; it never throws.
/// </summary>
/// <remarks>
/// <para>
/// One pass: the bytes are checked to be UTF-8 (one vectorised scan), then one <see cref="Utf8JsonReader"/> reads the
/// message to its end, noting each top-level member's value as it goes by (<see cref="MessageMembers"/>) and checking
/// the I-JSON rules on the way; the message is then built by its <c>type</c> from what was noted. No copy of the input,
/// no document. Verdicts come in a fixed order, whatever the order of the members: invalid UTF-8; malformed JSON
/// (anywhere, depth included); not an object; the first duplicate name or lone surrogate escape outside <c>args</c>;
/// <c>type</c> missing; a problem inside <c>args</c> (when not a command); the type's fields in their order; unknown type.
/// </para>
/// <para>
/// One exception to checking every byte here: the <c>args</c> of a <c>command</c> are handed on as raw JSON text and
/// checked by <see cref="Commands.CommandSigning.CanonicalArgs(string?)"/>, the command pipeline's first check, so that a
/// command with bad arguments is still answered with a <c>result</c> carrying its <c>id</c> (issue 14, finding 11)
/// rather than an uncorrelated <c>error</c>.
/// </para>
/// </remarks>
public static class MessageParser
{
    /// <summary>Deepest nesting of a message (the protocol's messages need 3; args and data objects a few more).</summary>
    public const int MaxDepth = 8;

    /// <summary>Longest part of a parser's own message quoted in an error (the answer stays small whatever came in).</summary>
    private const int MaxQuoted = 200;

    private static readonly JsonReaderOptions Options = new() { MaxDepth = MaxDepth };

    /// <summary>Parses <paramref name="json"/>.</summary>
    public static Message Parse(ReadOnlySpan<byte> json) => Parse(json, out _);

    /// <summary>
    /// Parses <paramref name="json"/>, and says whether the line calls itself an error: its first top-level <c>type</c>
    /// member is the string <c>error</c>, read before anything made the line unreadable. A line that does is the
    /// peer's own error (even when malformed further on) and is never answered with an error (no error loop).
    /// </summary>
    internal static Message Parse(ReadOnlySpan<byte> json, out bool saysError)
    {
        saysError = false;

        // RFC 8259 §8.1: JSON text is UTF-8. The JSON reader alone lets some invalid sequences through in strings.
        if (!Utf8.IsValid(json))
        {
            return new ErrorMessage(ErrorCodes.InvalidUtf8, "the message is not valid UTF-8");
        }

        var members = new MessageMembers(json);
        string? problem; // the first I-JSON problem outside args
        string? argsProblem;
        var reader = new Utf8JsonReader(json, Options);
        try
        {
            if (!reader.Read())
            {
                return new ErrorMessage(ErrorCodes.MalformedJson, "malformed JSON: the message is empty");
            }

            if (reader.TokenType != JsonTokenType.StartObject)
            {
                var kind = KindOf(reader.TokenType);
                ReadToEnd(ref reader);
                return new ErrorMessage(ErrorCodes.MalformedJson, $"a message is a JSON object, got {kind}");
            }

            (problem, argsProblem) = ReadMembers(ref reader, ref members, ref saysError);
            ReadToEnd(ref reader);
        }
        catch (JsonException ex)
        {
            // System.Text.Json quotes an invalid literal up to the next delimiter — up to the whole line (found by the
            // fuzzer: a 64 KiB line echoed back in the error): the answer quotes a bounded part.
            return new ErrorMessage(ErrorCodes.MalformedJson, $"malformed JSON: {Truncate(ex.Message, MaxQuoted)}");
        }

        if (problem is not null)
        {
            return new ErrorMessage(ErrorCodes.BadField, problem);
        }

        if (members.TokenOf(Known.Type) != JsonTokenType.String)
        {
            return new ErrorMessage(ErrorCodes.BadField, "'type' is missing or not a string");
        }

        var isCommand = IsCommand(in members);
        if (!isCommand && argsProblem is not null)
        {
            return new ErrorMessage(ErrorCodes.BadField, argsProblem);
        }

        return Build(in members, isCommand);
    }

    // The root object's members, up to its end: each name checked (escapes, duplicates) and its value noted in its slot.
    // saysError is set as soon as 'type' is read, so it holds when the reader throws on something further on.
    private static (string? Problem, string? ArgsProblem) ReadMembers(ref Utf8JsonReader reader, ref MessageMembers members, ref bool saysError)
    {
        string? problem = null;
        string? argsProblem = null;
        var typeLookedFor = true; // until the first 'type', or a name that cannot be compared to it
        var seen = 0u;
        var scratch = default(Member);
        HashSet<string>? otherNames = null;
        Span<byte> unescaped = stackalloc byte[MessageMembers.LongestName * 6];
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            // The name: a known one by its slot (a bit for uniqueness), another by its text.
            var known = -1;
            string? other = null;
            string? nameEscape = reader.ValueIsEscaped ? StrictJson.FindLoneSurrogate(reader.ValueSpan) : null;
            if (nameEscape is not null)
            {
                typeLookedFor &= !StopsTypeLookup(ref reader);
                problem ??= StrictJson.LoneSurrogateInTopLevelName(nameEscape);
            }
            else if (!reader.ValueIsEscaped)
            {
                known = MessageMembers.Find(reader.ValueSpan);
            }
            else if (reader.ValueSpan.Length <= unescaped.Length)
            {
                known = MessageMembers.Find(unescaped[..reader.CopyString(unescaped)]);
            }

            if (known < 0 && nameEscape is null && problem is null)
            {
                other = reader.GetString()!;
                if (!(otherNames ??= new(StringComparer.Ordinal)).Add(other))
                {
                    problem = StrictJson.DuplicateTopLevelName(other);
                }
            }
            else if (known >= 0 && problem is null)
            {
                if ((seen & (1u << known)) != 0)
                {
                    problem = StrictJson.DuplicateTopLevelName(MessageMembers.NameOf((Known)known));
                }

                seen |= 1u << known;
            }

            reader.Read(); // the value
            if (known == (int)Known.Type && typeLookedFor)
            {
                typeLookedFor = false;
                saysError = reader.TokenType == JsonTokenType.String
                    && !(reader.ValueIsEscaped && StrictJson.FindLoneSurrogate(reader.ValueSpan) is not null)
                    && reader.ValueTextEquals("error"u8);
            }

            ref var slot = ref known >= 0 ? ref members[(Known)known] : ref scratch; // other names: noted nowhere read
            slot.Token = reader.TokenType;
            slot.Start = (int)reader.TokenStartIndex;
            slot.Escaped = reader.TokenType == JsonTokenType.String && reader.ValueIsEscaped;
            if (known >= 0 && reader.TokenType == JsonTokenType.Number)
            {
                slot.IsLong = reader.TryGetInt64(out slot.Long);
                slot.IsInt = slot.IsLong && reader.TryGetInt32(out _);
                slot.IsDouble = reader.TryGetDouble(out slot.Double);
            }

            if (problem is not null || nameEscape is not null)
            {
                reader.Skip(); // a verdict is found: only the syntax of the rest counts now
            }
            else if (known == (int)Known.Args)
            {
                // Not looked into for a command (CanonicalArgs checks it, see remarks); for any other type a problem in
                // it counts only after every problem outside it and after 'type'.
                if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray or JsonTokenType.String && !IsCommand(in members))
                {
                    argsProblem ??= CheckValue(ref reader, "args");
                }
                else
                {
                    reader.Skip();
                }
            }
            else
            {
                problem = CheckValue(ref reader, other ?? MessageMembers.NameOf((Known)known));
            }

            slot.End = (int)reader.BytesConsumed;
        }

        return (problem, argsProblem);
    }

    // A member's value: a string for lone surrogate escapes here, an object or array by StrictJson, read to its end.
    private static string? CheckValue(ref Utf8JsonReader reader, string name)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.String:
                return reader.ValueIsEscaped && StrictJson.FindLoneSurrogate(reader.ValueSpan) is { } escape
                    ? StrictJson.LoneSurrogateInTopLevelValue(name, escape)
                    : null;
            case JsonTokenType.StartObject or JsonTokenType.StartArray:
                return StrictJson.FindProblemInValue(ref reader, name);
            default:
                return null;
        }
    }

    // A name that is no text (a lone surrogate escape) ends the search for an error's 'type' where comparing it with
    // "type" throws: System.Text.Json compares only when the bytes before its first escape match, then unescapes and
    // throws. Kept as Inbound always answered such lines (hostile ones only: no peer writes such a name).
    private static bool StopsTypeLookup(ref Utf8JsonReader reader)
    {
        try
        {
            return reader.ValueTextEquals("type"u8); // never true: "type" has no surrogate
        }
        catch (InvalidOperationException)
        {
            return true;
        }
    }

    private static bool IsCommand(in MessageMembers members) =>
        members.TokenOf(Known.Type) == JsonTokenType.String && members.TypeIs("command"u8);

    // The message by its type, from the noted members; a field's FormatException names it.
    private static Message Build(in MessageMembers m, bool isCommand)
    {
        var type = isCommand ? "command" : m.String(Known.Type);
        try
        {
            return type switch
            {
                "reading" => new ReadingMessage(
                    m.String(Known.Device), m.Long(Known.Seq), m.Timestamp(), m.String(Known.Sensor), m.String(Known.Quantity),
                    m.IsNull(Known.Value) ? double.NaN : m.Double(Known.Value), m.String(Known.Unit)),
                "ack" => new AckMessage(m.Long(Known.Seq)),
                "ping" => new PingMessage(),
                "pong" => new PongMessage(),
                "error" => new ErrorMessage(m.String(Known.Code), m.String(Known.Message)),
                "gap" => new GapMessage(m.Long(Known.From), m.Long(Known.To), m.String(Known.Reason)),
                "hello" => new HelloMessage(
                    m.String(Known.Device), m.String(Known.Firmware), m.Int(Known.Protocol), m.Strings(Known.Sensors), m.Long(Known.NextSeq)),
                "beacon" => new BeaconMessage(
                    m.String(Known.Device), m.String(Known.Firmware), m.Long(Known.Uptime), m.Strings(Known.Listeners)),
                "event" => new EventMessage(
                    m.String(Known.Device), m.Long(Known.Seq), m.Timestamp(), m.String(Known.Sensor), m.String(Known.Kind), m.String(Known.Message)),
                "command" => new CommandMessage(
                    m.String(Known.Id), m.OptionalString(Known.Device), m.OptionalString(Known.Name), m.Raw(Known.Args),
                    m.OptionalString(Known.Key), m.OptionalString(Known.Ts), m.OptionalString(Known.Nonce), m.OptionalString(Known.Sig)),
                "result" => new ResultMessage(
                    m.String(Known.Id), m.Bool(Known.Ok), m.OptionalString(Known.Code), m.OptionalString(Known.Message), m.Raw(Known.Data),
                    m.IsTrue(Known.Duplicate)),
                _ => new ErrorMessage(ErrorCodes.UnknownType, $"unknown message type '{Truncate(type)}'"),
            };
        }
        catch (FormatException ex)
        {
            return new ErrorMessage(ErrorCodes.BadField, $"{type}: {ex.Message}");
        }
    }

    // Reads on to the end of the text: the rest of the current value, then nothing but whitespace (RFC 8259 §2).
    private static void ReadToEnd(ref Utf8JsonReader reader)
    {
        reader.Skip();
        while (reader.Read())
        {
            // Read validates what follows: a second value or any other byte throws.
        }
    }

    // The JsonValueKind name of a value's first token, as the answer has always named it.
    private static JsonValueKind KindOf(JsonTokenType token) => token switch
    {
        JsonTokenType.StartArray => JsonValueKind.Array,
        JsonTokenType.String => JsonValueKind.String,
        JsonTokenType.Number => JsonValueKind.Number,
        JsonTokenType.True => JsonValueKind.True,
        JsonTokenType.False => JsonValueKind.False,
        JsonTokenType.Null => JsonValueKind.Null,
        _ => JsonValueKind.Undefined,
    };

    private static string Truncate(string s, int max = 40) => s.Length > max ? s[..max] + "…" : s;
}
