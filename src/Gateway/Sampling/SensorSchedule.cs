namespace Gateway.Sampling;

/// <summary>
/// When a sensor is due, as a pure function of its start time and interval: slot k is due at
/// <c>start + k·interval</c>, so the schedule never drifts however long each read takes. A read that overruns
/// its slot skips the slots it missed (they are counted) rather than bunching reads together to catch up.
/// </summary>
internal sealed class SensorSchedule
{
    private readonly DateTimeOffset _start;
    private long _slot;

    /// <summary>Creates a schedule whose first slot is due at <paramref name="start"/>.</summary>
    public SensorSchedule(DateTimeOffset start, TimeSpan interval)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(interval, TimeSpan.Zero);
        _start = start;
        Interval = interval;
    }

    /// <summary>The interval between slots.</summary>
    public TimeSpan Interval { get; private set; }

    /// <summary>Slots skipped because a read (or a backoff) ran past them.</summary>
    public long Skipped { get; private set; }

    /// <summary>When the current slot is due.</summary>
    public DateTimeOffset Due => _start + (Interval * _slot);

    /// <summary>
    /// Moves to the first slot at or after <paramref name="notBefore"/> — the end of a read, or the end of a retry
    /// backoff — and at least one slot on; slots passed over are counted as skipped.
    /// </summary>
    public DateTimeOffset Advance(DateTimeOffset notBefore)
    {
        var elapsed = notBefore - _start;
        var target = Math.Max(_slot + 1, (long)Math.Ceiling(elapsed.Ticks / (double)Interval.Ticks));
        Skipped += Math.Max(0, target - _slot - 1);
        _slot = target;
        return Due;
    }
}
