namespace Gateway.Links;

/// <summary>
/// When a listener connection counts as idle: <see cref="Timeout"/> after its last valid message. Only a message the
/// session takes counts (<see cref="MarkActive"/>); empty lines and lines that fail to parse do not, so a peer cannot
/// hold a connection slot by trickling newlines (issue 14, finding 8). Pure given the time provider.
/// </summary>
internal sealed class IdleDeadline
{
    private readonly TimeProvider _time;
    private long _lastActive;

    /// <summary>Starts the clock now.</summary>
    public IdleDeadline(TimeSpan timeout, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(time);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(timeout, TimeSpan.Zero);
        Timeout = timeout;
        _time = time;
        _lastActive = time.GetTimestamp();
    }

    /// <summary>How long a connection may go without a valid message.</summary>
    public TimeSpan Timeout { get; }

    /// <summary>Time left before the connection is idle; zero or less: it is.</summary>
    public TimeSpan Remaining => Timeout - _time.GetElapsedTime(Volatile.Read(ref _lastActive));

    /// <summary>A valid message arrived: the clock starts over.</summary>
    public void MarkActive() => Volatile.Write(ref _lastActive, _time.GetTimestamp());
}
