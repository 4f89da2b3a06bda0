namespace Gateway.Commands;

/// <summary>
/// The deadlines of the commands still running, on one timer (issue 17, item 5: no timer per command). Every command
/// gets the same <c>Timeout</c>, so deadlines fall due in the order the commands were watched: a queue, and the timer
/// armed for its head. A command that finishes leaves the queue; one that outlasts its deadline has its token source
/// cancelled and is marked <see cref="Watch.Expired"/>. Commands that finish at once (most: ping, status, output.get)
/// are never watched at all. The timer is only armed while something is watched, so an idle gateway never wakes for it.
/// </summary>
internal sealed class CommandDeadlines : IDisposable
{
    private readonly Lock _lock = new();
    private readonly TimeProvider _time;
    private readonly long _timeoutTicks;
    private readonly LinkedList<Watch> _running = new();
    private readonly ITimer _timer;
    private bool _disposed;

    /// <summary>Deadlines <paramref name="timeout"/> after each watch starts, on <paramref name="time"/>'s clock and timer.</summary>
    public CommandDeadlines(TimeSpan timeout, TimeProvider time)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(timeout, TimeSpan.Zero);
        ArgumentNullException.ThrowIfNull(time);
        _time = time;
        _timeoutTicks = (long)Math.Ceiling(timeout.TotalSeconds * time.TimestampFrequency);
        _timer = time.CreateTimer(_ => Expire(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    /// <summary>How many commands are watched now.</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _running.Count;
            }
        }
    }

    /// <summary>
    /// Watches a running command: <paramref name="run"/> is cancelled when its deadline passes before the returned
    /// watch is disposed (dispose it when the command finishes, however it finishes).
    /// </summary>
    public Watch Start(CancellationTokenSource run)
    {
        ArgumentNullException.ThrowIfNull(run);
        var watch = new Watch(this, run, _time.GetTimestamp() + _timeoutTicks);
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            watch.Node = _running.AddLast(watch);
            if (_running.Count == 1)
            {
                Arm(watch.Deadline);
            }
        }

        return watch;
    }

    private void Stop(Watch watch)
    {
        lock (_lock)
        {
            if (watch.Node is { List: not null } node)
            {
                _running.Remove(node);
            }

            // The timer stays armed for a head that may be gone: it then finds nothing due, and re-arms or rests.
        }
    }

    // The timer's callback: cancels what is due (outside the lock: cancellation runs the command's continuations).
    private void Expire()
    {
        List<Watch>? due = null;
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            var now = _time.GetTimestamp();
            while (_running.First is { } head && head.Value.Deadline <= now)
            {
                _running.RemoveFirst();
                (due ??= []).Add(head.Value);
            }

            if (_running.First is { } next)
            {
                Arm(next.Value.Deadline);
            }
        }

        foreach (var watch in due ?? [])
        {
            watch.Expire();
        }
    }

    private void Arm(long deadline)
    {
        var wait = TimeSpan.FromSeconds(Math.Max(0, deadline - _time.GetTimestamp()) / (double)_time.TimestampFrequency);
        _timer.Change(wait, Timeout.InfiniteTimeSpan);
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        lock (_lock)
        {
            _disposed = true;
            _running.Clear();
        }

        _timer.Dispose();
    }

    /// <summary>One watched command.</summary>
    internal sealed class Watch : IDisposable
    {
        private readonly CommandDeadlines _owner;
        private readonly CancellationTokenSource _run;
        private volatile bool _expired;

        internal Watch(CommandDeadlines owner, CancellationTokenSource run, long deadline)
        {
            _owner = owner;
            _run = run;
            Deadline = deadline;
        }

        /// <summary>True once the deadline passed while the command was still running (its source is then cancelled).</summary>
        public bool Expired => _expired;

        internal long Deadline { get; }

        internal LinkedListNode<Watch>? Node { get; set; }

        internal void Expire()
        {
            _expired = true;
            try
            {
                _run.Cancel();
            }
            catch (ObjectDisposedException)
            {
                // the command finished and disposed its source between the timer's look and this cancel
            }
        }

        /// <summary>The command finished: stop watching it.</summary>
        public void Dispose() => _owner.Stop(this);
    }
}
