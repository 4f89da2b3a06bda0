using System.Globalization;
using Gateway.Configuration;
using Gateway.Health;
using Gateway.Status;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Systemd;
using Microsoft.Extensions.Logging;

namespace Gateway.Systemd;

/// <summary>
/// Pings the systemd watchdog (<c>WATCHDOG=1</c>) at half of <c>WATCHDOG_USEC</c>, as sd_watchdog_enabled(3)
/// recommends, but only while every component's heartbeat is fresh. A stalled pipeline therefore stops the
/// pings and systemd restarts the service; a process that is merely alive is not enough. (The package
/// Microsoft.Extensions.Hosting.Systemd has no watchdog timer; this sends through its <see cref="ISystemdNotifier"/>.)
/// </summary>
internal sealed partial class WatchdogService : BackgroundService
{
    private readonly ISystemdNotifier _notifier;
    private readonly SystemdEnvironment _environment;
    private readonly HeartbeatRegistry _heartbeats;
    private readonly StatusBoard _status;
    private readonly TimeProvider _time;
    private readonly TimeSpan _heartbeatTimeout;
    private readonly ILogger<WatchdogService> _logger;

    /// <summary>Creates the service.</summary>
    public WatchdogService(
        ISystemdNotifier notifier,
        SystemdEnvironment environment,
        HeartbeatRegistry heartbeats,
        StatusBoard status,
        TimeProvider time,
        GatewayOptions options,
        ILogger<WatchdogService> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _notifier = notifier;
        _environment = environment;
        _heartbeats = heartbeats;
        _status = status;
        _time = time;
        _heartbeatTimeout = options.Watchdog.HeartbeatTimeout;
        _logger = logger;
    }

    /// <inheritdoc/>
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (_environment.WatchdogIgnoredReason is { } reason)
        {
            LogWatchdogIgnored(_logger, reason);
        }

        if (_environment.WatchdogInterval is not { } interval || !_notifier.IsEnabled)
        {
            return;
        }

        var period = interval / 2;
        LogWatchdogOn(_logger, interval.TotalSeconds, period.TotalSeconds, _heartbeatTimeout.TotalSeconds);
        var stalled = false;
        using var timer = new PeriodicTimer(period, _time);
        do
        {
            if (_heartbeats.TryFindStale(_heartbeatTimeout, out var name, out var silentFor))
            {
                if (!stalled)
                {
                    stalled = true;
                    LogStalled(_logger, name, silentFor.TotalSeconds);
                    _status.SetPhase(string.Create(CultureInfo.InvariantCulture, $"Stalled ({name} silent for {silentFor.TotalSeconds:0.#}s, watchdog withheld)"));
                }

                continue;
            }

            if (stalled)
            {
                stalled = false;
                LogRecovered(_logger);
                _status.SetPhase("Running");
            }

            _notifier.Notify(ServiceStates.Watchdog);
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "systemd watchdog on: timeout {TimeoutSeconds}s, pinging every {PeriodSeconds}s while every heartbeat is younger than {HeartbeatTimeoutSeconds}s")]
    private static partial void LogWatchdogOn(ILogger logger, double timeoutSeconds, double periodSeconds, double heartbeatTimeoutSeconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "systemd watchdog not used: {Reason}")]
    private static partial void LogWatchdogIgnored(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Heartbeat '{Component}' silent for {SilentSeconds:0.0}s: withholding the systemd watchdog ping so that systemd restarts the gateway")]
    private static partial void LogStalled(ILogger logger, string component, double silentSeconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Every heartbeat is fresh again: pinging the systemd watchdog again")]
    private static partial void LogRecovered(ILogger logger);
}
