using System.Net.Sockets;
using System.Threading.Channels;
using Gateway.Links;
using Gateway.Outbox;
using Gateway.Sampling;
using Gateway.Status;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using OutboxStore = Gateway.Outbox.Outbox;

namespace Gateway.Tests.Links;

/// <summary>
/// The link service (what every link does around its sessions) with scripted sessions in memory, a real outbox cursor
/// and a fake clock: reconnect, backoff on the link's clock, requested reconnects, state, outage logging, cursor life.
/// </summary>
public sealed class LinkServiceTests : IAsyncDisposable
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);
    private readonly string _dir = Directory.CreateTempSubdirectory("gw-linksvc-").FullName;
    private readonly WatchedTime _time = new();
    private readonly RecordingLogger _log = new();
    private readonly StatusBoard _status = new();
    private readonly OutboxStore _outbox;
    private int _cursorsOpened;

    public LinkServiceTests()
    {
        _outbox = new OutboxStore(new OutboxOptions { Path = Path.Combine(_dir, "gateway.db"), CommitInterval = TimeSpan.FromMilliseconds(20) }, TimeProvider.System, NullLogger<OutboxStore>.Instance);
        _outbox.Start();
    }

    public async ValueTask DisposeAsync()
    {
        await _outbox.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private ScriptedLink Link() => new(
        () =>
        {
            Interlocked.Increment(ref _cursorsOpened);
            return _outbox.OpenCursor("scripted", durable: true);
        },
        _status,
        _time,
        _log);

    [Fact]
    public async Task A_failed_session_is_retried_after_its_backoff_on_the_links_clock_and_not_sooner()
    {
        using var link = Link();
        link.Script.Enqueue(_ => throw new SocketException((int)SocketError.ConnectionRefused));
        await link.StartAsync(Token);
        await link.Started.Reader.ReadAsync(Token).AsTask().WaitAsync(Bound, Token);

        // The first backoff is at most 500 ms; the scripted jitter makes it 499.5 ms.
        await _time.TimerSet.WaitAsync(Bound, Token);
        Assert.Equal("backing off", link.State);
        Assert.Contains("refused", link.LastError, StringComparison.OrdinalIgnoreCase);
        _time.Fake.Advance(TimeSpan.FromMilliseconds(450));
        Assert.False(link.Started.Reader.TryRead(out _), "a session started before its backoff was over");
        _time.Fake.Advance(TimeSpan.FromMilliseconds(50));
        await link.Started.Reader.ReadAsync(Token).AsTask().WaitAsync(Bound, Token);
        await link.StopAsync(Token);
    }

    [Fact]
    public async Task A_reconnect_asked_for_during_the_backoff_starts_the_next_session_at_once()
    {
        using var link = Link();
        link.Script.Enqueue(_ => throw new IOException("broken pipe"));
        await link.StartAsync(Token);
        await link.Started.Reader.ReadAsync(Token).AsTask().WaitAsync(Bound, Token);
        await _time.TimerSet.WaitAsync(Bound, Token);

        Assert.True(link.Reconnect());

        await link.Started.Reader.ReadAsync(Token).AsTask().WaitAsync(Bound, Token); // the clock never moved
        await link.StopAsync(Token);
    }

    [Fact]
    public async Task A_reconnect_asked_for_while_up_ends_the_session_and_starts_another_without_a_backoff()
    {
        using var link = Link();
        link.Script.Enqueue(s => s.UpUntilCancelled());
        link.Script.Enqueue(s => s.UpUntilCancelled());
        await link.StartAsync(Token);
        await link.Started.Reader.ReadAsync(Token).AsTask().WaitAsync(Bound, Token);
        await Eventually(() => link.State == "up");

        link.Reconnect();

        await link.Started.Reader.ReadAsync(Token).AsTask().WaitAsync(Bound, Token);
        Assert.Contains(_log.Lines, l => l.Text == "Link scripted: reconnecting now, as requested");
        Assert.Equal(0, link.FailedAttempts);
        await link.StopAsync(Token);
    }

    [Fact]
    public async Task An_outage_is_logged_once_then_its_end_with_the_number_of_failed_attempts()
    {
        using var link = Link();
        for (var i = 0; i < 5; i++)
        {
            link.Script.Enqueue(_ => throw new SocketException((int)SocketError.ConnectionRefused));
        }

        link.Script.Enqueue(s => s.UpUntilCancelled());
        await link.StartAsync(Token);
        for (var i = 0; i < 5; i++)
        {
            await link.Started.Reader.ReadAsync(Token).AsTask().WaitAsync(Bound, Token);
            await _time.TimerSet.WaitAsync(Bound, Token);
            _time.Fake.Advance(TimeSpan.FromSeconds(2)); // past any backoff (BackoffMax)
        }

        await link.Started.Reader.ReadAsync(Token).AsTask().WaitAsync(Bound, Token);
        await Eventually(() => link.State == "up");

        Assert.Single(_log.Lines, l => l.Level == LogLevel.Warning);
        Assert.Contains(_log.Lines, l => l.Text.StartsWith("Link scripted to in-memory down: ", StringComparison.Ordinal));
        Assert.Contains(_log.Lines, l => l.Text == "Link scripted: back after 10.0s down (5 failed attempts)");
        Assert.Contains(_log.Lines, l => l.Text == "Link scripted up: connected in memory");
        Assert.Contains("scripted up", _status.Line, StringComparison.Ordinal);
        await link.StopAsync(Token);
    }

    [Fact]
    public async Task A_session_that_ends_stalled_shows_stalled_and_is_retried()
    {
        using var link = Link();
        link.Script.Enqueue(_ => Task.FromResult(new LinkEnd("the upstream did not read for 10s", Stalled: true)));
        await link.StartAsync(Token);
        await link.Started.Reader.ReadAsync(Token).AsTask().WaitAsync(Bound, Token);
        await _time.TimerSet.WaitAsync(Bound, Token);

        Assert.Equal("stalled", link.State);
        Assert.Contains(_log.Lines, l => l.Level == LogLevel.Warning && l.Text.Contains("stalled: the upstream did not read for 10s; dropped the connection, nothing is lost", StringComparison.Ordinal));
        _time.Fake.Advance(TimeSpan.FromSeconds(30));
        await link.Started.Reader.ReadAsync(Token).AsTask().WaitAsync(Bound, Token);
        await link.StopAsync(Token);
    }

    [Fact]
    public async Task An_unexpected_exception_is_logged_with_its_stack_and_the_next_session_gets_a_fresh_cursor()
    {
        using var link = Link();
        link.Script.Enqueue(_ => throw new InvalidOperationException("a bug"));
        await link.StartAsync(Token);
        await link.Started.Reader.ReadAsync(Token).AsTask().WaitAsync(Bound, Token);
        await _time.TimerSet.WaitAsync(Bound, Token);
        _time.Fake.Advance(TimeSpan.FromSeconds(30));
        await link.Started.Reader.ReadAsync(Token).AsTask().WaitAsync(Bound, Token);

        var error = Assert.Single(_log.Lines, l => l.Level == LogLevel.Error);
        Assert.IsType<InvalidOperationException>(error.Exception);
        Assert.Contains("unexpected InvalidOperationException: a bug", error.Text, StringComparison.Ordinal);
        Assert.Equal(2, _cursorsOpened);
        await link.StopAsync(Token);
    }

    [Fact]
    public async Task Every_session_starts_from_what_the_upstream_acknowledged_and_one_cursor_serves_the_links_life()
    {
        await StoreAsync(10);
        using var link = Link();
        long sentInFirst = 0;
        link.Script.Enqueue(s =>
        {
            var rows = new List<StoredRecord>();
            s.Cursor.TryRead(rows, 10);
            s.Cursor.Acknowledge(rows[3].Seq); // four acknowledged, six sent and lost with the connection
            sentInFirst = s.Cursor.Sent;
            throw new IOException("connection reset");
        });
        link.Script.Enqueue(s => s.UpUntilCancelled());
        await link.StartAsync(Token);
        var first = await link.Started.Reader.ReadAsync(Token).AsTask().WaitAsync(Bound, Token);
        await _time.TimerSet.WaitAsync(Bound, Token);
        _time.Fake.Advance(TimeSpan.FromSeconds(30));
        var second = await link.Started.Reader.ReadAsync(Token).AsTask().WaitAsync(Bound, Token);

        Assert.Same(first.Cursor, second.Cursor);
        Assert.Equal(first.Cursor.Acknowledged, second.SentAtStart);
        Assert.True(sentInFirst > second.SentAtStart, "the second session would not resend what the first lost");
        Assert.Equal(1, _cursorsOpened);
        await link.StopAsync(Token);
    }

    [Fact]
    public async Task Stopping_the_gateway_ends_a_session_that_is_up_without_logging_an_outage()
    {
        var link = Link();
        link.Script.Enqueue(s => s.UpUntilCancelled());
        await link.StartAsync(Token);
        await link.Started.Reader.ReadAsync(Token).AsTask().WaitAsync(Bound, Token);

        await link.StopAsync(Token).WaitAsync(Bound, Token);

        Assert.DoesNotContain(_log.Lines, l => l.Level >= LogLevel.Warning);
        link.Dispose();
    }

    private async Task StoreAsync(int count)
    {
        var first = _outbox.LastCommitted;
        for (var i = 0; i < count; i++)
        {
            _outbox.Accept(new SampledReading("env", "temperature", 20 + i, "Cel", DateTimeOffset.UtcNow.AddSeconds(i - count)));
        }

        await _outbox.WaitForCommitAsync(first + count - 1, Token).WaitAsync(Bound, Token);
    }

    private static async Task Eventually(Func<bool> condition)
    {
        for (var i = 0; i < 1_000 && !condition(); i++)
        {
            await Task.Delay(10, Token);
        }

        Assert.True(condition(), "the condition did not hold within 10 s");
    }

    /// <summary>One scripted session as the service ran it.</summary>
    internal sealed class Session(ScriptedLink link, OutboxCursor cursor, CancellationToken token)
    {
        public OutboxCursor Cursor { get; } = cursor;

        public long SentAtStart { get; } = cursor.Sent;

        public CancellationToken Token { get; } = token;

        /// <summary>Connects, then holds the session until the service ends it.</summary>
        public async Task<LinkEnd> UpUntilCancelled()
        {
            link.SayConnected();
            await Task.Delay(Timeout.Infinite, Token);
            return new LinkEnd("unreachable");
        }
    }

    /// <summary>A link whose sessions follow a script: each entry runs one session.</summary>
    internal sealed class ScriptedLink(Func<OutboxCursor> openCursor, StatusBoard status, TimeProvider time, ILogger logger)
        : LinkService("scripted", "in-memory", TimeSpan.FromSeconds(2), openCursor, status, time, new AlmostOne(), logger)
    {
        public Queue<Func<Session, Task<LinkEnd>>> Script { get; } = new();

        public Channel<Session> Started { get; } = Channel.CreateUnbounded<Session>();

        public override string Kind => "scripted";

        public void SayConnected() => Connected("connected in memory");

        protected override Task<LinkEnd> RunSessionAsync(OutboxCursor cursor, CancellationToken token, CancellationToken stopping)
        {
            var session = new Session(this, cursor, token);
            Started.Writer.TryWrite(session);
            if (!Script.TryDequeue(out var step))
            {
                return Task.Delay(Timeout.Infinite, token).ContinueWith(_ => new LinkEnd("script over"), TaskScheduler.Default);
            }

            return step(session);
        }
    }

    /// <summary>Jitter at its top: every backoff is (almost) its ceiling, so the tests know when it ends.</summary>
    private sealed class AlmostOne : Random
    {
        public override double NextDouble() => 0.999;
    }
}
