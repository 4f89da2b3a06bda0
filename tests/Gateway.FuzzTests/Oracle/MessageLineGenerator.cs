using System.Globalization;
using System.Text;

namespace Gateway.FuzzTests.Oracle;

/// <summary>
/// Protocol lines built at random from the message table of docs/protocol.md, the way a careless or hostile peer might
/// write them: members in any order, fields missing, wrong-typed, duplicated or out of range, names and strings
/// escaped (lone surrogates among them), unknown members holding nested values, <c>args</c> and <c>data</c> of every
/// kind, whitespace anywhere. Deterministic for a seed. The mutator then bends them further.
/// </summary>
internal sealed class MessageLineGenerator(int seed)
{
    private static readonly string[] Types =
        ["reading", "ack", "ping", "pong", "error", "gap", "hello", "beacon", "event", "command", "result", "teleport", "", "Reading"];

    private static readonly Dictionary<string, string[]> Fields = new(StringComparer.Ordinal)
    {
        ["reading"] = ["device", "seq", "ts", "sensor", "quantity", "value", "unit"],
        ["ack"] = ["seq"],
        ["error"] = ["code", "message"],
        ["gap"] = ["from", "to", "reason"],
        ["hello"] = ["device", "firmware", "protocol", "sensors", "nextSeq"],
        ["beacon"] = ["device", "firmware", "uptime", "listeners"],
        ["event"] = ["device", "seq", "ts", "sensor", "kind", "message"],
        ["command"] = ["id", "device", "name", "args", "key", "ts", "nonce", "sig"],
        ["result"] = ["id", "ok", "code", "message", "data", "duplicate"],
    };

    private static readonly string[] Numbers =
        ["0", "1", "-1", "42", "1.5", "-0", "1e3", "1E+2", "2147483647", "2147483648", "-2147483649", "4294967297",
         "9223372036854775807", "9223372036854775808", "-9223372036854775809", "1e400", "-1e400", "1e-400", "0.1", "21.53"];

    private static readonly string[] Texts =
        ["pi-01", "env", "temperature", "Cel", "x", "", "2026-11-23T06:30:54.474Z", "2026-11-23T06:30:54+02:00", "yesterday",
         "\\u0065rror", "error", "command", "a\\nb", "\\\"q\\\"", "\\ud800", "\\udfff", "\\ud83d\\ude00", "\\udc00\\ud800",
         "\\u0000", "caf\u00e9", "\u6e29\u5ea6", "\\/", "\\u0063ommand"];

    private readonly Random _random = new(seed);

    /// <summary>The next line.</summary>
    public byte[] Next()
    {
        var type = Types[_random.Next(Types.Length)];
        var members = new List<(string Name, string Value)>();
        switch (_random.Next(12))
        {
            case 0:
                break; // no type at all
            case 1:
                members.Add(("type", Value(0)));
                break;
            default:
                members.Add(("type", Quote(_random.Next(8) == 0 ? Escape(type) : type)));
                break;
        }

        foreach (var field in Fields.GetValueOrDefault(type, []))
        {
            if (_random.Next(10) != 0)
            {
                members.Add((field, _random.Next(12) == 0 ? Value(0) : Proper(field)));
            }
        }

        for (var extra = _random.Next(4) - 1; extra > 0; extra--)
        {
            var name = _random.Next(3) switch
            {
                0 => "note",
                1 => _random.Next(2) == 0 ? "args" : "data",
                _ => Fields.Values.SelectMany(f => f).ElementAt(_random.Next(30)),
            };
            members.Add((name, Value(0)));
        }

        if (members.Count > 0 && _random.Next(10) == 0)
        {
            members.Add(members[_random.Next(members.Count)]); // a duplicate
        }

        if (_random.Next(3) == 0)
        {
            Shuffle(members);
        }

        var text = new StringBuilder("{");
        foreach (var (name, value) in members)
        {
            if (text.Length > 1)
            {
                text.Append(',');
            }

            text.Append(Space()).Append(Quote(_random.Next(10) == 0 ? Escape(name) : name)).Append(Space()).Append(':').Append(Space()).Append(value);
        }

        text.Append('}');
        return Encoding.UTF8.GetBytes(text.ToString());
    }

    // A value of the right type for the field, most of the time.
    private string Proper(string field) => field switch
    {
        "seq" or "from" or "to" or "nextSeq" or "uptime" or "protocol" => _random.Next(5) == 0 ? Numbers[_random.Next(Numbers.Length)] : _random.Next(1000).ToString(CultureInfo.InvariantCulture),
        "value" => _random.Next(8) == 0 ? "null" : Numbers[_random.Next(Numbers.Length)],
        "ok" or "duplicate" => _random.Next(2) == 0 ? "true" : "false",
        "sensors" or "listeners" => "[" + string.Join(",", Enumerable.Range(0, _random.Next(4)).Select(_ => _random.Next(8) == 0 ? Value(1) : Quote(Texts[_random.Next(Texts.Length)]))) + "]",
        "args" or "data" => Object(1),
        "ts" => Quote(_random.Next(4) == 0 ? Texts[_random.Next(Texts.Length)] : "2026-11-23T06:30:54.474Z"),
        _ => Quote(_random.Next(3) == 0 ? Texts[_random.Next(Texts.Length)] : Texts[_random.Next(4)]),
    };

    // Any JSON value, nested a little (up to about ten levels, past the parser's limit of 8).
    private string Value(int depth) => _random.Next(depth > 9 ? 6 : 9) switch
    {
        0 => "null",
        1 => "true",
        2 => "false",
        3 or 4 => Numbers[_random.Next(Numbers.Length)],
        5 => Quote(Texts[_random.Next(Texts.Length)]),
        6 or 7 => Object(depth + 1),
        _ => "[" + string.Join(",", Enumerable.Range(0, _random.Next(4)).Select(_ => Value(depth + 1))) + "]",
    };

    private string Object(int depth)
    {
        var names = Enumerable.Range(0, _random.Next(4)).Select(_ => _random.Next(5) switch
        {
            0 => "on",
            1 => "output",
            2 => "\\u006fn",
            3 => "\\ud800",
            _ => "x",
        }).ToList();
        return "{" + string.Join(",", names.Select(n => Quote(n) + ":" + Value(depth + 1))) + "}";
    }

    private string Space() => _random.Next(8) == 0 ? " \t\r\n"[.._random.Next(1, 5)] : string.Empty;

    // The name or text with one of its letters written as a \u escape.
    private string Escape(string text)
    {
        if (text.Length == 0)
        {
            return text;
        }

        var at = _random.Next(text.Length);
        return char.IsAsciiLetter(text[at]) ? string.Concat(text.AsSpan(0, at), "\\u00", ((int)text[at]).ToString("x2", CultureInfo.InvariantCulture), text.AsSpan(at + 1)) : text;
    }

    private static string Quote(string text) => "\"" + text + "\"";

    private void Shuffle(List<(string, string)> items)
    {
        for (var i = items.Count - 1; i > 0; i--)
        {
            var j = _random.Next(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }
}
