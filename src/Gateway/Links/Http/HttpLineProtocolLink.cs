using System.Net.Http.Headers;
using Gateway.Configuration;
using Gateway.Hosting;
using Gateway.Outbox;
using Gateway.Protocol;
using Gateway.Status;
using Microsoft.Extensions.Logging;

namespace Gateway.Links.Http;

/// <summary>
/// The HTTP line-protocol link (<c>Gateway:Upstream:Http</c>): batches of InfluxDB line protocol from the link's
/// durable outbox cursor, POSTed (gzip) to an InfluxDB 1.x, 2.x or 3.x write API (or VictoriaMetrics', QuestDB's). The
/// cursor moves when the server answers 2xx. A 400 is answered by halving the batch until the lines the server refuses
/// are found: those are logged with the server's reason and announced as a <c>gateway_gap</c> point (reason
/// <c>rejected</c>), the rest is written; but when the server refuses every line of a batch, nothing is dropped (that
/// is the URL or the server, not the data) and the link backs off. 429 and 503 wait out <c>Retry-After</c>; 5xx,
/// other errors and timeouts back off (<see cref="LinkService"/>). The protocol: docs/protocol.md, "HTTP line-protocol link".
/// </summary>
internal sealed partial class HttpLineProtocolLink : LinkService
{
    private const int MaxErrorBodyBytes = 4096;
    private static readonly TimeSpan MinRetryAfter = TimeSpan.FromSeconds(1);
    private readonly HttpLinkOptions _link;
    private readonly string _device;
    private readonly HttpMessageHandler? _handler;
    private readonly ILogger<HttpLineProtocolLink> _logger;
    private readonly List<StoredRecord> _rows = [];
    private readonly List<StoredRecord> _more = [];
    private readonly LineProtocolBatch[] _batches = [new(), new()]; // one filled while the other is in flight
    private readonly LineProtocolBatch _announcements = new();
    private long _rejected;

    /// <summary>Creates the link.</summary>
    /// <param name="link">Its options.</param>
    /// <param name="options">The gateway's options (the device id).</param>
    /// <param name="outbox">The outbox it delivers from.</param>
    /// <param name="status">The status board.</param>
    /// <param name="logger">Its log.</param>
    /// <param name="time">Its clock; the system's by default.</param>
    /// <param name="handler">The HTTP handler to send through (tests); by default a new connection pool per session.</param>
    public HttpLineProtocolLink(HttpLinkOptions link, GatewayOptions options, Outbox.Outbox outbox, StatusBoard status, ILogger<HttpLineProtocolLink> logger, TimeProvider? time = null, HttpMessageHandler? handler = null)
        : base(
            link?.Name ?? throw new ArgumentNullException(nameof(link)),
            link.Target.ToString(),
            link.BackoffMax,
            () => (outbox ?? throw new ArgumentNullException(nameof(outbox))).OpenCursor(link.Name, durable: true),
            status,
            time ?? TimeProvider.System,
            new Random(),
            logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _link = link;
        _device = options.DeviceId;
        _handler = handler;
        _logger = logger;
    }

    /// <inheritdoc/>
    public override string Kind => "http";

    /// <summary>Lines the server refused since the gateway started (each announced as a gap).</summary>
    public long Rejected => Interlocked.Read(ref _rejected);

