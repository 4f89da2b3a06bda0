using System.Globalization;
using System.Text;

namespace Gateway.Commands;

/// <summary>
/// Makes text from outside safe to put in a log line: control characters (C0, DEL, C1 — so no ESC sequence reaches a
/// terminal reading the journal), line and paragraph separators, bidirectional overrides (Unicode TR 9: they reorder what
/// a reader sees) and lone surrogates (no UTF-8 can carry them) are written as <c>\uXXXX</c>; a backslash as <c>\\</c>,
/// so an escape cannot be forged. Long text is cut to <see cref="MaxChars"/>. Pure.
/// </summary>
internal static class LogText
{
    /// <summary>Most characters kept from one value.</summary>
    public const int MaxChars = 512;

    /// <summary>The escaped text, or <c>null</c> when <paramref name="text"/> is null.</summary>
    public static string? Escape(string? text)
    {
        if (text is null)
        {
            return null;
        }

        var cut = text.Length > MaxChars;
        var span = cut ? text.AsSpan(0, MaxChars) : text.AsSpan();
        if (!NeedsEscape(span) && !cut)
        {
            return text;
        }

        var sb = new StringBuilder(span.Length + 16);
        for (var i = 0; i < span.Length; i++)
        {
            var c = span[i];
            if (char.IsHighSurrogate(c) && i + 1 < span.Length && char.IsLowSurrogate(span[i + 1]))
            {
                sb.Append(c).Append(span[++i]);
            }
            else if (c == '\\')
            {
                sb.Append(@"\\");
            }
            else if (IsUnsafe(c))
            {
                sb.Append(@"\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
            }
            else
            {
                sb.Append(c);
            }
        }

        return cut ? sb.Append($"…({text.Length - MaxChars} more characters)").ToString() : sb.ToString();
    }

    private static bool NeedsEscape(ReadOnlySpan<char> span)
    {
        for (var i = 0; i < span.Length; i++)
        {
            var c = span[i];
            if (char.IsHighSurrogate(c) && i + 1 < span.Length && char.IsLowSurrogate(span[i + 1]))
            {
                i++;
            }
            else if (c == '\\' || IsUnsafe(c))
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsUnsafe(char c) =>
        c < 0x20 || c is >= '\u007f' and <= '\u009f'
        || char.IsSurrogate(c) // only reached for a lone one
        || c is '\u2028' or '\u2029' or '\u200e' or '\u200f' or '\u061c'
        || c is >= '\u202a' and <= '\u202e'
        || c is >= '\u2066' and <= '\u2069';
}
