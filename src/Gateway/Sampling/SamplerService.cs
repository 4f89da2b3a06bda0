using System.Device.Gpio;
using System.Globalization;
using Gateway.Configuration;
using Gateway.Hardware.Devices.DigitalInput;
using Gateway.Hardware.Sensors;
using Gateway.Health;
using Gateway.Status;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Gateway.Sampling;

/// <summary>
/// Runs one <see cref="SensorLoop"/> per configured sensor and supervises them: beats the <c>pipeline</c>
/// heartbeat every <see cref="HeartbeatRegistry.BeatPeriod"/> while no loop is stuck in a read past its timeout, and keeps the sensor figures on the
/// status board. <c>Gateway:Diagnostics:StallPipelineAfter</c> freezes the supervisor on purpose so that the
/// systemd watchdog's reaction can be proven.
/// </summary>
internal sealed partial class SamplerService : BackgroundService
{
    /// <summary>How long one read may take before it is cut off and counted as a timeout.</summary>
    public static readonly TimeSpan ReadTimeout = TimeSpan.FromSeconds(5);

    private readonly GatewayOptions _options;
    private readonly ISensorFactory _factory;
    private readonly IReadingSink _sink;
    private readonly HeartbeatRegistry _heartbeats;
    private readonly StatusBoard _status;
    private readonly TimeProvider _time;
    private readonly ILogger<SamplerService> _logger;
    private readonly SensorLoop[] _loops;

    /// <summary>Creates the service.</summary>
    /// <param name="options">The sensors.</param>
    /// <param name="factory">Creates their bindings.</param>
    /// <param name="sink">Where readings go.</param>
    /// <param name="heartbeats">The pipeline's heartbeat is registered here.</param>
    /// <param name="status">Where the sensors' summary is set.</param>
    /// <param name="time">The clock of the heartbeat and the status.</param>
    /// <param name="loggers">Loggers.</param>
    /// <param name="sampling">The clock of the sensor loops' slots (<paramref name="time"/> when null); the gateway gives
    /// them <see cref="Timing.SchedulerTimeProvider.Sampling"/>, whose thread runs them, and keeps the heartbeat on
    /// <paramref name="time"/>, so that a read stuck on that thread still stops the heartbeat.</param>
    public SamplerService(
        GatewayOptions options, ISensorFactory factory, IReadingSink sink, HeartbeatRegistry heartbeats, StatusBoard status, TimeProvider time, ILoggerFactory loggers,
        TimeProvider? sampling = null)
    {
        _options = options;
        _factory = factory;
        _sink = sink;
        _heartbeats = heartbeats;
        _status = status;
        _time = time;
        _logger = loggers.CreateLogger<SamplerService>();

        // Made here, not when the service runs: status, commands and the activity summary read the loops while the
        // host starts, on other threads (BackgroundService runs ExecuteAsync on the thread pool), so the list must be
        // complete and never change once anyone can see it.
        var loopLogger = loggers.CreateLogger<SensorLoop>();
        _loops = [.. options.Sensors.Select(sensor => new SensorLoop(
            sensor.Id, sensor.Interval, () => Create(sensor), new ReportFilter(sensor.Deadbands, sensor.MaxSilence), sink, sampling ?? time, ReadTimeout, loopLogger))];
    }

    /// <summary>The loops, one per sensor (for status and commands).</summary>
    public IReadOnlyList<SensorLoop> Loops => _loops;

    /// <inheritdoc/>
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        foreach (var sensor in _options.Sensors)
        {
            LogSensor(_logger, sensor.Id, sensor.Type, sensor.Location, sensor.Interval.TotalSeconds);
        }

        var running = _loops.Select(l => Task.Run(() => l.RunAsync(stoppingToken), CancellationToken.None)).ToList();
        using var heartbeat = _heartbeats.Register("pipeline");
        var started = _time.GetTimestamp();
        if (_options.Diagnostics.StallPipelineAfter is { } armed)
        {
            LogStallArmed(_logger, armed.TotalSeconds);
        }

        using var timer = new PeriodicTimer(heartbeat.Period, _time);
        try
        {
            do
            {
                if (_options.Diagnostics.StallPipelineAfter is { } after && _time.GetElapsedTime(started) >= after)
                {
                    LogStalledOnPurpose(_logger);
                    await Task.Delay(Timeout.InfiniteTimeSpan, _time, stoppingToken).ConfigureAwait(false);
                }

                if (FindStuck() is { } stuck)
                {
                    LogStuck(_logger, stuck.Id, stuck.ReadingFor!.Value.TotalSeconds);
                }
                else
                {
                    heartbeat.Beat();
                }

                UpdateStatus();
            }
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // stopping
        }

        await Task.WhenAll(running).ConfigureAwait(false);
    }

    // Creates the binding; a digital input with ReportEdges also turns every edge into a state reading at once.
    private ISensor Create(SensorOptions sensor)
    {
        var created = _factory.Create(sensor);
        if (sensor.ReportEdges && created is DigitalInput input)
        {
            input.Changed += (_, e) => _sink.Accept(new SampledReading(
                sensor.Id, "state", e.ChangeType == PinEventTypes.Rising ? 1 : 0, Units.None, _time.GetUtcNow()));
        }

        return created;
    }

    // A loop whose read has outlived its timeout by a wide margin is stuck in code that ignores cancellation.
    private SensorLoop? FindStuck() => _loops.FirstOrDefault(l => l.ReadingFor > ReadTimeout * 3);

    private void UpdateStatus()
    {
        if (_loops.Length == 0)
        {
            _status.SetFact("sensors", "no sensors configured");
            return;
        }

        var failing = _loops.Count(l => l.State != HealthState.Ok);
        _status.SetFact("sensors", failing == 0
            ? string.Create(CultureInfo.InvariantCulture, $"{_loops.Length} sensors")
            : string.Create(CultureInfo.InvariantCulture, $"{_loops.Length} sensors ({failing} failing: {string.Join(", ", _loops.Where(l => l.State != HealthState.Ok).Select(l => l.Id))})"));
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Sensor {SensorId}: {Type} at {Location}, every {IntervalSeconds}s")]
    private static partial void LogSensor(ILogger logger, string sensorId, SensorType type, string location, double intervalSeconds);

    [LoggerMessage(Level = LogLevel.Error, Message = "Sensor {SensorId} has been reading for {Seconds:0.0}s, past its timeout: not beating the pipeline heartbeat")]
    private static partial void LogStuck(ILogger logger, string sensorId, double seconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Fault injection (Gateway:Diagnostics:StallPipelineAfter): the pipeline will stall {Seconds}s after start; never use this in production")]
    private static partial void LogStallArmed(ILogger logger, double seconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Fault injection: the pipeline has stalled on purpose and no longer beats")]
    private static partial void LogStalledOnPurpose(ILogger logger);
}

/// <summary>Creates the binding for a configured sensor on the board the gateway runs on.</summary>
internal interface ISensorFactory
{
    /// <summary>Creates the sensor; throws a hardware error when the device cannot be opened (the loop retries).</summary>
    ISensor Create(SensorOptions sensor);
}
