using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Gateway.Protocol.Json;

/// <summary>
/// The two I-JSON rules (RFC 7493) that System.Text.Json does not enforce while parsing, checked in one pass over the
/// UTF-8 text with no exception for any input:
/// <list type="bullet">
/// <item>names within an object are unique, compared after unescaping (RFC 8259 §4 "SHOULD", RFC 7493 §2.3 "MUST NOT"
/// repeat; RFC 8785 §3.1 needs them unique to canonicalize) — otherwise one reader sees the first value and another
/// the last;</item>
/// <item>no string or name holds a lone surrogate escape such as <c>\ud800</c> (RFC 8259 §8.2, RFC 7493 §2.1): it is
/// grammatical JSON but no Unicode text, and <see cref="JsonElement.GetString"/> throws
/// <see cref="InvalidOperationException"/> on it.</item>
/// </list>
/// <c>JsonDocumentOptions.AllowDuplicateProperties = false</c> (.NET 9+) is not used because it throws
/// <see cref="InvalidOperationException"/> itself when a duplicated name holds a lone surrogate, cannot leave one
/// member out, and does not say where the duplicate is.
/// </summary>
public static class StrictJson
{
    private const int MaxQuoted = 40;

    /// <summary>
    /// The first I-JSON problem in <paramref name="utf8Json"/> as a sentence naming where it is (e.g.
    /// <c>duplicate name 'output' in 'args'</c>), or null when there is none. Text that is not JSON at all, or nested
    /// deeper than <paramref name="maxDepth"/>, is a problem too.
    /// </summary>
    /// <param name="utf8Json">The JSON text, valid UTF-8 (the caller checks the encoding).</param>
    /// <param name="maxDepth">Deepest nesting accepted (bounds the work and memory of the check).</param>
    /// <param name="rootName">What to call the root value in the sentence (e.g. <c>args</c>); "the message" when null.</param>
    public static string? FindProblem(ReadOnlySpan<byte> utf8Json, int maxDepth, string? rootName = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxDepth);
        var reader = new Utf8JsonReader(utf8Json, new JsonReaderOptions { MaxDepth = maxDepth });
        try
        {
            if (!reader.Read())
            {
                return null;
            }

            if (Walk(ref reader, rootName, finishValue: false) is { } problem)
            {
                return problem;
            }

            while (reader.Read())
            {
                // Read validates what follows the value: nothing but whitespace (RFC 8259 §2).
            }

            return null;
        }
        catch (JsonException ex)
        {
            return "malformed JSON: " + (ex.Message.Length > 200 ? ex.Message[..200] + "…" : ex.Message);
        }
    }

    /// <summary>
    /// The first I-JSON problem in the value <paramref name="reader"/> is on (its first token just read), or null; the
    /// value is read to its last token either way, so the caller's reader goes on after it (one pass over a message:
    /// <see cref="MessageParser"/> checks a member's object or array this way). Syntax errors throw
    /// <see cref="JsonException"/> from the reader, as they would from <see cref="Utf8JsonReader.Skip"/>.
    /// </summary>
    /// <param name="reader">The reader, on the first token of the value.</param>
    /// <param name="name">What to call the value in the sentence: a member's name as received (it is made printable here).</param>
    internal static string? FindProblemInValue(ref Utf8JsonReader reader, string name) =>
        Walk(ref reader, Printable(name), finishValue: true);

    /// <summary>The sentence for a lone surrogate escape in a name of the message's root object.</summary>
    internal static string LoneSurrogateInTopLevelName(string escape) =>
        $"a name in the message is not Unicode text: {escape} is a lone surrogate (RFC 8259 §8.2, RFC 7493 §2.1)";

    /// <summary>The sentence for a lone surrogate escape in the string value of the root object's member <paramref name="name"/>.</summary>
    internal static string LoneSurrogateInTopLevelValue(string name, string escape) =>
        $"{(name.Length == 0 ? "the message" : Quote(name))} is not Unicode text: {escape} is a lone surrogate (RFC 8259 §8.2, RFC 7493 §2.1)";

    /// <summary>The sentence for a name given twice in the message's root object.</summary>
    internal static string DuplicateTopLevelName(string name) =>
        $"duplicate name {Quote(name)} in the message (names must be unique: RFC 8259 §4, RFC 7493 §2.3)";

    // Checks the value the reader is on, token by token. finishValue: on a problem, read on to the value's last token
    // (for a caller whose reader continues); otherwise stop where the problem is.
    private static string? Walk(ref Utf8JsonReader reader, string? rootName, bool finishValue)
    {
        var startDepth = reader.CurrentDepth;
        List<Frame>? frames = null;
        do
        {
            var problem = Check(ref reader, frames ??= [], rootName);
            if (problem is not null)
            {
                if (finishValue && frames.Count > 0)
                {
                    SkipToEndOfValue(ref reader, startDepth);
                }

                return problem;
            }
        }
        while (frames.Count > 0 && reader.Read());

        return null;
    }

    // One token: the frames follow the nesting, names are checked for uniqueness, strings and names for escapes.
    private static string? Check(ref Utf8JsonReader reader, List<Frame> frames, string? rootName)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.StartObject:
                NextValue(frames);
                frames.Add(new Frame(IsObject: true, Names: new HashSet<string>(StringComparer.Ordinal)));
                break;
            case JsonTokenType.StartArray:
                NextValue(frames);
                frames.Add(new Frame(IsObject: false, Names: null));
                break;
            case JsonTokenType.EndObject:
            case JsonTokenType.EndArray:
                frames.RemoveAt(frames.Count - 1);
                break;
            case JsonTokenType.PropertyName:
                if (reader.ValueIsEscaped && FindLoneSurrogate(reader.ValueSpan) is { } nameEscape)
                {
                    return $"a name in {Where(frames, rootName, containerOnly: true)} is not Unicode text: {nameEscape} is a lone surrogate (RFC 8259 §8.2, RFC 7493 §2.1)";
                }

                var name = reader.GetString()!; // safe: valid UTF-8 (caller) and no lone surrogate (above)
                var frame = frames[^1];
                if (!frame.Names!.Add(name))
                {
                    return $"duplicate name {Quote(name)} in {Where(frames, rootName, containerOnly: true)} (names must be unique: RFC 8259 §4, RFC 7493 §2.3)";
                }

                frames[^1] = frame with { Current = name };
                break;
            case JsonTokenType.String:
                NextValue(frames);
                if (reader.ValueIsEscaped && FindLoneSurrogate(reader.ValueSpan) is { } escape)
                {
                    return $"{Where(frames, rootName)} is not Unicode text: {escape} is a lone surrogate (RFC 8259 §8.2, RFC 7493 §2.1)";
                }

                break;
            default:
                NextValue(frames);
                break;
        }

        return null;
    }

    // The reader is inside an object or array that began at startDepth: read on to its end token (same depth).
    private static void SkipToEndOfValue(ref Utf8JsonReader reader, int startDepth)
    {
        while (!(reader.CurrentDepth == startDepth && reader.TokenType is JsonTokenType.EndObject or JsonTokenType.EndArray))
        {
            if (!reader.Read())
            {
                return; // unreachable on a final block (an unclosed value throws), a bound all the same
            }
        }
    }

    /// <summary>
    /// The first escape in the raw (still escaped) text of a JSON string that stands for a lone UTF-16 surrogate, as
    /// written (e.g. <c>\ud800</c>), or null. A high surrogate escape followed by a low one is a pair, and fine.
    /// </summary>
    /// <param name="raw">The bytes between the quotes, escapes not yet decoded.</param>
    public static string? FindLoneSurrogate(ReadOnlySpan<byte> raw)
    {
        for (var i = 0; i < raw.Length; i++)
        {
            if (raw[i] != (byte)'\\')
            {
                continue;
            }

            if (i + 1 >= raw.Length || raw[i + 1] != (byte)'u')
            {
                i++; // a two-character escape such as \n or \\: skip the escaped character
                continue;
            }

            if (!TryHex4(raw, i + 2, out var unit))
            {
                return null; // not a \uXXXX escape at all: the JSON reader refuses it
            }

            if (char.IsLowSurrogate((char)unit))
            {
                return Escape(raw, i);
            }

            if (char.IsHighSurrogate((char)unit))
            {
                var next = i + 6;
                if (next + 1 < raw.Length && raw[next] == (byte)'\\' && raw[next + 1] == (byte)'u'
                    && TryHex4(raw, next + 2, out var low) && char.IsLowSurrogate((char)low))
                {
                    i = next + 5; // the pair
                    continue;
                }

                return Escape(raw, i);
            }

            i += 5;
        }

        return null;
    }

    private static void NextValue(List<Frame> frames)
    {
        if (frames.Count > 0 && !frames[^1].IsObject)
        {
            frames[^1] = frames[^1] with { Index = frames[^1].Index + 1 };
        }
    }

    // Where the reader is, as 'args.output' or 'sensors[2]'; "the message" at the root. containerOnly: the object
    // being read, without the member before the name just read.
    private static string Where(List<Frame> frames, string? rootName, bool containerOnly = false)
    {
        var path = new StringBuilder(rootName);
        for (var i = 0; i < frames.Count; i++)
        {
            var frame = frames[i];
            if (frame.IsObject)
            {
                if (frame.Current is null || (containerOnly && i == frames.Count - 1))
                {
                    break;
                }

                if (path.Length > 0)
                {
                    path.Append('.');
                }

                path.Append(Printable(frame.Current));
            }
            else if (frame.Index >= 0)
            {
                path.Append('[').Append(frame.Index.ToString(CultureInfo.InvariantCulture)).Append(']');
            }
        }

        return path.Length == 0 ? "the message" : "'" + path + "'";
    }

    private static string Quote(string name) => "'" + Printable(name) + "'";

    // Names come from outside: shortened, and control characters shown as \uXXXX so that they cannot forge log lines.
    private static string Printable(string s)
    {
        var text = new StringBuilder(Math.Min(s.Length, MaxQuoted) + 8);
        foreach (var c in s.Length > MaxQuoted ? s[..MaxQuoted] : s)
        {
            if (char.IsControl(c))
            {
                text.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
            }
            else
            {
                text.Append(c);
            }
        }

        return s.Length > MaxQuoted ? text.Append('…').ToString() : text.ToString();
    }

    private static string Escape(ReadOnlySpan<byte> raw, int at) => Encoding.ASCII.GetString(raw.Slice(at, 6));

    private static bool TryHex4(ReadOnlySpan<byte> raw, int at, out int value)
    {
        value = 0;
        if (at + 4 > raw.Length)
        {
            return false;
        }

        for (var k = at; k < at + 4; k++)
        {
            var digit = raw[k] switch
            {
                >= (byte)'0' and <= (byte)'9' => raw[k] - '0',
                >= (byte)'a' and <= (byte)'f' => raw[k] - 'a' + 10,
                >= (byte)'A' and <= (byte)'F' => raw[k] - 'A' + 10,
                _ => -1,
            };
            if (digit < 0)
            {
                return false;
            }

            value = (value << 4) | digit;
        }

        return true;
    }

    // One open object or array: the names seen so far (objects), the member being read, the index of the element (arrays).
    private readonly record struct Frame(bool IsObject, HashSet<string>? Names, string? Current = null, int Index = -1);
}
