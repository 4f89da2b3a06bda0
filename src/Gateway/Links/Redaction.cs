using System.Text;
using System.Text.RegularExpressions;

namespace Gateway.Links;

/// <summary>
/// What may be shown of a URL or an endpoint in logs, <c>status</c> and <c>config.get</c> (a viewer key can read those):
/// credentials never. Of every URL in a text (RFC 3986 §3: <c>scheme://userinfo@host/path?query#fragment</c>) the
/// userinfo, every query value and the fragment are replaced by <c>(redacted)</c>; scheme, host, port, path and query
/// names stay, so an operator still sees where a link goes. Pure.
/// </summary>
internal static partial class Redaction
{
    /// <summary>What replaces a secret.</summary>
    public const string Redacted = "(redacted)";

    /// <summary>Key names (last segment) whose values identify an account: shown as <see cref="Redacted"/> like secrets.</summary>
    private static readonly string[] AccountNames = ["Username", "User", "UserName"];

    /// <summary><paramref name="text"/> with every URL's userinfo, query values and fragment redacted.</summary>
    public static string Redact(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return text.Contains("://", StringComparison.Ordinal) ? UrlPattern().Replace(text, m => RedactUrl(m.Groups["scheme"].Value, m.Groups["rest"].Value)) : text;
    }

    /// <summary>How <c>config.get</c> shows the value of <paramref name="key"/>: account names redacted, URLs without credentials.</summary>
    public static string ConfigurationValue(string key, string value)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(value);
        var last = key[(key.LastIndexOf(':') + 1)..];
        return AccountNames.Any(n => last.Equals(n, StringComparison.OrdinalIgnoreCase)) ? Redacted : Redact(value);
    }

    private static string RedactUrl(string scheme, string rest)
    {
        var authorityEnd = rest.IndexOfAny(['/', '?', '#']);
        var authority = authorityEnd < 0 ? rest : rest[..authorityEnd];
        var tail = authorityEnd < 0 ? string.Empty : rest[authorityEnd..];
        var at = authority.LastIndexOf('@');
        var text = new StringBuilder(scheme).Append("://");
        text.Append(at < 0 ? authority : $"{Redacted}@{authority[(at + 1)..]}");

        var hash = tail.IndexOf('#', StringComparison.Ordinal);
        var fragment = hash < 0 ? null : tail[(hash + 1)..];
        var beforeFragment = hash < 0 ? tail : tail[..hash];
        var question = beforeFragment.IndexOf('?', StringComparison.Ordinal);
        text.Append(question < 0 ? beforeFragment : beforeFragment[..question]);
        if (question >= 0)
        {
            text.Append('?').AppendJoin('&', beforeFragment[(question + 1)..].Split('&').Select(RedactParameter));
        }

        if (!string.IsNullOrEmpty(fragment))
        {
            text.Append('#').Append(Redacted);
        }

        return text.ToString();
    }

    // name=value → name=(redacted); a bare value (no name) is all secret.
    private static string RedactParameter(string parameter)
    {
        if (parameter.Length == 0)
        {
            return parameter;
        }

        var equals = parameter.IndexOf('=', StringComparison.Ordinal);
        return equals < 0 ? Redacted : $"{parameter[..(equals + 1)]}{Redacted}";
    }

    // RFC 3986 §3.1: scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ); the URL runs to whitespace or a quote/bracket.
    [GeneratedRegex(@"(?<scheme>[A-Za-z][A-Za-z0-9+.\-]*)://(?<rest>[^\s""'<>]*)", RegexOptions.CultureInvariant)]
    private static partial Regex UrlPattern();
}
