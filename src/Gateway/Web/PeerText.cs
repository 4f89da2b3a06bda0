namespace Gateway.Web;

/// <summary>Text that came from a peer, made safe to show in the log or an error: bounded length, control characters (ESC …) shown as '?'.</summary>
internal static class PeerText
{
    /// <summary>At most <paramref name="max"/> characters of <paramref name="text"/> (then '…'), control characters replaced.</summary>
    public static string Printable(string? text, int max = 200)
    {
        if (string.IsNullOrEmpty(text))
        {
            return string.Empty;
        }

        var shown = text.Length > max ? text[..max] + "…" : text;
        return string.Create(shown.Length, shown, static (span, source) =>
        {
            for (var i = 0; i < source.Length; i++)
            {
                span[i] = char.IsControl(source[i]) ? '?' : source[i];
            }
        });
    }
}