    /// <inheritdoc/>
    protected override async Task<LinkEnd> RunSessionAsync(OutboxCursor cursor, CancellationToken token, CancellationToken stopping)
    {
        using var client = new HttpClient(_handler ?? (HttpMessageHandler)NewHandler(), disposeHandler: _handler is null) { Timeout = Timeout.InfiniteTimeSpan };
        var session = new Session(client, ReadToken(), _link.BatchSize);

        var gaps = cursor.Gaps();
        if (gaps.Count > 0)
        {
            _announcements.Clear();
            foreach (var gap in gaps)
            {
                _announcements.AddGap(_device, gap.From, gap.To, gap.Reason, gap.At);
            }

            await DeliverBatchAsync(session, _announcements, token).ConfigureAwait(false);
        }

        // Two batches: the next is read, encoded and compressed while the server stores the one in flight.
        Task? inFlight = null;
        long inFlightLast = 0;
        var next = 0;
        try
        {
            while (true)
            {
                if (inFlight is null)
                {
                    await cursor.ReadAsync(_rows, session.BatchSize, token).ConfigureAwait(false);
                    if (_rows.Count < session.BatchSize && _link.FlushInterval > TimeSpan.Zero)
                    {
                        // Not a full batch: let the next FlushInterval's readings join it (one request per interval at sensor rate).
                        await Task.Delay(_link.FlushInterval, Time, token).ConfigureAwait(false);
                        if (cursor.TryRead(_more, session.BatchSize - _rows.Count) > 0)
                        {
                            _rows.AddRange(_more);
                        }
                    }
                }
                else if (cursor.TryRead(_rows, session.BatchSize) == 0)
                {
                    await inFlight.ConfigureAwait(false);
                    cursor.Acknowledge(inFlightLast);
                    inFlight = null;
                    continue;
                }

                var batch = _batches[next];
                batch.Clear();
                foreach (var row in _rows)
                {
                    batch.Add(row, _device); // a non-finite value cannot be written; the format has no way to say so
                }

                batch.Prepare(_link.Gzip);
                if (inFlight is not null)
                {
                    await inFlight.ConfigureAwait(false);
                    cursor.Acknowledge(inFlightLast);
                }

                inFlight = DeliverBatchAsync(session, batch, token);
                inFlightLast = _rows[^1].Seq;
                next ^= 1;
            }
        }
        finally
        {
            // The session is ending (a failure, a stop): the batch in flight, if any, ends with it; its outcome no longer matters.
            _ = inFlight?.ContinueWith(static t => t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
    }

    // Delivers the whole batch, finding and announcing the lines the server refuses; throws what ends the session.
    private async Task DeliverBatchAsync(Session session, LineProtocolBatch batch, CancellationToken token)
    {
        if (batch.Count == 0)
        {
            return;
        }

        var outcome = new Outcome();
        await DeliverAsync(session, batch, 0, batch.Count, outcome, token).ConfigureAwait(false);
        if (outcome.Rejected.Count == 0)
        {
            return;
        }

        if (outcome.Written == 0)
        {
            // Every line refused, one by one: the URL (database, precision) or the server is wrong, not the data. Keep it all.
            throw new LinkProtocolException($"the server refused every line of a batch of {batch.Count} (HTTP 400: {outcome.FirstMessage}); nothing was dropped, the batch is sent again after the backoff; check Url");
        }

        await AnnounceRejectedAsync(session, batch, outcome, token).ConfigureAwait(false);
    }

    // Sends lines [from, from + count); on a 400 or 413 halves the run until single lines are refused (recorded in outcome).
    private async Task DeliverAsync(Session session, LineProtocolBatch batch, int from, int count, Outcome outcome, CancellationToken token)
    {
        while (true)
        {
            var result = await PostAsync(session, batch, from, count, token).ConfigureAwait(false);
            switch (result.Verdict)
            {
                case WriteVerdict.Written:
                    outcome.Written += count;
                    if (!session.Up)
                    {
                        session.Up = true;
                        Connected($"writing to {_link.Target} ({_link.Target.Api} write API)");
                    }

                    return;
                case WriteVerdict.Rejected or WriteVerdict.TooLarge when count > 1:
                    if (result.Verdict == WriteVerdict.TooLarge)
                    {
                        session.BatchSize = Math.Max(1, count / 2); // and stay smaller for the rest of the session
                        LogTooLarge(_logger, Name, count, session.BatchSize);
                    }

                    var half = count / 2;
                    await DeliverAsync(session, batch, from, half, outcome, token).ConfigureAwait(false);
                    await DeliverAsync(session, batch, from + half, count - half, outcome, token).ConfigureAwait(false);
                    return;
                case WriteVerdict.Rejected or WriteVerdict.TooLarge:
                    outcome.Rejected.Add(from);
                    outcome.FirstMessage ??= result.Message;
                    return;
                case WriteVerdict.RetryLater when result.RetryAfter is { } after:
                    // At least MinRetryAfter: a server answering "Retry-After: 0" (or a date gone by) again and again
                    // must not be hammered in a loop; at most MaxRetryAfter.
                    var wait = after < MinRetryAfter ? MinRetryAfter : after > _link.MaxRetryAfter ? _link.MaxRetryAfter : after;
                    LogRetryAfter(_logger, Name, result.Status, wait.TotalSeconds);
                    await Task.Delay(wait, Time, token).ConfigureAwait(false);
                    continue; // the same lines again
                default:
                    throw new LinkProtocolException(result.Message);
            }
        }
    }

    private async Task<WriteResult> PostAsync(Session session, LineProtocolBatch batch, int from, int count, CancellationToken token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, _link.Target.Url);
        var body = new ReadOnlyMemoryContent(batch.Body(from, count, _link.Gzip));
        body.Headers.ContentType = new MediaTypeHeaderValue("text/plain") { CharSet = "utf-8" };
        if (_link.Gzip)
        {
            body.Headers.ContentEncoding.Add("gzip");
        }

        request.Content = body;
        request.Headers.UserAgent.Add(new ProductInfoHeaderValue("gateway", GatewayHost.Version));
        if (session.Token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Token", session.Token);
        }

        using var timeout = new CancellationTokenSource(_link.Timeout, Time);
        using var both = CancellationTokenSource.CreateLinkedTokenSource(token, timeout.Token);
        try
        {
            using var response = await session.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, both.Token).ConfigureAwait(false);
            var status = (int)response.StatusCode;
            var text = status is >= 200 and < 300 ? string.Empty : await ReadBoundedAsync(response.Content, both.Token).ConfigureAwait(false);
            return WriteResult.Classify(status, RetryAfter(response), text);
        }
        catch (OperationCanceledException ex) when (timeout.IsCancellationRequested && !token.IsCancellationRequested)
        {
            throw new LinkStalledException($"the server did not answer a write of {count} lines within {_link.Timeout.TotalSeconds:0.###}s", ex);
        }
    }

