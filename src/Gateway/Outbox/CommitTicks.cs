namespace Gateway.Outbox;

/// <summary>
/// The outbox's commit ticks: instants one commit interval apart, counted on the monotonic timestamp from the
/// committing task's start. A reading that arrives between two ticks commits at the next one, so it waits at most one
/// interval, however long the task slept before it arrived.
/// </summary>
/// <param name="Origin">The timestamp of the first tick (<see cref="TimeProvider.GetTimestamp"/>).</param>
/// <param name="Interval">The commit interval.</param>
/// <param name="Frequency">Timestamp units per second (<see cref="TimeProvider.TimestampFrequency"/>).</param>
internal readonly record struct CommitTicks(long Origin, TimeSpan Interval, long Frequency)
{
    /// <summary>How long from <paramref name="now"/> to the next tick after it (a whole interval when on a tick).</summary>
    public TimeSpan UntilNext(long now)
    {
        var period = Math.Max(1, (long)(Interval.Ticks * (Frequency / (double)TimeSpan.TicksPerSecond)));
        var into = (now - Origin) % period;
        if (into < 0)
        {
            into += period; // a timestamp before the origin (a clock that moved back in a test)
        }

        return TimeSpan.FromSeconds((period - into) / (double)Frequency);
    }
}
