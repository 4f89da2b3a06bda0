using System.Collections.Concurrent;
using System.IO.Compression;
using System.Net;
using System.Text;
using Gateway.Configuration;
using Gateway.Links.Http;
using Gateway.Outbox;
using Gateway.Sampling;
using Gateway.Status;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using OutboxStore = Gateway.Outbox.Outbox;

namespace Gateway.Tests.Links.Http;

/// <summary>
/// The HTTP line-protocol link's session against a write API in memory (an <see cref="HttpMessageHandler"/> that
/// behaves like InfluxDB 1.x: a 400 partial write stores the good lines), a real outbox and a fake clock.
/// </summary>
public sealed class HttpLineProtocolLinkTests : IAsyncDisposable
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);
    private static readonly DateTimeOffset T0 = new(2026, 12, 7, 12, 0, 0, TimeSpan.Zero);
    private readonly string _dir = Directory.CreateTempSubdirectory("gw-httplink-").FullName;
    private readonly WatchedTime _time = new();
    private readonly RecordingLogger _log = new();
    private readonly StatusBoard _status = new();
    private readonly OutboxStore _outbox;
    private readonly WriteApi _server = new();

    public HttpLineProtocolLinkTests()
    {
        _outbox = new OutboxStore(new OutboxOptions { Path = Path.Combine(_dir, "gateway.db"), CommitInterval = TimeSpan.FromMilliseconds(20) }, TimeProvider.System, NullLogger<OutboxStore>.Instance);
        _outbox.Start();
    }

    public async ValueTask DisposeAsync()
    {
        await _outbox.DisposeAsync();
        _server.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private HttpLineProtocolLink Link(Func<HttpLinkOptions, HttpLinkOptions>? change = null)
    {
        Assert.True(HttpWriteTarget.TryParse("http://influx.test:8086/write?db=sensors", out var target, out _));
        var options = new HttpLinkOptions { Target = target!, FlushInterval = TimeSpan.Zero, BackoffMax = TimeSpan.FromSeconds(1) };
        return new HttpLineProtocolLink(change?.Invoke(options) ?? options, new GatewayOptions { DeviceId = "pi-01", StateDirectory = _dir }, _outbox, _status, new RecordingLogger<HttpLineProtocolLink>(_log), _time, _server);
    }

    // Stores readings (and health changes) and waits for their commit; returns the last seq.
    private async Task<long> StoreAsync(params (string Quantity, double Value)[] readings)
    {
        foreach (var (quantity, value) in readings)
        {
            if (quantity == "health")
            {
                _outbox.AcceptHealth(new HealthChange("env", HealthState.Failed, "no acknowledge at 0x76"), T0);
            }
            else
            {
                _outbox.Accept(new SampledReading("env", quantity, value, "Cel", T0));
            }
        }

        long last = readings.Length; // a fresh outbox numbers from 1
        await _outbox.WaitForCommitAsync(last - 1, Token).WaitAsync(Bound, Token);
        return last;
    }

    private long Acknowledged() => _outbox.Cursor("http", durable: true);

    private static async Task WaitUntilAsync(Func<bool> condition, string what, HttpLineProtocolLink? link = null)
    {
        var deadline = DateTime.UtcNow + Bound;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, link is null ? $"never: {what}" : $"never: {what} (the link is {link.State}, last error: {link.LastError})");
            await Task.Delay(10, Token);
        }
    }

    [Fact]
    public async Task Readings_and_health_changes_go_as_gzip_line_protocol_in_milliseconds_and_the_cursor_moves_on_204()
    {
        var last = await StoreAsync(("temperature", 21.5), ("health", 0), ("pressure", 101_325));
        var tokenFile = Path.Combine(_dir, "token");
        await File.WriteAllTextAsync(tokenFile, "s3cret\n", Token);
        using var link = Link(o => o with { TokenFile = tokenFile });

        await link.StartAsync(Token);
        await WaitUntilAsync(() => link.State == "up" && _server.Stored.Count == 3 && Acknowledged() == last, "three lines stored, the cursor past them and the link up", link);
        await link.StopAsync(Token);

        var request = Assert.Single(_server.Requests);
        Assert.Equal("http://influx.test:8086/write?db=sensors&precision=ms", request.Url);
        Assert.Equal("gzip", request.ContentEncoding);
        Assert.Equal("Token s3cret", request.Authorization);
        var ms = T0.ToUnixTimeMilliseconds();
        Assert.Equal(
            [
                $"temperature,device=pi-01,sensor=env,unit=Cel value=21.5,seq=1i {ms}",
                $"gateway_health,device=pi-01,sensor=env state=\"failed\",message=\"failed: no acknowledge at 0x76\",seq=2i {ms}",
                $"pressure,device=pi-01,sensor=env,unit=Cel value=101325,seq=3i {ms}",
            ],
            request.Lines);
    }

    [Fact]
    public async Task A_refused_line_is_found_by_halving_the_batch_announced_as_a_gap_and_the_rest_is_written()
    {
        _server.Refuse = line => line.StartsWith("pressure,", StringComparison.Ordinal);
        var last = await StoreAsync(("temperature", 1), ("temperature", 2), ("pressure", 3), ("temperature", 4), ("pressure", 5), ("pressure", 6), ("temperature", 7), ("temperature", 8));
        using var link = Link();

        await link.StartAsync(Token);
        await WaitUntilAsync(() => Acknowledged() == last, "the cursor past the batch");
        await link.StopAsync(Token);

        Assert.Equal([1, 2, 4, 7, 8], _server.StoredSeqs());
        Assert.Equal(["gateway_gap,device=pi-01,reason=rejected from=3i,to=3i,count=1i", "gateway_gap,device=pi-01,reason=rejected from=5i,to=6i,count=2i"], _server.Stored.Where(l => l.StartsWith("gateway_gap", StringComparison.Ordinal)).Select(WithoutTimestamp));
        var times = _server.Stored.Where(l => l.StartsWith("gateway_gap", StringComparison.Ordinal)).Select(l => l[(l.LastIndexOf(' ') + 1)..]).ToList();
        Assert.Equal(times.Count, times.Distinct().Count()); // a point with the series and time of another replaces it
        Assert.Equal(3, link.Rejected);
        var warning = Assert.Single(_log.Lines, l => l.Level == LogLevel.Warning);
        Assert.Contains("refused 3 of 8 lines (seq 3, 5-6)", warning.Text, StringComparison.Ordinal);
        Assert.Contains("field type conflict", warning.Text, StringComparison.Ordinal);
        Assert.Contains("the first: pressure,device=pi-01", warning.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task When_the_server_refuses_every_line_nothing_is_dropped_and_the_link_backs_off()
    {
        _server.Refuse = _ => true;
        await StoreAsync(("temperature", 1), ("temperature", 2), ("temperature", 3));
        using var link = Link();

        await link.StartAsync(Token);
        await WaitUntilAsync(() => link.State == "backing off", "backing off", link);
        await link.StopAsync(Token);

        Assert.Contains("refused every line of a batch of 3", link.LastError, StringComparison.Ordinal);
        Assert.Contains("nothing was dropped", link.LastError, StringComparison.Ordinal);
        Assert.Equal(0, Acknowledged());
        Assert.Equal(0, link.Rejected);
        Assert.Empty(_server.Stored);
    }

    [Fact]
    public async Task Retry_after_is_waited_out_on_the_links_clock_and_then_the_same_lines_are_sent()
    {
        _server.Script.Enqueue(() => new HttpResponseMessage(HttpStatusCode.TooManyRequests) { Headers = { RetryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(TimeSpan.FromSeconds(30)) } });
        var last = await StoreAsync(("temperature", 1), ("temperature", 2));
        using var link = Link();

        await link.StartAsync(Token);
        await WaitUntilAsync(() => _server.Requests.Count == 1, "the first request");
        await _time.TimerSet.WaitAsync(Bound, Token); // the request's timeout
        await _time.TimerSet.WaitAsync(Bound, Token); // the Retry-After wait
        _time.Fake.Advance(TimeSpan.FromSeconds(29));
        await Task.Delay(50, Token);
        Assert.Single(_server.Requests);
        _time.Fake.Advance(TimeSpan.FromSeconds(1));
        await WaitUntilAsync(() => Acknowledged() == last, "the cursor past the lines");
        await link.StopAsync(Token);

        Assert.Equal(2, _server.Requests.Count);
        Assert.Equal(_server.Requests[0].Lines, _server.Requests[1].Lines);
        Assert.Equal([1, 2], _server.StoredSeqs());
    }

    [Fact]
    public async Task A_retry_after_of_zero_again_and_again_still_waits_a_second_between_attempts()
    {
        for (var i = 0; i < 3; i++)
        {
            _server.Script.Enqueue(() => new HttpResponseMessage(HttpStatusCode.ServiceUnavailable) { Headers = { RetryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(TimeSpan.Zero) } });
        }

        var last = await StoreAsync(("temperature", 1));
        using var link = Link();

        await link.StartAsync(Token);
        for (var attempt = 1; attempt <= 3; attempt++)
        {
            await WaitUntilAsync(() => _server.Requests.Count == attempt, $"attempt {attempt}");
            await _time.TimerSet.WaitAsync(Bound, Token); // the request's timeout
            await _time.TimerSet.WaitAsync(Bound, Token); // the wait before the next attempt
            await Task.Delay(50, Token);
            Assert.Equal(attempt, _server.Requests.Count); // nothing more until the link's clock moves
            _time.Fake.Advance(TimeSpan.FromSeconds(1));
        }

        await WaitUntilAsync(() => Acknowledged() == last, "the cursor past the line");
        await link.StopAsync(Token);
        Assert.Equal(4, _server.Requests.Count);
    }

    [Fact]
    public async Task A_server_error_ends_the_session_and_the_lines_are_sent_again_after_the_backoff()
    {
        _server.Script.Enqueue(() => new HttpResponseMessage(HttpStatusCode.InternalServerError) { Content = new StringContent("{\"error\":\"engine: cache maximum memory size exceeded\"}") });
        var last = await StoreAsync(("temperature", 1), ("temperature", 2));
        using var link = Link();

        await link.StartAsync(Token);
        await WaitUntilAsync(() => link.State == "backing off", "backing off", link);
        Assert.Contains("HTTP 500 InternalServerError: engine: cache maximum memory size exceeded", link.LastError, StringComparison.Ordinal);
        Assert.Equal(0, Acknowledged());
        // The backoff's timer is set just after the state says so: move the clock on only while it backs off.
        await WaitUntilAsync(
            () =>
            {
                if (link.State == "backing off")
                {
                    _time.Fake.Advance(TimeSpan.FromMilliseconds(100));
                }

                return Acknowledged() == last;
            },
            "the cursor past the lines after the backoff",
            link);
        await link.StopAsync(Token);

        Assert.Equal([1, 2], _server.StoredSeqs());
        Assert.Equal("up", link.State);
    }

    [Fact]
    public async Task A_413_halves_the_batch_and_later_batches_stay_small()
    {
        _server.MaxLines = 2;
        var last = await StoreAsync(("temperature", 1), ("temperature", 2), ("temperature", 3), ("temperature", 4), ("temperature", 5));
        using var link = Link();

        await link.StartAsync(Token);
        await WaitUntilAsync(() => Acknowledged() == last, "the cursor past everything");
        await link.StopAsync(Token);

        Assert.Equal([1, 2, 3, 4, 5], _server.StoredSeqs());
        Assert.Equal(0, link.Rejected);
        Assert.Contains(_log.Lines, l => l.Text.Contains("too large for the server (HTTP 413)", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_server_that_does_not_answer_within_the_timeout_stalls_the_link_and_nothing_is_acknowledged()
    {
        _server.Hang = true;
        await StoreAsync(("temperature", 1));
        using var link = Link(o => o with { Timeout = TimeSpan.FromSeconds(5) });

        await link.StartAsync(Token);
        await _time.TimerSet.WaitAsync(Bound, Token); // the request's timeout
        _time.Fake.Advance(TimeSpan.FromSeconds(5));
        await WaitUntilAsync(() => link.State == "stalled", "stalled");
        await link.StopAsync(Token);

        Assert.Contains("did not answer a write of 1 lines within 5s", link.LastError, StringComparison.Ordinal);
        Assert.Equal(0, Acknowledged());
    }

    private static string WithoutTimestamp(string line) => line[..line.LastIndexOf(' ')];

    /// <summary>An InfluxDB 1.x write API in memory: stores good lines (once: the same point again is the same point), answers 400 (partial write) when any line is refused.</summary>
    private sealed class WriteApi : HttpMessageHandler
    {
        private readonly Lock _lock = new();

        public List<(string Url, string? ContentEncoding, string? Authorization, List<string> Lines)> Requests { get; } = [];

        public List<string> Stored { get; } = [];

        public Func<string, bool> Refuse { get; set; } = _ => false;

        public int MaxLines { get; set; } = int.MaxValue;

        public bool Hang { get; set; }

        public ConcurrentQueue<Func<HttpResponseMessage>> Script { get; } = new();

        public List<long> StoredSeqs()
        {
            lock (_lock)
            {
                return [.. Stored.Where(l => !l.StartsWith("gateway_gap", StringComparison.Ordinal)).Select(l => long.Parse(l.Split(",seq=")[1].Split('i')[0], System.Globalization.CultureInfo.InvariantCulture)).Order()];
            }
        }

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var body = await request.Content!.ReadAsByteArrayAsync(cancellationToken);
            var encoding = request.Content.Headers.ContentEncoding.FirstOrDefault();
            if (encoding == "gzip")
            {
                using var unzip = new GZipStream(new MemoryStream(body), CompressionMode.Decompress);
                using var plain = new MemoryStream();
                await unzip.CopyToAsync(plain, cancellationToken);
                body = plain.ToArray();
            }

            var lines = Encoding.UTF8.GetString(body).Split('\n', StringSplitOptions.RemoveEmptyEntries).ToList();
            lock (_lock)
            {
                Requests.Add((request.RequestUri!.ToString(), encoding, request.Headers.Authorization?.ToString(), lines));
            }

            if (Hang)
            {
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }

            if (Script.TryDequeue(out var scripted))
            {
                return scripted();
            }

            if (lines.Count > MaxLines)
            {
                return new HttpResponseMessage(HttpStatusCode.RequestEntityTooLarge);
            }

            var refused = lines.Where(Refuse).ToList();
            lock (_lock)
            {
                Stored.AddRange(lines.Except(refused).Except(Stored)); // a point written again replaces itself (same series and time)
            }

            return refused.Count == 0
                ? new HttpResponseMessage(HttpStatusCode.NoContent)
                : new HttpResponseMessage(HttpStatusCode.BadRequest) { Content = new StringContent($"{{\"error\":\"partial write: field type conflict: input field \\\"value\\\" on measurement \\\"pressure\\\" is type float, already exists as type string dropped={refused.Count}\"}}") };
        }
    }
}
