using System.Web;

namespace Gateway.Links.Http;

/// <summary>Which HTTP write API a URL names.</summary>
internal enum HttpWriteApi
{
    /// <summary>InfluxDB 1.x <c>/write?db=…</c> (also VictoriaMetrics' and QuestDB's <c>/write</c>).</summary>
    V1,

    /// <summary>InfluxDB 2.x and 3.x <c>/api/v2/write?org=…&amp;bucket=…</c> (also on VictoriaMetrics and QuestDB).</summary>
    V2,
}

/// <summary>
/// The write endpoint of an HTTP line-protocol link, checked: an absolute <c>http://</c> or <c>https://</c> URL whose
/// path ends in <c>/write</c> (1.x) or <c>/api/v2/write</c> (2.x, 3.x; a <c>bucket</c> is required), completed with
/// <c>precision=ms</c> (the gateway's timestamps are milliseconds) unless it already says so. Pure.
/// </summary>
internal sealed record HttpWriteTarget
{
    /// <summary>What <c>Url</c> must look like, for configuration errors.</summary>
    public const string Expected = "an InfluxDB write URL: http://HOST:8086/write?db=DATABASE (InfluxDB 1.x, VictoriaMetrics, QuestDB) or http://HOST:8086/api/v2/write?org=ORG&bucket=BUCKET (InfluxDB 2.x, 3.x); https:// for TLS";

    private HttpWriteTarget(Uri url, HttpWriteApi api)
    {
        Url = url;
        Api = api;
    }

    /// <summary>The URL requests go to, with <c>precision=ms</c>.</summary>
    public Uri Url { get; }

    /// <summary>The API the path names.</summary>
    public HttpWriteApi Api { get; }

    /// <summary>True for <c>https://</c>.</summary>
    public bool Tls => Url.Scheme == Uri.UriSchemeHttps;

    /// <summary>Parses <paramref name="raw"/>; on failure <paramref name="problem"/> says what is wrong (never echoing credentials).</summary>
    public static bool TryParse(string raw, out HttpWriteTarget? target, out string? problem)
    {
        ArgumentNullException.ThrowIfNull(raw);
        target = null;
        if (!Uri.TryCreate(raw.Trim(), UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps) || string.IsNullOrEmpty(url.Host))
        {
            problem = Expected;
            return false;
        }

        if (url.UserInfo.Length > 0)
        {
            problem = "a URL without user:password@ (credentials do not belong in the URL; use TokenFile)";
            return false;
        }

        var path = url.AbsolutePath.TrimEnd('/');
        HttpWriteApi api;
        if (path.EndsWith("/api/v2/write", StringComparison.Ordinal))
        {
            api = HttpWriteApi.V2;
        }
        else if (path.EndsWith("/write", StringComparison.Ordinal))
        {
            api = HttpWriteApi.V1;
        }
        else
        {
            problem = $"{Expected}; the path {url.AbsolutePath} is neither /write nor /api/v2/write";
            return false;
        }

        var query = HttpUtility.ParseQueryString(url.Query);
        if (api == HttpWriteApi.V2 && string.IsNullOrEmpty(query["bucket"]))
        {
            problem = "a bucket in the query: /api/v2/write?org=ORG&bucket=BUCKET (the v2 write API needs one)";
            return false;
        }

        if (query["precision"] is { } precision && precision != "ms")
        {
            problem = $"precision=ms or no precision (the gateway's timestamps are milliseconds), not precision={precision}";
            return false;
        }

        var completed = query["precision"] is null
            ? new Uri(url.GetLeftPart(UriPartial.Path) + (url.Query.Length > 1 ? url.Query + "&" : "?") + "precision=ms")
            : url;
        target = new HttpWriteTarget(completed, api);
        problem = null;
        return true;
    }

    /// <inheritdoc/>
    public override string ToString() => Redaction.Redact(Url.ToString());
}
