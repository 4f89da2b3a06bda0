using Gateway.Hardware;
using Gateway.Hardware.Sensors;
using Microsoft.Extensions.Logging;

namespace Gateway.Sampling;

/// <summary>
/// Reads one sensor on its schedule, forever: waits for the slot, reads with a timeout, filters by deadband,
/// delivers to the sink, tracks health with retry backoff. The sensor is (re)created by its factory when it is
/// missing or after it failed to be created, so a sensor absent at start is retried like any failing one.
/// Each sensor has its own loop, so a sensor slow to answer (a conversion wait, a 1-Wire read, a retry backoff)
/// never delays the others. In the gateway the loops run on the sampler's thread
/// (<see cref="Timing.SchedulerTimeProvider.Sampling"/>): what a binding does synchronously between its waits (an I2C
/// transfer, a GPIO read) is short, and a binding that may block long runs its read on the thread pool (the catalogue's).
/// </summary>
#pragma warning disable CA1001 // _gate: a SemaphoreSlim whose wait handle is never used holds nothing to dispose
internal sealed partial class SensorLoop
#pragma warning restore CA1001
{
    private readonly string _id;
    private readonly Func<ISensor> _factory;
    private readonly IReadingSink _sink;
    private readonly TimeProvider _time;
    private readonly TimeSpan _readTimeout;
    private readonly ILogger _logger;
    private readonly ReportFilter _filter;
    private readonly SensorHealth _health;
    private readonly SemaphoreSlim _gate = new(1, 1); // one read (scheduled or on request) or reconfiguration at a time
    private TimeSpan _interval;
    private CancellationTokenSource? _wake;
    private long _readStarted; // timestamp while a read is in progress, 0 otherwise

    /// <summary>Creates the loop; <see cref="RunAsync"/> starts it.</summary>
    public SensorLoop(string id, TimeSpan interval, Func<ISensor> factory, ReportFilter filter, IReadingSink sink, TimeProvider time, TimeSpan readTimeout, ILogger logger)
    {
        _id = id;
        _interval = interval;
        _factory = factory;
        _filter = filter;
        _sink = sink;
        _time = time;
        _readTimeout = readTimeout;
        _logger = logger;
        _health = new SensorHealth(id, interval);
    }

    /// <summary>The sensor's id.</summary>
    public string Id => _id;

    /// <summary>The sensor's health.</summary>
    public HealthState State => _health.State;

    /// <summary>The last error, or null when healthy.</summary>
    public string? LastError => _health.LastError;

    /// <summary>The interval between scheduled reads.</summary>
    public TimeSpan Interval => Interlocked.Read(ref _newIntervalTicks) is var t and > 0 ? TimeSpan.FromTicks(t) : _interval;

    /// <summary>The deadbands in force (copy).</summary>
    public IReadOnlyDictionary<string, double> Deadbands => new Dictionary<string, double>(_filter.Deadbands);

    /// <summary>Successful reads.</summary>
    public long Reads { get; private set; }

    /// <summary>Measurements the successful reads gave (before the deadband: what was sampled, not what was stored).</summary>
    public long Sampled { get; private set; }

    /// <summary>Failed reads.</summary>
    public long Failures { get; private set; }

    /// <summary>Slots skipped because a read or a backoff ran past them.</summary>
    public long Skipped => _schedule?.Skipped ?? 0;

    /// <summary>How long the current read has been running, or null when the loop is not reading.</summary>
    public TimeSpan? ReadingFor
    {
        get
        {
            var started = Volatile.Read(ref _readStarted);
            return started == 0 ? null : _time.GetElapsedTime(started);
        }
    }

    private SensorSchedule? _schedule;
    private ISensor? _sensor;

    /// <summary>Runs until <paramref name="stoppingToken"/> is cancelled; never throws for sensor faults.</summary>
    public async Task RunAsync(CancellationToken stoppingToken)
    {
        _schedule = new SensorSchedule(_time.GetUtcNow(), _interval);
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                var wait = _schedule.Due - _time.GetUtcNow();
                if (wait > TimeSpan.Zero)
                {
                    // A new interval set at run time wakes the loop, so a shorter one takes effect at once.
                    using var wake = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
                    Volatile.Write(ref _wake, wake);
                    try
                    {
                        if (Interlocked.Read(ref _newIntervalTicks) == 0)
                        {
                            // Task.Delay counts whole milliseconds and returns at once for less than one: rounded up,
                            // the read never starts before its slot.
                            await Task.Delay(RoundUpToMillisecond(wait), _time, wake.Token).ConfigureAwait(false);
                        }
                    }
                    catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
                    {
                    }
                    finally
                    {
                        Volatile.Write(ref _wake, null);
                    }
                }

                if (Interlocked.Exchange(ref _newIntervalTicks, 0) is var ticks and > 0)
                {
                    _interval = TimeSpan.FromTicks(ticks);
                    _schedule = new SensorSchedule(_time.GetUtcNow(), _interval);
                    continue;
                }

                var due = _schedule.Due;
                await _gate.WaitAsync(stoppingToken).ConfigureAwait(false);
                try
                {
                    await ReadOnceAsync(stoppingToken).ConfigureAwait(false);
                }
                finally
                {
                    _gate.Release();
                }

                // Healthy: the next slot (or the first one after an overrun). Failing: not before the backoff has passed.
                // Never in the millisecond this read was stamped in: readings travel with millisecond timestamps, and a
                // time-series database keeps one point per series and time, so a second sample of the sensor in the
                // same millisecond (an overrun ending just before a slot) would silently replace the first there.
                _schedule.Advance(Max(NextMillisecond(_time.GetUtcNow()), due + _health.NextDelay));
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // stopping
        }
        finally
        {
            _sensor?.Dispose();
        }
    }

    private long _newIntervalTicks;

    /// <summary>Changes the interval at run time: the schedule restarts now with the new interval.</summary>
    public void SetInterval(TimeSpan interval)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(interval, TimeSpan.Zero);
        Interlocked.Exchange(ref _newIntervalTicks, interval.Ticks);
        try
        {
            Volatile.Read(ref _wake)?.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // the loop woke on its own meanwhile and will see the new interval
        }
    }

    /// <summary>Sets the deadband of <paramref name="quantity"/> (0 removes it), between reads.</summary>
    public async Task SetDeadbandAsync(string quantity, double deadband, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            _filter.SetDeadband(quantity, deadband);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Reads the sensor now, between scheduled reads (a <c>sensor.read</c> command): the values go through the
    /// deadband to the sink like any reading and are returned whether reported or not.
    /// </summary>
    public async Task<ReadOutcome> ReadNowAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await ReadOnceAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>What one read gave: the measurements, or the error.</summary>
    public readonly record struct ReadOutcome(IReadOnlyList<Measurement>? Values, string? Error, DateTimeOffset At);

    /// <summary>One attempt: create the sensor if needed, read it, deliver the values or record the failure.</summary>
    internal async Task<ReadOutcome> ReadOnceAsync(CancellationToken stoppingToken)
    {
        HealthChange? change;
        ReadOutcome outcome = default; // stays default only when the gateway stops mid-read
        Volatile.Write(ref _readStarted, _time.GetTimestamp());
        try
        {
            _sensor ??= _factory();
            // The timeout runs on the loop's clock: CancelAfter would set a runtime timer, waking the runtime's timer
            // thread at every read (issue 15); on the sampler's clock, setting it from the sampler's thread wakes nobody.
            using var timeout = new CancellationTokenSource(_readTimeout, _time);
            using var stopping = stoppingToken.UnsafeRegister(static s => ((CancellationTokenSource)s!).Cancel(), timeout);
            IReadOnlyList<Measurement> measurements;
            try
            {
                measurements = await _sensor.ReadAsync(timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
            {
                throw new BusTimeoutException($"{_sensor.Description}: no answer within {_readTimeout.TotalSeconds:0.#}s");
            }

            var at = _time.GetUtcNow();
            if (_health.State != HealthState.Ok)
            {
                _filter.Reset(); // a recovered sensor reports fresh values even inside the deadband
            }

            foreach (var m in measurements)
            {
                if (_filter.ShouldReport(m.Quantity, m.Value, at))
                {
                    _sink.Accept(new SampledReading(_id, m.Quantity, m.Value, m.Unit, at));
                }
            }

            Reads++;
            Sampled += measurements.Count;
            change = _health.Succeeded();
            outcome = new ReadOutcome(measurements, null, at);
        }
        catch (Exception ex) when (ex is HardwareException or IOException or ArgumentException or InvalidOperationException or NotSupportedException or UnauthorizedAccessException)
        {
            Failures++;
            change = _health.Failed(ex.Message);
            outcome = new ReadOutcome(null, ex.Message, _time.GetUtcNow());
            if (ex is not HardwareException)
            {
                // Not a bus fault: the sensor object may be unusable (e.g. configuration does not fit the chip); start over.
                _sensor?.Dispose();
                _sensor = null;
            }

            if (change is null)
            {
                LogStillFailing(_logger, _id, _health.ConsecutiveErrors, ex.Message);
            }
        }
        finally
        {
            var started = Volatile.Read(ref _readStarted);
            Volatile.Write(ref _readStarted, 0);
            if (Metrics.GatewayMeter.SensorReadDuration.Enabled && (outcome.Values is not null || outcome.Error is not null))
            {
                Metrics.GatewayMeter.SensorReadDuration.Record(
                    _time.GetElapsedTime(started).TotalSeconds,
                    new KeyValuePair<string, object?>("sensor", _id),
                    new KeyValuePair<string, object?>("outcome", outcome.Error is null ? "ok" : "error"));
            }
        }

        if (change is not null)
        {
            if (change.State == HealthState.Ok)
            {
                LogRecovered(_logger, _id);
            }
            else
            {
                LogHealthChanged(_logger, _id, change.State, change.Message, _health.NextDelay.TotalSeconds);
            }

            _sink.AcceptHealth(change, _time.GetUtcNow());
        }

        return outcome;
    }

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;

    // The start of the millisecond after the one t is in.
    private static DateTimeOffset NextMillisecond(DateTimeOffset t) =>
        new DateTimeOffset(t.Ticks - (t.Ticks % TimeSpan.TicksPerMillisecond), t.Offset).AddMilliseconds(1);

    private static TimeSpan RoundUpToMillisecond(TimeSpan span) =>
        TimeSpan.FromTicks((span.Ticks + TimeSpan.TicksPerMillisecond - 1) / TimeSpan.TicksPerMillisecond * TimeSpan.TicksPerMillisecond);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Sensor {SensorId} is {State}: {Error}; next attempt in {RetrySeconds}s")]
    private static partial void LogHealthChanged(ILogger logger, string sensorId, HealthState state, string error, double retrySeconds);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Sensor {SensorId} still failing ({Errors} in a row): {Error}")]
    private static partial void LogStillFailing(ILogger logger, string sensorId, int errors, string error);

    [LoggerMessage(Level = LogLevel.Information, Message = "Sensor {SensorId} recovered")]
    private static partial void LogRecovered(ILogger logger, string sensorId);
}
