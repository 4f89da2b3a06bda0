using System.Globalization;
using System.Text;
using System.Text.Json;
using Gateway.Protocol;

namespace Gateway.FuzzTests.Oracle;

/// <summary>
/// The differential oracle: <c>MessageParser</c> as it was at 851fa99 (four passes: strict UTF-8 decode, a syntax pass,
/// JsonDocument over a copy, <see cref="PreviousStrictJson"/>), kept verbatim but for its names, so that the one-pass
/// parser can be checked against it (<see cref="OnePassParserDifferentialTests"/>). Not used by the product.
/// </summary>
internal static class PreviousMessageParser
{
    /// <summary>Deepest nesting of a message (the protocol's messages need 3; args and data objects a few more).</summary>
    public const int MaxDepth = 8;

    /// <summary>Longest part of a parser's own message quoted in an error (the answer stays small whatever came in).</summary>
    private const int MaxQuoted = 200;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Parses <paramref name="json"/>.</summary>
    public static Message Parse(ReadOnlySpan<byte> json)
    {
        try
        {
            StrictUtf8.GetCharCount(json); // validates: the JSON reader alone lets some invalid sequences through in strings
        }
        catch (DecoderFallbackException)
        {
            return new ErrorMessage(ErrorCodes.InvalidUtf8, "the message is not valid UTF-8");
        }

        // Syntax first with the reader: garbage (most hostile input) costs neither a copy nor a document, whose token
        // table is 12 bytes per input byte.
        if (SyntaxError(json) is { } syntax)
        {
            return new ErrorMessage(ErrorCodes.MalformedJson, $"malformed JSON: {syntax}");
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json.ToArray(), new JsonDocumentOptions { MaxDepth = MaxDepth });
        }
        catch (JsonException ex)
        {
            return new ErrorMessage(ErrorCodes.MalformedJson, $"malformed JSON: {Truncate(ex.Message, MaxQuoted)}");
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return new ErrorMessage(ErrorCodes.MalformedJson, $"a message is a JSON object, got {root.ValueKind}");
            }

            // Names unique and strings Unicode everywhere, before any GetString (which throws on a lone surrogate).
            if (PreviousStrictJson.FindProblem(json, MaxDepth, skipTopLevelMember: "args") is { } problem)
            {
                return new ErrorMessage(ErrorCodes.BadField, problem);
            }

            if (!root.TryGetProperty("type", out var typeElement) || typeElement.ValueKind != JsonValueKind.String)
            {
                return new ErrorMessage(ErrorCodes.BadField, "'type' is missing or not a string");
            }

            var type = typeElement.GetString()!;
            if (type != "command" && root.TryGetProperty("args", out _) && PreviousStrictJson.FindProblem(json, MaxDepth) is { } argsProblem)
            {
                return new ErrorMessage(ErrorCodes.BadField, argsProblem);
            }

