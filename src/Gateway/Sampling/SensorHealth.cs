namespace Gateway.Sampling;

/// <summary>How a sensor is doing.</summary>
internal enum HealthState
{
    /// <summary>The last read succeeded.</summary>
    Ok,

    /// <summary>Recent reads failed, but fewer than the threshold in a row; retried with backoff.</summary>
    Failing,

    /// <summary>Failed the threshold number of times in a row; still retried, at the longest backoff.</summary>
    Failed,
}

/// <summary>A change of a sensor's health, reported upstream like a reading ("sensor env failed: NACK at 0x76").</summary>
/// <param name="SensorId">The sensor.</param>
/// <param name="State">The new state.</param>
/// <param name="Message">What happened, e.g. the error of the read that failed.</param>
internal sealed record HealthChange(string SensorId, HealthState State, string Message);

/// <summary>
/// The health state machine of one sensor with retry backoff. Ok → Failing on an error; Failing → Failed after
/// <see cref="FailedAfter"/> consecutive errors; any success → Ok. While not Ok the next attempt waits
/// interval·2^(errors−1), capped at <see cref="MaxBackoff"/>. Pure: returns the change to report, if any.
/// </summary>
internal sealed class SensorHealth
{
    /// <summary>Consecutive errors after which a sensor counts as failed.</summary>
    public const int FailedAfter = 3;

    /// <summary>Longest wait between retries of a failing sensor.</summary>
    public static readonly TimeSpan MaxBackoff = TimeSpan.FromMinutes(5);

    private readonly string _sensorId;
    private readonly TimeSpan _interval;

    /// <summary>Creates the health of a sensor read every <paramref name="interval"/>; it starts Ok.</summary>
    public SensorHealth(string sensorId, TimeSpan interval)
    {
        _sensorId = sensorId;
        _interval = interval;
    }

    /// <summary>The current state.</summary>
    public HealthState State { get; private set; } = HealthState.Ok;

    /// <summary>Errors in a row.</summary>
    public int ConsecutiveErrors { get; private set; }

    /// <summary>The last error's message, or null when Ok.</summary>
    public string? LastError { get; private set; }

    /// <summary>Total errors since start.</summary>
    public long TotalErrors { get; private set; }

    /// <summary>How long to wait before the next attempt: the interval when Ok, the backoff otherwise.</summary>
    public TimeSpan NextDelay
    {
        get
        {
            if (ConsecutiveErrors == 0)
            {
                return _interval;
            }

            var factor = Math.Pow(2, Math.Min(ConsecutiveErrors - 1, 30));
            var ticks = Math.Min(_interval.Ticks * factor, MaxBackoff.Ticks);
            return TimeSpan.FromTicks(Math.Max(_interval.Ticks, (long)ticks));
        }
    }

    /// <summary>Records a successful read; returns the change when the sensor recovered.</summary>
    public HealthChange? Succeeded()
    {
        var was = State;
        ConsecutiveErrors = 0;
        LastError = null;
        State = HealthState.Ok;
        return was == HealthState.Ok ? null : new HealthChange(_sensorId, HealthState.Ok, "recovered");
    }

    /// <summary>Records a failed read; returns the change when the state moved.</summary>
    public HealthChange? Failed(string error)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(error);
        ConsecutiveErrors++;
        TotalErrors++;
        LastError = error;
        var next = ConsecutiveErrors >= FailedAfter ? HealthState.Failed : HealthState.Failing;
        if (next == State)
        {
            return null;
        }

        State = next;
        return new HealthChange(_sensorId, next, error);
    }
}
