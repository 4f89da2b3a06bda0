using Gateway.Outbox;
using Gateway.Status;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Gateway.Links;

/// <summary>
/// What every upstream link does around its sessions, written once: connect, run a session from the link's outbox
/// cursor, and when it ends, say why, back off (capped exponential with full jitter, <see cref="Backoff"/>) and connect
/// again; a requested reconnect skips the backoff. It keeps the link's state for <c>status</c> and the status board,
/// logs an outage once and then once a minute (<see cref="OutageLog"/>), owns the cursor for the link's life (a fresh one
/// after an unexpected failure, in case its read connection was the trouble) and waits on a <see cref="TimeProvider"/>.
/// A session type per transport derives from it and implements <see cref="RunSessionAsync"/>.
/// </summary>
internal abstract partial class LinkService : BackgroundService, ILinkControl
{
    private readonly Func<OutboxCursor> _openCursor;
    private readonly StatusBoard _status;
    private readonly ILogger _logger;
    private readonly Backoff _backoff;
    private readonly OutageLog _outage;
    private OutboxCursor? _cursor;
    private CancellationTokenSource _kick = new();
    private volatile string _state = "connecting";
    private volatile string? _lastError;
    private long _connects;

    /// <summary>Creates the link's service.</summary>
    /// <param name="name">The link's name (<c>tcp</c>, <c>mqtt:backup</c> …).</param>
    /// <param name="target">Where it connects, as logs and status show it: never with credentials.</param>
    /// <param name="backoffMax">The longest reconnect delay.</param>
    /// <param name="openCursor">Opens the link's outbox cursor (once, and again after an unexpected failure).</param>
    /// <param name="status">The status board that shows the link's state.</param>
    /// <param name="time">The clock the backoff waits on.</param>
    /// <param name="random">The backoff's jitter.</param>
    /// <param name="logger">The link's log.</param>
    protected LinkService(string name, string target, TimeSpan backoffMax, Func<OutboxCursor> openCursor, StatusBoard status, TimeProvider time, Random random, ILogger logger)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(openCursor);
        ArgumentNullException.ThrowIfNull(time);
        Name = name;
        Target = target;
        _openCursor = openCursor;
        _status = status;
        Time = time;
        _logger = logger;
        _backoff = new Backoff(TimeSpan.FromMilliseconds(500), backoffMax, random);
        _outage = new OutageLog(time);
    }

    /// <inheritdoc/>
    public string Name { get; }

    /// <inheritdoc/>
    public abstract string Kind { get; }

    /// <inheritdoc/>
    public string Target { get; }

    /// <inheritdoc/>
    public string State => _state;

    /// <inheritdoc/>
    public string? LastError => _lastError;

    /// <summary>The link's clock.</summary>
    protected TimeProvider Time { get; }

    /// <summary>Failed attempts since the link was last up.</summary>
    public int FailedAttempts => _backoff.Attempt;

    /// <inheritdoc/>
    public DeliveryCounts Counts { get; } = new();

    /// <inheritdoc/>
    public long Connects => Interlocked.Read(ref _connects);

    /// <inheritdoc/>
    public bool Reconnect()
    {
        Interlocked.Exchange(ref _kick, new CancellationTokenSource()).Cancel(); // not disposed: the loop may still read its token
        return true;
    }

    /// <summary>
    /// Runs one session: connects (calling <see cref="Connected"/> once it is), then delivers from
    /// <paramref name="cursor"/> (rewound by the caller to what the upstream acknowledged) until the connection ends.
    /// Returns why it ended, or throws what ended it; <see cref="Classify"/> says what the exception means.
    /// </summary>
    /// <param name="cursor">The link's outbox cursor.</param>
    /// <param name="token">Cancelled when this session must end (the gateway stops, or a reconnect was asked for).</param>
    /// <param name="stopping">Cancelled only when the gateway stops (a session may say goodbye then).</param>
    protected abstract Task<LinkEnd> RunSessionAsync(OutboxCursor cursor, CancellationToken token, CancellationToken stopping);

    /// <summary>
    /// What an exception that ended a session means: a failure to report and retry (null: unexpected, logged with its
    /// stack as an error). The default knows the transport failures every link shares.
    /// </summary>
    protected virtual LinkEnd? Classify(Exception exception) => exception switch
    {
        LinkStalledException stalled => new LinkEnd(stalled.Message, Stalled: true),
        Protocol.Transport.ChannelStalledException stalled => new LinkEnd($"the peer {stalled.Message}", Stalled: true),
        OperationCanceledException => new LinkEnd("connect timed out"),
        System.Net.Sockets.SocketException or IOException or LinkProtocolException or Protocol.Transport.ChannelClosedException or System.Net.WebSockets.WebSocketException
            or HttpRequestException or System.Security.Authentication.AuthenticationException => new LinkEnd(Redaction.Redact(exception.Message)),
        _ => null,
    };

    /// <summary>Called when an outage (or a change of its problem) is reported, for a session's own advice.</summary>
    protected virtual void OnOutageReported(LinkEnd end)
    {
    }

    /// <summary>A problem the link has while up (e.g. a refused subscription): <c>status</c> shows it as the last error.</summary>
    protected void ReportProblem(string problem) => _lastError = problem;

    /// <summary>A session calls this once its connection is up: the backoff starts over and the log says so.</summary>
    /// <param name="description">How it is connected, e.g. <c>connected to host:7000</c>.</param>
    protected void Connected(string description)
    {
        _backoff.Reset();
        Interlocked.Increment(ref _connects);
        SetState("up");
        LogUp(_logger, Name, description);
        if (_outage.Recovered() is { } outage)
        {
            LogBack(_logger, Name, outage.DownFor.TotalSeconds, outage.Failures);
        }
    }

    private OutboxCursor OpenCountedCursor()
    {
        var cursor = _openCursor();
        cursor.Counts = Counts;
        return cursor;
    }

    /// <inheritdoc/>
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await RunAsync(stoppingToken).ConfigureAwait(false);
        }
        finally
        {
            _cursor?.Dispose();
        }
    }

    private async Task RunAsync(CancellationToken stoppingToken)
    {
        SetState("connecting");
        while (!stoppingToken.IsCancellationRequested)
        {
            var kick = Volatile.Read(ref _kick).Token;
            using var attempt = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, kick);
            LinkEnd end;
            try
            {
                var cursor = _cursor ??= OpenCountedCursor();
                cursor.Rewind(); // every session resumes from what the upstream acknowledged
                end = await RunSessionAsync(cursor, attempt.Token, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (OperationCanceledException) when (kick.IsCancellationRequested)
            {
                LogReconnectRequested(_logger, Name);
                _backoff.Reset();
                SetState("connecting");
                continue; // asked to reconnect: at once, no backoff
            }
#pragma warning disable CA1031 // no single session's failure may stop the link: it is logged with the peer, the connection dropped, and retried
            catch (Exception ex)
#pragma warning restore CA1031
            {
                if (Classify(ex) is { } known)
                {
                    end = known;
                }
                else
                {
                    end = new LinkEnd($"unexpected {ex.GetType().Name}: {Redaction.Redact(ex.Message)}");
                    LogUnexpected(_logger, Name, Target, end.Error, ex);
                    _cursor?.Dispose(); // the next session opens a fresh one, in case its read connection was the trouble
                    _cursor = null;
                }
            }

            if (!await BackOffAsync(end, stoppingToken).ConfigureAwait(false))
            {
                break;
            }
        }
    }

    // Reports the end (once per outage, then a summary a minute) and waits out the backoff; false when the gateway stops.
    private async Task<bool> BackOffAsync(LinkEnd end, CancellationToken stoppingToken)
    {
        var delay = _backoff.Next();
        _lastError = end.Error;

        // Stalled: the peer is connected but does not take our writes (or answer): not merely down.
        SetState(end.Stalled ? $"stalled ({end.Error})" : $"backing off ({end.Error})");
        var entry = _outage.Failed(end.Stalled ? $"stalled: {end.Error}" : end.Error);
        if (entry.Line == OutageLine.Report)
        {
            OnOutageReported(end);
            if (end.Stalled)
            {
                LogStalled(_logger, Name, Target, end.Error, delay.TotalSeconds);
            }
            else
            {
                LogDown(_logger, Name, Target, end.Error, delay.TotalSeconds);
            }
        }
        else if (entry.Line == OutageLine.Summary)
        {
            LogStillDown(_logger, Name, Target, entry.DownFor.TotalMinutes, entry.Failures, end.Error, delay.TotalSeconds);
        }

        try
        {
            using var wait = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, Volatile.Read(ref _kick).Token);
            await Task.Delay(delay, Time, wait.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
        {
            _backoff.Reset(); // a reconnect was asked for during the backoff
        }
        catch (OperationCanceledException)
        {
            return false;
        }

        return true;
    }

    private void SetState(string state)
    {
        _state = state.StartsWith("backing off", StringComparison.Ordinal) ? "backing off" : state.StartsWith("stalled", StringComparison.Ordinal) ? "stalled" : state;
        _status.SetFact($"link {Name}", $"{Name} {state}");
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Link {Link}: reconnecting now, as requested")]
    private static partial void LogReconnectRequested(ILogger logger, string link);

    [LoggerMessage(Level = LogLevel.Information, Message = "Link {Link} up: {Description}")]
    private static partial void LogUp(ILogger logger, string link, string description);

    [LoggerMessage(Level = LogLevel.Information, Message = "Link {Link}: back after {Seconds:0.0}s down ({Failures} failed attempts)")]
    private static partial void LogBack(ILogger logger, string link, double seconds, int failures);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Link {Link} to {Target} still down after {Minutes:0.0} min ({Failures} failed attempts; the same again is summarised once a minute): {Error}; next attempt in {Seconds:0.0}s")]
    private static partial void LogStillDown(ILogger logger, string link, string target, double minutes, int failures, string error, double seconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Link {Link} to {Target} down: {Error}; reconnecting in {Seconds:0.0}s")]
    private static partial void LogDown(ILogger logger, string link, string target, string error, double seconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Link {Link} to {Target} stalled: {Error}; dropped the connection, nothing is lost; reconnecting in {Seconds:0.0}s")]
    private static partial void LogStalled(ILogger logger, string link, string target, string error, double seconds);

    [LoggerMessage(Level = LogLevel.Error, Message = "Link {Link} to {Target}: {Error}; dropped the connection and will reconnect")]
    private static partial void LogUnexpected(ILogger logger, string link, string target, string error, Exception exception);
}

/// <summary>Why a link's session ended.</summary>
/// <param name="Error">What happened, for the log and <c>status</c> (never with credentials).</param>
/// <param name="Stalled">The peer was connected but did not take a write (or answer) in time.</param>
/// <param name="Refused">The peer refused the connection itself (e.g. the MQTT broker's CONNACK), with its reason.</param>
internal sealed record LinkEnd(string Error, bool Stalled = false, string? Refused = null);
