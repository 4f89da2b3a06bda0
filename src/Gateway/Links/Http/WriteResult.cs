using System.Net;
using System.Text.Json;

namespace Gateway.Links.Http;

/// <summary>What the server's answer to a write means for the link.</summary>
internal enum WriteVerdict
{
    /// <summary>2xx (InfluxDB: 204): every line is stored; the cursor moves.</summary>
    Written,

    /// <summary>400: the server refused lines of the body (a partial write, or a parse or type error).</summary>
    Rejected,

    /// <summary>413: the body is too large for the server.</summary>
    TooLarge,

    /// <summary>429 or 503: the server asks the writer to come back later (perhaps with <c>Retry-After</c>).</summary>
    RetryLater,

    /// <summary>Anything else (401/403, 404, other 4xx, 5xx): the request failed as a whole; retried with backoff.</summary>
    Failed,
}

/// <summary>The server's answer to one write, classified; pure (docs/protocol.md, "HTTP line-protocol link").</summary>
/// <param name="Verdict">What it means.</param>
/// <param name="Status">The HTTP status code.</param>
/// <param name="Message">The server's error text (its JSON <c>error</c> or <c>message</c>, else the body), bounded; with advice where the status has an obvious cause.</param>
/// <param name="RetryAfter">The delay the server asked for (<c>Retry-After</c>), if any.</param>
internal readonly record struct WriteResult(WriteVerdict Verdict, int Status, string Message, TimeSpan? RetryAfter)
{
    /// <summary>The most characters of a server's error text kept (a hostile or broken server may send megabytes).</summary>
    public const int MaxMessageLength = 300;

    /// <summary>Classifies a response: <paramref name="status"/>, its <c>Retry-After</c>, and the start of its body.</summary>
    public static WriteResult Classify(int status, TimeSpan? retryAfter, string body)
    {
        ArgumentNullException.ThrowIfNull(body);
        var error = ErrorText(body);
        return status switch
        {
            >= 200 and < 300 => new(WriteVerdict.Written, status, string.Empty, null),
            400 => new(WriteVerdict.Rejected, status, error, null),
            413 => new(WriteVerdict.TooLarge, status, error, null),
            429 or 503 => new(WriteVerdict.RetryLater, status, $"HTTP {status} {Reason(status)}{Suffix(error)}", retryAfter is { } r && r < TimeSpan.Zero ? TimeSpan.Zero : retryAfter),
            401 or 403 => new(WriteVerdict.Failed, status, $"HTTP {status} {Reason(status)}: the server refused the credentials (check TokenFile){Suffix(error)}", null),
            404 => new(WriteVerdict.Failed, status, $"HTTP 404 Not Found: no such write API, database or bucket (check Url){Suffix(error)}", null),
            _ => new(WriteVerdict.Failed, status, $"HTTP {status} {Reason(status)}{Suffix(error)}", null),
        };
    }

    private static string Suffix(string error) => error.Length == 0 ? string.Empty : $": {error}";

    private static string Reason(int status) => Enum.IsDefined((HttpStatusCode)status) ? ((HttpStatusCode)status).ToString() : string.Empty;

    // InfluxDB 1.x answers {"error":"…"}, 2.x {"code":"…","message":"…"}; others plain text. Control characters are
    // replaced so the text cannot forge log lines.
    private static string ErrorText(string body)
    {
        var text = body.Trim();
        if (text.StartsWith('{'))
        {
            try
            {
                using var json = JsonDocument.Parse(text);
                if (json.RootElement.ValueKind == JsonValueKind.Object)
                {
                    foreach (var name in (string[])["error", "message"])
                    {
                        if (json.RootElement.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String)
                        {
                            text = value.GetString() ?? string.Empty;
                            break;
                        }
                    }
                }
            }
            catch (JsonException)
            {
                // not JSON after all (or cut short): the text as it is
            }
        }

        var clean = string.Create(Math.Min(text.Length, MaxMessageLength), text, static (span, source) =>
        {
            for (var i = 0; i < span.Length; i++)
            {
                span[i] = char.IsControl(source[i]) ? ' ' : source[i];
            }
        });
        return text.Length > MaxMessageLength ? clean + "…" : clean;
    }
}
