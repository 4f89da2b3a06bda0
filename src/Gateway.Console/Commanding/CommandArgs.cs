using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Gateway.Protocol.Commands;

namespace Gateway.Console.Commanding;

/// <summary>
/// Builds a command's <c>args</c> object from <c>--arg</c> options. <c>k=v</c> takes <c>true</c>/<c>false</c> as
/// booleans, a JSON number (<c>0.25</c>, <c>-3</c>) as a number and anything else as a string (<c>for=5s</c>);
/// <c>k:=JSON</c> takes any JSON value exactly (<c>output:="7"</c> is the string 7, <c>list:=[1,2]</c> an array), as
/// httpie does. The result is in the canonical form (RFC 8785) the signature covers.
/// </summary>
internal static class CommandArgs
{
    /// <summary>What one <c>--arg</c> looks like, for error messages.</summary>
    public const string Expected = "name=value (true/false and numbers are typed, the rest is text) or name:=<JSON>, e.g. --arg output=relay --arg on=true --arg for=5s";

    /// <summary>The <c>args</c> JSON (canonical) for <paramref name="pairs"/>; <c>{}</c> when there are none.</summary>
    /// <exception cref="FormatException">A pair is malformed, a name repeats, or a <c>:=</c> value is not JSON.</exception>
    public static string ToJson(IEnumerable<string> pairs)
    {
        ArgumentNullException.ThrowIfNull(pairs);
        var args = new JsonObject();
        foreach (var pair in pairs)
        {
            var eq = pair.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                throw new FormatException($"--arg '{pair}': expected {Expected}");
            }

            var raw = pair[eq - 1] == ':';
            var name = raw ? pair[..(eq - 1)] : pair[..eq];
            var text = pair[(eq + 1)..];
            if (name.Length == 0)
            {
                throw new FormatException($"--arg '{pair}': the name is empty; expected {Expected}");
            }

            if (args.ContainsKey(name))
            {
                throw new FormatException($"--arg '{name}' is given twice");
            }

            args[name] = raw ? ParseJson(name, text) : Infer(text);
        }

        return CommandSigning.CanonicalArgs(args.ToJsonString());
    }

    private static JsonNode? ParseJson(string name, string text)
    {
        try
        {
            return JsonNode.Parse(text, documentOptions: new JsonDocumentOptions { MaxDepth = 8 });
        }
        catch (JsonException ex)
        {
            throw new FormatException($"--arg {name}:= needs a JSON value ({ex.Message}); e.g. {name}:=\"text\", {name}:=5, {name}:=true", ex);
        }
    }

    // Booleans and numbers as the built-in commands take them (on=true, deadband=0.25); everything else is text.
    private static JsonNode Infer(string text)
    {
        if (text is "true" or "false")
        {
            return JsonValue.Create(text == "true");
        }

        if (LooksLikeJsonNumber(text) && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && double.IsFinite(number))
        {
            return JsonNode.Parse(text)!; // keeps the digits as typed; the canonical form normalises them
        }

        return JsonValue.Create(text);
    }

    // RFC 8259 §6: -? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)? — so "007", "1." and "0x10" stay text.
    private static bool LooksLikeJsonNumber(string s)
    {
        var i = 0;
        if (i < s.Length && s[i] == '-')
        {
            i++;
        }

        if (i >= s.Length || !char.IsAsciiDigit(s[i]))
        {
            return false;
        }

        if (s[i] == '0')
        {
            i++;
        }
        else
        {
            while (i < s.Length && char.IsAsciiDigit(s[i]))
            {
                i++;
            }
        }

        if (i < s.Length && s[i] == '.')
        {
            i++;
            var start = i;
            while (i < s.Length && char.IsAsciiDigit(s[i]))
            {
                i++;
            }

            if (i == start)
            {
                return false;
            }
        }

        if (i < s.Length && s[i] is 'e' or 'E')
        {
            i++;
            if (i < s.Length && s[i] is '+' or '-')
            {
                i++;
            }

            var start = i;
            while (i < s.Length && char.IsAsciiDigit(s[i]))
            {
                i++;
            }

            if (i == start)
            {
                return false;
            }
        }

        return i == s.Length;
    }
}
