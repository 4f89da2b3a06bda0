using System.Globalization;
using System.Text;
using System.Runtime.InteropServices;
using System.Text.Json;
using Gateway.Protocol.Json;

namespace Gateway.Protocol.Commands;

/// <summary>
/// The JSON Canonicalization Scheme of RFC 8785 (JCS): one byte-exact text for any JSON value, so two implementations
/// sign the same arguments alike however they were spelled. Objects: members sorted by the UTF-16 code units of their
/// names (§3.2.3), no whitespace; strings: only <c>"</c>, <c>\</c> and control characters escaped, with the short
/// forms <c>\b \f \n \r \t</c> and lower-case <c>\u00xx</c> otherwise (§3.2.2.2); numbers: ECMAScript's
/// Number.prototype.toString of the IEEE 754 double (§3.2.2.3), so <c>1.0</c> is <c>1</c> and <c>1e21</c> is <c>1e+21</c>.
/// </summary>
public static class JsonCanonicalizer
{
    /// <summary>Deepest nesting canonicalized (bounds the recursion whatever the document's own limit was).</summary>
    public const int MaxDepth = 64;

    /// <summary>The canonical text of <paramref name="value"/>.</summary>
    /// <exception cref="FormatException">
    /// The value is not I-JSON, so it has no canonical form (RFC 8785 §3.1): a name repeats within an object, a string
    /// or name holds a lone surrogate escape, a number is not a finite double (§3.2.2.3), or it is nested deeper than
    /// <see cref="MaxDepth"/>.
    /// </exception>
    public static string Canonicalize(JsonElement value) => Canonicalize(value, rootName: null);

    /// <summary>As <see cref="Canonicalize(JsonElement)"/>, naming the value <paramref name="rootName"/> in errors (e.g. <c>args</c>).</summary>
    /// <exception cref="FormatException">As <see cref="Canonicalize(JsonElement)"/>.</exception>
    public static string Canonicalize(JsonElement value, string? rootName)
    {
        if (StrictJson.FindProblem(JsonMarshal.GetRawUtf8Value(value), MaxDepth, rootName: rootName) is { } problem)
        {
            throw new FormatException($"RFC 8785 §3.1 needs I-JSON: {problem}");
        }

        var text = new StringBuilder();
        Write(value, text);
        return text.ToString();
    }

    /// <summary>ECMAScript's Number.prototype.toString for a finite double (ECMA-262 §6.1.6.1.20), as RFC 8785 requires.</summary>
    /// <exception cref="FormatException"><paramref name="value"/> is NaN or infinite.</exception>
    public static string FormatNumber(double value)
    {
        if (!double.IsFinite(value))
        {
            throw new FormatException("RFC 8785 §3.2.2.3: NaN and infinity are not JSON numbers");
        }

        if (value == 0)
        {
            return "0"; // -0 too
        }

        // "R" gives the shortest digits that round-trip (.NET Core 3.0+), e.g. 1E-07, 123.456, 1.5E+300.
        var roundTrip = value.ToString("R", CultureInfo.InvariantCulture);
        var negative = roundTrip[0] == '-';
        var body = negative ? roundTrip[1..] : roundTrip;
        var exponentAt = body.IndexOfAny(['E', 'e']);
        var mantissa = exponentAt < 0 ? body : body[..exponentAt];
        var exponent = exponentAt < 0 ? 0 : int.Parse(body[(exponentAt + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        var point = mantissa.IndexOf('.', StringComparison.Ordinal);
        var digits = point < 0 ? mantissa : mantissa[..point] + mantissa[(point + 1)..];
        var integerDigits = point < 0 ? mantissa.Length : point;

        // value = 0.d1d2…dk × 10^n with d1 ≠ 0 (ECMA-262's k and n).
        var leadingZeros = digits.Length - digits.TrimStart('0').Length;
        digits = digits.Trim('0');
        if (digits.Length == 0)
        {
            return "0";
        }

        var n = integerDigits - leadingZeros + exponent;
        var k = digits.Length;
        string text;
        if (k <= n && n <= 21)
        {
            text = digits + new string('0', n - k);
        }
        else if (0 < n && n <= 21)
        {
            text = digits[..n] + "." + digits[n..];
        }
        else if (-6 < n && n <= 0)
        {
            text = "0." + new string('0', -n) + digits;
        }
        else
        {
            var e = n - 1;
            var sign = e < 0 ? "-" : "+";
            text = (k == 1 ? digits : digits[..1] + "." + digits[1..]) + "e" + sign + Math.Abs(e).ToString(CultureInfo.InvariantCulture);
        }

        return negative ? "-" + text : text;
    }

    private static void Write(JsonElement value, StringBuilder text)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Object:
                var members = value.EnumerateObject().Select(p => (p.Name, p.Value)).ToList();
                members.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name)); // ordinal on UTF-16 code units, §3.2.3
                text.Append('{');
                for (var i = 0; i < members.Count; i++)
                {
                    if (i > 0)
                    {
                        text.Append(',');
                    }

                    WriteString(members[i].Name, text);
                    text.Append(':');
                    Write(members[i].Value, text);
                }

                text.Append('}');
                break;
            case JsonValueKind.Array:
                text.Append('[');
                var first = true;
                foreach (var item in value.EnumerateArray())
                {
                    if (!first)
                    {
                        text.Append(',');
                    }

                    first = false;
                    Write(item, text);
                }

                text.Append(']');
                break;
            case JsonValueKind.String:
                WriteString(value.GetString()!, text);
                break;
            case JsonValueKind.Number:
                text.Append(FormatNumber(value.GetDouble()));
                break;
            case JsonValueKind.True:
                text.Append("true");
                break;
            case JsonValueKind.False:
                text.Append("false");
                break;
            case JsonValueKind.Null:
                text.Append("null");
                break;
            default:
                throw new FormatException($"cannot canonicalize a JSON {value.ValueKind}");
        }
    }

    private static void WriteString(string s, StringBuilder text)
    {
        text.Append('"');
        foreach (var c in s)
        {
            switch (c)
            {
                case '"': text.Append("\\\""); break;
                case '\\': text.Append("\\\\"); break;
                case '\b': text.Append("\\b"); break;
                case '\f': text.Append("\\f"); break;
                case '\n': text.Append("\\n"); break;
                case '\r': text.Append("\\r"); break;
                case '\t': text.Append("\\t"); break;
                case < ' ': text.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture)); break;
                default: text.Append(c); break;
            }
        }

        text.Append('"');
    }
}
