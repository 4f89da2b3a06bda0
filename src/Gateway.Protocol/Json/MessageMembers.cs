using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;

namespace Gateway.Protocol.Json;

/// <summary>
/// The names of every member a protocol message has (docs/protocol.md), across all types: the one-pass parser keeps one
/// <see cref="Member"/> per name and tells duplicates apart with a bit each, with no set to allocate.
/// </summary>
internal enum Known
{
#pragma warning disable CS1591 // the wire names, in the order of docs/protocol.md's message table
    Type, Device, Seq, Ts, Sensor, Quantity, Value, Unit, Kind, Message, Firmware, Protocol, Sensors, NextSeq, From, To,
    Reason, Code, Uptime, Listeners, Id, Name, Args, Key, Nonce, Sig, Ok, Data, Duplicate,
#pragma warning restore CS1591
}

/// <summary>
/// Where one top-level member's value is in the message and what it is, recorded while the reader passes it; numbers
/// are read as they go by (the reader is there), strings are decoded only when the message's type needs them.
/// </summary>
internal struct Member
{
    /// <summary>The value's first token (<see cref="JsonTokenType.None"/>: the member is absent).</summary>
    public JsonTokenType Token;

    /// <summary>Offset of the value's first byte (a string's opening quote).</summary>
    public int Start;

    /// <summary>Offset just past the value's last byte (a string's closing quote, an object's brace).</summary>
    public int End;

    /// <summary>A string holding backslash escapes (decoding needs the reader's unescaping).</summary>
    public bool Escaped;

    /// <summary>A number that is a whole <see cref="long"/> (<see cref="Utf8JsonReader.TryGetInt64"/>).</summary>
    public bool IsLong;

    /// <summary>A number that is a whole <see cref="int"/> (<see cref="Utf8JsonReader.TryGetInt32"/>).</summary>
    public bool IsInt;

    /// <summary>A number read as a <see cref="double"/> (<see cref="Utf8JsonReader.TryGetDouble"/>).</summary>
    public bool IsDouble;

    /// <summary>The number as a long, when <see cref="IsLong"/>.</summary>
    public long Long;

    /// <summary>The number as a double, when <see cref="IsDouble"/>.</summary>
    public double Double;
}

/// <summary>One slot per <see cref="Known"/> name, inline: a parse keeps them on its stack.</summary>
[InlineArray(MessageMembers.Count)]
internal struct MemberSlots
{
    private Member _first;
}

