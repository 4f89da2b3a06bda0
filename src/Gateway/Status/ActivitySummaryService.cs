using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Gateway.Status;

/// <summary>
/// Logs <see cref="ActivitySummary"/>'s line at Information every <c>Gateway:Logging:Summary</c> (default one minute;
/// <c>off</c> turns it off), so that a gateway run by hand shows that readings flow. The first line comes one interval
/// after start; its figures count from the moment the service started.
/// </summary>
internal sealed partial class ActivitySummaryService : IHostedService, IAsyncDisposable
{
    private readonly TimeSpan _interval;
    private readonly Func<ActivitySnapshot> _snapshot;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Lock _lock = new();
    private ActivitySnapshot? _last;
    private ITimer? _timer;

    /// <summary>Creates the service.</summary>
    /// <param name="interval">How often the line is logged.</param>
    /// <param name="snapshot">Reads the gateway's running totals.</param>
    /// <param name="time">The clock the interval is kept on.</param>
    /// <param name="logger">Where the line goes.</param>
    public ActivitySummaryService(TimeSpan interval, Func<ActivitySnapshot> snapshot, TimeProvider time, ILogger logger)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(interval, TimeSpan.Zero);
        ArgumentNullException.ThrowIfNull(snapshot);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(logger);
        _interval = interval;
        _snapshot = snapshot;
        _time = time;
        _logger = logger;
    }

    /// <inheritdoc/>
    public Task StartAsync(CancellationToken cancellationToken)
    {
        _last = _snapshot();
        _timer = _time.CreateTimer(_ => Tick(), null, _interval, _interval);
        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public Task StopAsync(CancellationToken cancellationToken) => DisposeAsync().AsTask();

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        if (_timer is { } timer)
        {
            await timer.DisposeAsync().ConfigureAwait(false);
        }
    }

    // Ticks do not overlap in practice (a snapshot takes microseconds); the lock keeps the before/now pairs in order if they did.
    private void Tick()
    {
        lock (_lock)
        {
            var now = _snapshot();
            if (_logger.IsEnabled(LogLevel.Information))
            {
                var line = ActivitySummary.Line(_last!, now, _interval);
                LogSummary(_logger, line);
            }

            _last = now;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{Summary}")]
    private static partial void LogSummary(ILogger logger, string summary);
}