    // The start of an error body: a hostile or broken server may send any amount.
    private static async Task<string> ReadBoundedAsync(HttpContent content, CancellationToken token)
    {
        await using var stream = await content.ReadAsStreamAsync(token).ConfigureAwait(false);
        var buffer = new byte[MaxErrorBodyBytes];
        var length = 0;
        int read;
        while (length < buffer.Length && (read = await stream.ReadAsync(buffer.AsMemory(length), token).ConfigureAwait(false)) > 0)
        {
            length += read;
        }

        return System.Text.Encoding.UTF8.GetString(buffer, 0, length);
    }

    private TimeSpan? RetryAfter(HttpResponseMessage response) => response.Headers.RetryAfter switch
    {
        { Delta: { } delta } => delta,
        { Date: { } date } => date - Time.GetUtcNow(),
        _ => null,
    };

    // The refused lines: counted, logged with the server's reason and the first line, and announced as gaps (consecutive
    // seqs of the batch as one range) so that whoever reads the database sees what is missing and why.
    private async Task AnnounceRejectedAsync(Session session, LineProtocolBatch batch, Outcome outcome, CancellationToken token)
    {
        outcome.Rejected.Sort();
        var ranges = new List<(long From, long To)>();
        foreach (var index in outcome.Rejected)
        {
            var seq = batch.Seq(index);
            if (seq == 0)
            {
                continue; // a gap announcement itself was refused: logged below, not announced again
            }

            if (ranges.Count > 0 && ranges[^1].To + 1 == seq)
            {
                ranges[^1] = (ranges[^1].From, seq);
            }
            else
            {
                ranges.Add((seq, seq));
            }
        }

        Interlocked.Add(ref _rejected, outcome.Rejected.Count);
        var seqs = string.Join(", ", ranges.Select(r => r.From == r.To ? $"{r.From}" : $"{r.From}-{r.To}"));
        LogRejected(_logger, Name, outcome.Rejected.Count, batch.Count, seqs.Length == 0 ? "none: gap announcements" : seqs, outcome.FirstMessage ?? string.Empty, batch.Line(outcome.Rejected[0]));
        ReportProblem($"{Rejected} lines refused by the server so far (announced as gaps, reason rejected); the last: {outcome.FirstMessage}");
        if (ranges.Count == 0)
        {
            return;
        }

        var at = Time.GetUtcNow();
        _announcements.Clear();
        foreach (var (from, to) in ranges)
        {
            _announcements.AddGap(_device, from, to, "rejected", at);
        }

        var announced = new Outcome();
        await DeliverAsync(session, _announcements, 0, _announcements.Count, announced, token).ConfigureAwait(false);
        if (announced.Rejected.Count > 0)
        {
            LogGapRefused(_logger, Name, announced.FirstMessage ?? string.Empty);
        }
    }

    private SocketsHttpHandler NewHandler()
    {
        var handler = new SocketsHttpHandler
        {
            ConnectTimeout = _link.Timeout,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(1),
            AutomaticDecompression = System.Net.DecompressionMethods.None,
            AllowAutoRedirect = false, // a write that is redirected is a misconfigured URL: say so rather than follow it
        };
        if (_link.Target.Tls)
        {
            handler.SslOptions = _link.TlsSettings.ClientOptions(_link.Target.Url.IdnHost);
        }

        return handler;
    }

    // Read at every session, so a rotated token is picked up on the next reconnect; its mode was checked at start.
    private string? ReadToken()
    {
        if (_link.TokenFile is null)
        {
            return null;
        }

        var token = File.ReadAllText(_link.TokenFile).Trim();
        return token.Length > 0 ? token : throw new IOException($"{_link.TokenFile} is empty: it must hold the API token");
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Link {Link}: the server refused {Rejected} of {Lines} lines (seq {Seqs}); they are announced as a gap (reason rejected) and not sent again: {Reason}; the first: {Line}")]
    private static partial void LogRejected(ILogger logger, string link, int rejected, int lines, string seqs, string reason, string line);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Link {Link}: the server refused the announcement of the refused lines too: {Reason}")]
    private static partial void LogGapRefused(ILogger logger, string link, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Link {Link}: a request of {Lines} lines was too large for the server (HTTP 413); sending at most {BatchSize} per request from now on")]
    private static partial void LogTooLarge(ILogger logger, string link, int lines, int batchSize);

    [LoggerMessage(Level = LogLevel.Information, Message = "Link {Link}: the server asked to retry later (HTTP {Status}); retrying the same lines in {Seconds:0.0}s")]
    private static partial void LogRetryAfter(ILogger logger, string link, int status, double seconds);

    private sealed class Session(HttpClient client, string? token, int batchSize)
    {
        public HttpClient Client { get; } = client;

        public string? Token { get; } = token;

        public int BatchSize { get; set; } = batchSize;

        public bool Up { get; set; }
    }

    private sealed class Outcome
    {
        public int Written { get; set; }

        public List<int> Rejected { get; } = [];

        public string? FirstMessage { get; set; }
    }
}