/// <summary>
/// The top-level members of one message as the parser found them, read out by the message's type with the checks and
/// sentences of docs/protocol.md (a missing or wrong-typed field is a <see cref="FormatException"/> naming it).
/// </summary>
internal ref struct MessageMembers
{
    /// <summary>How many names there are.</summary>
    public const int Count = (int)Known.Duplicate + 1;

    /// <summary>The wire names, indexed by <see cref="Known"/>.</summary>
    private static readonly string[] Names =
    [
        "type", "device", "seq", "ts", "sensor", "quantity", "value", "unit", "kind", "message", "firmware", "protocol",
        "sensors", "nextSeq", "from", "to", "reason", "code", "uptime", "listeners", "id", "name", "args", "key", "nonce",
        "sig", "ok", "data", "duplicate",
    ];

    private static readonly byte[][] Utf8Names = [.. Names.Select(Encoding.UTF8.GetBytes)];

    /// <summary>The longest name in bytes: an escaped name longer than six times this cannot be one.</summary>
    public const int LongestName = 9;

    private readonly ReadOnlySpan<byte> _json;
    private MemberSlots _slots;

    /// <summary>Members of <paramref name="json"/>, none found yet.</summary>
    public MessageMembers(ReadOnlySpan<byte> json) => _json = json;

    /// <summary>The wire name of <paramref name="name"/>.</summary>
    public static string NameOf(Known name) => Names[(int)name];

    /// <summary>The known name <paramref name="utf8"/> spells (already unescaped), or -1.</summary>
    public static int Find(ReadOnlySpan<byte> utf8)
    {
        if (utf8.Length > LongestName)
        {
            return -1;
        }

        for (var i = 0; i < Utf8Names.Length; i++)
        {
            if (utf8.SequenceEqual(Utf8Names[i]))
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>The slot of <paramref name="name"/>, to fill while reading.</summary>
    [UnscopedRef]
    public ref Member this[Known name] => ref _slots[(int)name];

    /// <summary>The first token of <paramref name="name"/>'s value; <see cref="JsonTokenType.None"/> when absent.</summary>
    public readonly JsonTokenType TokenOf(Known name) => _slots[(int)name].Token;

    /// <summary>A required string.</summary>
    /// <exception cref="FormatException">Missing or not a string.</exception>
    public readonly string String(Known name) =>
        _slots[(int)name].Token == JsonTokenType.String
            ? Decode(_slots[(int)name])
            : throw new FormatException($"'{NameOf(name)}' is missing or not a string");

    /// <summary>Optional, but when present it must be a string: a number where a string belongs is a bad field, not "missing".</summary>
    /// <exception cref="FormatException">Present, not null and not a string.</exception>
    public readonly string? OptionalString(Known name) => _slots[(int)name].Token switch
    {
        JsonTokenType.None or JsonTokenType.Null => null,
        JsonTokenType.String => Decode(_slots[(int)name]),
        _ => throw new FormatException($"'{NameOf(name)}' is not a string"),
    };

    /// <summary>The value's JSON text as sent (an object or anything else), or null when absent or null.</summary>
    public readonly string? Raw(Known name)
    {
        var member = _slots[(int)name];
        return member.Token is JsonTokenType.None or JsonTokenType.Null ? null : Encoding.UTF8.GetString(_json[member.Start..member.End]);
    }

    /// <summary>A required true or false.</summary>
    /// <exception cref="FormatException">Missing or not a boolean.</exception>
    public readonly bool Bool(Known name) => _slots[(int)name].Token switch
    {
        JsonTokenType.True => true,
        JsonTokenType.False => false,
        _ => throw new FormatException($"'{NameOf(name)}' is missing or not true/false"),
    };

    /// <summary>True only when present and <c>true</c>.</summary>
    public readonly bool IsTrue(Known name) => _slots[(int)name].Token == JsonTokenType.True;

    /// <summary>True only when present and <c>null</c>.</summary>
    public readonly bool IsNull(Known name) => _slots[(int)name].Token == JsonTokenType.Null;

    /// <summary>A required whole number.</summary>
    /// <exception cref="FormatException">Missing, not a number, or not a whole number a long holds.</exception>
    public readonly long Long(Known name) =>
        _slots[(int)name] is { Token: JsonTokenType.Number, IsLong: true } member
            ? member.Long
            : throw new FormatException($"'{NameOf(name)}' is missing or not a whole number");

    /// <summary>A required whole number an int holds.</summary>
    /// <exception cref="FormatException">Missing, not a number, or not a whole number from int.MinValue to int.MaxValue.</exception>
    public readonly int Int(Known name) =>
        _slots[(int)name] is { Token: JsonTokenType.Number, IsInt: true } member
            ? (int)member.Long
            : throw new FormatException($"'{NameOf(name)}' is missing or not a whole number from {int.MinValue} to {int.MaxValue}");

    /// <summary>A required number (one past a double's range reads as an infinity, as it always has).</summary>
    /// <exception cref="FormatException">Missing or not a number.</exception>
    public readonly double Double(Known name) =>
        _slots[(int)name] is { Token: JsonTokenType.Number, IsDouble: true } member
            ? member.Double
            : throw new FormatException($"'{NameOf(name)}' is missing or not a number");

    /// <summary>A required array of strings.</summary>
    /// <exception cref="FormatException">Missing, not an array, or an item is not a string.</exception>
    public readonly string[] Strings(Known name)
    {
        var member = _slots[(int)name];
        if (member.Token == JsonTokenType.StartArray)
        {
            // The array's own bytes once more (hello and beacon only): the pass checked them, this collects them.
            var reader = new Utf8JsonReader(_json[member.Start..member.End]);
            reader.Read();
            var items = new List<string>();
            while (reader.Read() && reader.TokenType == JsonTokenType.String)
            {
                items.Add(reader.GetString()!);
            }

            if (reader.TokenType == JsonTokenType.EndArray)
            {
                return [.. items];
            }
        }

        throw new FormatException($"'{NameOf(name)}' is missing or not an array of strings");
    }

    /// <summary>The required <c>ts</c> as an ISO 8601 time (UTC when it names no offset).</summary>
    /// <exception cref="FormatException">Missing, not a string, or no time.</exception>
    public readonly DateTimeOffset Timestamp()
    {
        const DateTimeStyles Styles = DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal;
        var member = _slots[(int)Known.Ts];
        if (member.Token != JsonTokenType.String)
        {
            throw new FormatException("'ts' is missing or not a string");
        }

        var utf8 = _json[(member.Start + 1)..(member.End - 1)];
        DateTimeOffset ts;
        bool parsed;
        if (!member.Escaped && utf8.Length <= 64)
        {
            // The common case without a string: ASCII digits and punctuation, decoded on the stack.
            Span<char> chars = stackalloc char[64];
            var n = Encoding.UTF8.GetChars(utf8, chars);
            parsed = DateTimeOffset.TryParse(chars[..n], CultureInfo.InvariantCulture, Styles, out ts);
        }
        else
        {
            parsed = DateTimeOffset.TryParse(Decode(member), CultureInfo.InvariantCulture, Styles, out ts);
        }

        return parsed ? ts : throw new FormatException("'ts' is not an ISO 8601 time");
    }

    /// <summary>True when the required <c>type</c> is the string <paramref name="type"/> (after unescaping).</summary>
    public readonly bool TypeIs(ReadOnlySpan<byte> type)
    {
        var member = _slots[(int)Known.Type];
        if (!member.Escaped)
        {
            return _json[(member.Start + 1)..(member.End - 1)].SequenceEqual(type);
        }

        var reader = StringReader(member);
        return reader.ValueTextEquals(type);
    }

    // The string's text: straight from the bytes when it has no escapes (valid UTF-8: checked first), else unescaped
    // by a reader over the string alone (its lone surrogates were refused by the pass, so GetString cannot throw).
    private readonly string Decode(Member member)
    {
        if (!member.Escaped)
        {
            return Encoding.UTF8.GetString(_json[(member.Start + 1)..(member.End - 1)]);
        }

        var reader = StringReader(member);
        return reader.GetString()!;
    }

    private readonly Utf8JsonReader StringReader(Member member)
    {
        var reader = new Utf8JsonReader(_json[member.Start..member.End]);
        reader.Read();
        return reader;
    }
}