            try
            {
                return type switch
                {
                    "ack" => new AckMessage(Long(root, "seq")),
                    "ping" => new PingMessage(),
                    "pong" => new PongMessage(),
                    "error" => new ErrorMessage(String(root, "code"), String(root, "message")),
                    "gap" => new GapMessage(Long(root, "from"), Long(root, "to"), String(root, "reason")),
                    "hello" => new HelloMessage(
                        String(root, "device"), String(root, "firmware"), Int(root, "protocol"), Strings(root, "sensors"), Long(root, "nextSeq")),
                    "reading" => new ReadingMessage(
                        String(root, "device"), Long(root, "seq"), Timestamp(root), String(root, "sensor"), String(root, "quantity"),
                        root.TryGetProperty("value", out var v) && v.ValueKind == JsonValueKind.Null ? double.NaN : Double(root, "value"),
                        String(root, "unit")),
                    "beacon" => new BeaconMessage(
                        String(root, "device"), String(root, "firmware"), Long(root, "uptime"),
                        Strings(root, "listeners")),
                    "event" => new EventMessage(
                        String(root, "device"), Long(root, "seq"), Timestamp(root), String(root, "sensor"), String(root, "kind"), String(root, "message")),
                    "command" => new CommandMessage(
                        String(root, "id"), OptionalString(root, "device"), OptionalString(root, "name"), Raw(root, "args"),
                        OptionalString(root, "key"), OptionalString(root, "ts"), OptionalString(root, "nonce"), OptionalString(root, "sig")),
                    "result" => new ResultMessage(
                        String(root, "id"), Bool(root, "ok"), OptionalString(root, "code"), OptionalString(root, "message"), Raw(root, "data"),
                        root.TryGetProperty("duplicate", out var dup) && dup.ValueKind == JsonValueKind.True),
                    _ => new ErrorMessage(ErrorCodes.UnknownType, $"unknown message type '{Truncate(type)}'"),
                };
            }
            catch (FormatException ex)
            {
                return new ErrorMessage(ErrorCodes.BadField, $"{type}: {ex.Message}");
            }
        }
    }

    private static string? SyntaxError(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = MaxDepth });
        try
        {
            while (reader.Read())
            {
                // Read validates the whole text: one value, nothing after it (RFC 8259 §2).
            }

            return reader.BytesConsumed == 0 ? "the message is empty" : null;
        }
        catch (JsonException ex)
        {
            // System.Text.Json quotes an invalid literal up to the next delimiter — up to the whole line (found by the
            // fuzzer: a 64 KiB line echoed back in the error): the answer quotes a bounded part.
            return Truncate(ex.Message, MaxQuoted);
        }
    }

    private static string String(JsonElement root, string name) =>
        root.TryGetProperty(name, out var e) && e.ValueKind == JsonValueKind.String
            ? e.GetString()!
            : throw new FormatException($"'{name}' is missing or not a string");

    // Optional, but when present it must be a string: a number where a string belongs is a bad field, not "missing".
    private static string? OptionalString(JsonElement root, string name) =>
        !root.TryGetProperty(name, out var e) || e.ValueKind == JsonValueKind.Null ? null
        : e.ValueKind == JsonValueKind.String ? e.GetString()
        : throw new FormatException($"'{name}' is not a string");

    private static string? Raw(JsonElement root, string name) =>
        root.TryGetProperty(name, out var e) && e.ValueKind != JsonValueKind.Null ? e.GetRawText() : null;

    private static bool Bool(JsonElement root, string name) =>
        root.TryGetProperty(name, out var e) && e.ValueKind is JsonValueKind.True or JsonValueKind.False
            ? e.GetBoolean()
            : throw new FormatException($"'{name}' is missing or not true/false");

    private static long Long(JsonElement root, string name) =>
        root.TryGetProperty(name, out var e) && e.ValueKind == JsonValueKind.Number && e.TryGetInt64(out var n)
            ? n
            : throw new FormatException($"'{name}' is missing or not a whole number");

    private static double Double(JsonElement root, string name) =>
        root.TryGetProperty(name, out var e) && e.ValueKind == JsonValueKind.Number
            ? e.GetDouble()
            : throw new FormatException($"'{name}' is missing or not a number");

    private static int Int(JsonElement root, string name) =>
        root.TryGetProperty(name, out var e) && e.ValueKind == JsonValueKind.Number && e.TryGetInt32(out var n)
            ? n
            : throw new FormatException($"'{name}' is missing or not a whole number from {int.MinValue} to {int.MaxValue}");

    private static string[] Strings(JsonElement root, string name) =>
        root.TryGetProperty(name, out var e) && e.ValueKind == JsonValueKind.Array && e.EnumerateArray().All(item => item.ValueKind == JsonValueKind.String)
            ? [.. e.EnumerateArray().Select(item => item.GetString()!)]
            : throw new FormatException($"'{name}' is missing or not an array of strings");

    private static DateTimeOffset Timestamp(JsonElement root) =>
        DateTimeOffset.TryParse(String(root, "ts"), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var ts)
            ? ts
            : throw new FormatException("'ts' is not an ISO 8601 time");

    private static string Truncate(string s, int max = 40) => s.Length > max ? s[..max] + "…" : s;

    // MessageParser answers bad input with an ErrorMessage, and a peer's own {"type":"error"} parses to one too: tell
    // them apart by the type field, so a peer's error is never mistaken for bad input and bounced back (an error loop).
    public static bool IsErrorTyped(ReadOnlySpan<byte> bytes)
    {
        try
        {
            var reader = new Utf8JsonReader(bytes, new JsonReaderOptions { MaxDepth = 8 });
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return false;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isType = reader.ValueTextEquals("type"u8);
                reader.Read();
                if (isType)
                {
                    return reader.TokenType == JsonTokenType.String && reader.ValueTextEquals("error"u8);
                }

                reader.Skip();
            }

            return false;
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            // InvalidOperationException: ValueTextEquals unescapes, and throws on a lone surrogate escape in a name or
            // value (RFC 8259 §8.2: such a string is not Unicode). Not an error the peer sent, then: a bad line.
            return false;
        }
    }
}
