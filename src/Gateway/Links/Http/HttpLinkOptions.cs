using Gateway.Protocol.Transport;

namespace Gateway.Links.Http;

/// <summary>
/// <c>Gateway:Upstream:Http</c> (and <c>…:Http:Links:&lt;name&gt;</c>): batches of InfluxDB line protocol POSTed to an
/// HTTP write API — InfluxDB 1.x <c>/write</c>, InfluxDB 2.x/3.x <c>/api/v2/write</c>, and the same APIs on
/// VictoriaMetrics and QuestDB.
/// </summary>
internal sealed record HttpLinkOptions
{
    /// <summary>The link's name, for status and the outbox cursor: <c>http</c> or <c>http:&lt;name&gt;</c>.</summary>
    public string Name { get; init; } = "http";

    /// <summary><c>Url</c>: the write endpoint, checked and completed with <c>precision=ms</c> (<see cref="HttpWriteTarget"/>).</summary>
    public required HttpWriteTarget Target { get; init; }

    /// <summary><c>TokenFile</c>: a file (mode 600) whose content is sent as <c>Authorization: Token …</c>; null: none.</summary>
    public string? TokenFile { get; init; }

    /// <summary><c>BatchSize</c>: the most lines in one request.</summary>
    public int BatchSize { get; init; } = 5_000;

    /// <summary><c>FlushInterval</c>: how long a batch that is not full waits for more lines (one request per interval at sensor rate).</summary>
    public TimeSpan FlushInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary><c>Timeout</c>: how long one request may take before the link counts the server as stalled.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary><c>Gzip</c>: send the body gzip-compressed (<c>Content-Encoding: gzip</c>).</summary>
    public bool Gzip { get; init; } = true;

    /// <summary><c>BackoffMax</c>: the longest wait between attempts while the server is down or failing.</summary>
    public TimeSpan BackoffMax { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary><c>MaxRetryAfter</c>: the longest <c>Retry-After</c> (429, 503) the link honours; a longer one is cut to this.</summary>
    public TimeSpan MaxRetryAfter { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>TLS for an <c>https://</c> URL: CA file, pin, client certificate.</summary>
    public TlsClientSettings TlsSettings { get; init; } = new();
}
