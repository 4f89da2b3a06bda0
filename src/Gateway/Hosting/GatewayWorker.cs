using Gateway.Configuration;
using Gateway.Health;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Gateway.Hosting;

/// <summary>
/// The gateway's main loop until the sampler takes over that role: beats the <c>pipeline</c> heartbeat once per
/// cycle so that the watchdog sees it alive.
/// <c>Gateway:Diagnostics:StallPipelineAfter</c> freezes the loop on purpose to prove the watchdog reacts.
/// </summary>
internal sealed partial class GatewayWorker : BackgroundService
{
    /// <summary>How often the loop cycles (and beats).</summary>
    public static readonly TimeSpan Cycle = TimeSpan.FromSeconds(1);

    private readonly GatewayOptions _options;
    private readonly HeartbeatRegistry _heartbeats;
    private readonly TimeProvider _time;
    private readonly ILogger<GatewayWorker> _logger;

    /// <summary>Creates the worker.</summary>
    public GatewayWorker(GatewayOptions options, HeartbeatRegistry heartbeats, TimeProvider time, ILogger<GatewayWorker> logger)
    {
        _options = options;
        _heartbeats = heartbeats;
        _time = time;
        _logger = logger;
    }

    /// <inheritdoc/>
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var heartbeat = _heartbeats.Register("pipeline");
        var started = _time.GetTimestamp();
        var stallAfter = _options.Diagnostics.StallPipelineAfter;
        if (stallAfter is { } after)
        {
            LogStallArmed(_logger, after.TotalSeconds);
        }

        using var timer = new PeriodicTimer(Cycle, _time);
        do
        {
            if (stallAfter is { } limit && _time.GetElapsedTime(started) >= limit)
            {
                LogStalledOnPurpose(_logger);
                await Task.Delay(Timeout.InfiniteTimeSpan, _time, stoppingToken).ConfigureAwait(false);
            }

            heartbeat.Beat();
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Fault injection (Gateway:Diagnostics:StallPipelineAfter): the pipeline will stall {Seconds}s after start; never use this in production")]
    private static partial void LogStallArmed(ILogger logger, double seconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Fault injection: the pipeline has stalled on purpose and no longer beats")]
    private static partial void LogStalledOnPurpose(ILogger logger);
}
