using System.Diagnostics;

namespace Gateway.Timing;

/// <summary>
/// A <see cref="TimeProvider"/> whose timers are kept by one thread of its own ("Gateway timers") that sleeps until the
/// earliest due time on the monotonic clock and hands each due callback to the thread pool, or, made with
/// <c>inlineCallbacks</c>, runs it itself. Clocks are the system's.
/// </summary>
/// <remarks>
/// Why not <see cref="TimeProvider.System"/>: the runtime's timer thread measures due times on a coarse clock
/// (<c>CLOCK_MONOTONIC_COARSE</c>, one scheduler tick: 4 ms at HZ=250), so it wakes at a precise deadline, finds the
/// timer "not yet due" and waits again, two or three wake-ups per timer; and it wakes whenever a timer is added or
/// changed. On a Pi every wake-up of an idle service is CPU (issue 15: the timer thread was half of the gateway's idle
/// CPU). Here a timer costs one wake-up when it is due, and adding one later than the next due time costs none.
/// Callbacks run on the thread pool under the execution context of the code that created the timer, as the system
/// timers' do; a periodic timer's next due time counts from its firing, so a slow callback may overlap the next.
/// <para>
/// With <c>inlineCallbacks</c> the thread runs the due callbacks itself, one after another, and with them whatever an
/// awaiting method does after its <see cref="Task.Delay(TimeSpan, TimeProvider, CancellationToken)"/> until its next
/// wait (a completed delay runs its continuation on the completing thread): a timer event costs one thread waking, not
/// three (this thread, a pool worker, and the second worker the pool wakes for every item it dequeues), and no
/// cross-CPU wake-up, which is what an idle service's CPU is made of (issue 15; docs/benchmarks.md, "Idle CPU"). A
/// callback that blocks holds every later timer of this provider behind it, so such a provider is for one component's
/// own timers (the sampler and the board it reads: <see cref="Sampling"/>), never for the process's.
/// </para>
/// </remarks>
internal sealed class SchedulerTimeProvider : TimeProvider
{
    private readonly object _gate = new(); // guards the queue; the thread waits on it (Monitor.Wait)
    private readonly PriorityQueue<Entry, long> _due = new();
    private readonly string _threadName;
    private readonly bool _inline;
    private Thread? _thread;
    private long _sleepingUntil = long.MinValue; // the due time the thread sleeps until (Stopwatch ticks): MaxValue none, MinValue awake
    private long _wakeUps;

    /// <summary>Creates the provider; its thread starts with the first timer.</summary>
    /// <param name="threadName">The thread's name (<c>/proc/&lt;pid&gt;/task/*/comm</c> shows its first 15 characters).</param>
    /// <param name="inlineCallbacks">Run the callbacks on the provider's own thread instead of the thread pool; only for
    /// callbacks (and continuations of delays) that never block for long.</param>
    public SchedulerTimeProvider(string threadName = "Gateway timers", bool inlineCallbacks = false)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(threadName);
        _threadName = threadName;
        _inline = inlineCallbacks;
    }

    /// <summary>The provider of the process's timers (one thread keeps them; callbacks run on the thread pool).</summary>
    public static SchedulerTimeProvider Shared { get; } = new();

    /// <summary>
    /// The sampler's provider ("Gateway sampler", callbacks inline): the sensor loops' slots, the bindings' conversion
    /// waits and the simulated board's edge pump run on its thread. What they do synchronously is short (an I2C
    /// transfer, a GPIO read, a reading handed to the outbox); what may block long leaves the thread (a DS18B20's
    /// <c>w1_slave</c> read is asynchronous file I/O, a catalogue binding runs on the thread pool).
    /// </summary>
    public static SchedulerTimeProvider Sampling { get; } = new("Gateway sampler", inlineCallbacks: true);

    /// <summary>Whether callbacks run on the provider's own thread.</summary>
    public bool InlineCallbacks => _inline;

    /// <summary>Timers waiting to fire (for tests and diagnostics).</summary>
    public int Pending
    {
        get
        {
            lock (_gate)
            {
                return _due.Count;
            }
        }
    }

    /// <summary>How often the thread has woken up (a due timer, an earlier timer set, or a spurious wake-up).</summary>
    public long WakeUps
    {
        get
        {
            lock (_gate)
            {
                return _wakeUps;
            }
        }
    }

    /// <inheritdoc/>
    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        ArgumentNullException.ThrowIfNull(callback);
        var timer = new Entry(this, callback, state, ExecutionContext.Capture());
        timer.Change(dueTime, period);
        return timer;
    }

    // Converts a TimeSpan to Stopwatch ticks without overflow (anything past ~29 years counts as never).
    private static long ToTicks(TimeSpan span) =>
        span.TotalSeconds >= TimeSpan.FromDays(10_000).TotalSeconds ? long.MaxValue : (long)(span.TotalSeconds * Stopwatch.Frequency);

    private static void Validate(TimeSpan span, string name)
    {
        // The same bounds as System.Threading.Timer: -1 ms (infinite) up to 0xfffffffe ms.
        var ms = (long)span.TotalMilliseconds;
        if (ms < -1 || ms > 0xfffffffe)
        {
            throw new ArgumentOutOfRangeException(name, span, "a timer's due time and period are -1 ms (infinite) or 0 to 4294967294 ms");
        }
    }

    private bool Schedule(Entry timer, TimeSpan dueTime, TimeSpan period)
    {
        Validate(dueTime, nameof(dueTime));
        Validate(period, nameof(period));
        lock (_gate)
        {
            if (timer.Disposed)
            {
                return false;
            }

            _due.Remove(timer, out _, out _, ReferenceEqualityComparer.Instance);
            timer.Period = period == Timeout.InfiniteTimeSpan || period == TimeSpan.Zero ? 0 : Math.Max(1, ToTicks(period));
            if (dueTime != Timeout.InfiniteTimeSpan)
            {
                var at = Saturating(Stopwatch.GetTimestamp(), ToTicks(dueTime));
                _due.Enqueue(timer, at);
                _thread ??= Start();
                if (at < _sleepingUntil)
                {
                    Monitor.Pulse(_gate); // due before the thread would wake: wake it to sleep less
                }
            }
        }

        return true;
    }

    private void Remove(Entry timer)
    {
        lock (_gate)
        {
            timer.Disposed = true;
            _due.Remove(timer, out _, out _, ReferenceEqualityComparer.Instance);
        }
    }

    private Thread Start()
    {
        var thread = new Thread(Run) { IsBackground = true, Name = _threadName };
        thread.Start();
        return thread;
    }

    private static long Saturating(long a, long b) => b == long.MaxValue || a > long.MaxValue - b ? long.MaxValue : a + b;

    private void Run()
    {
        var fire = new List<Entry>();
        while (true)
        {
            lock (_gate)
            {
                while (true)
                {
                    var now = Stopwatch.GetTimestamp();
                    while (_due.TryPeek(out var timer, out var at) && at <= now)
                    {
                        _due.Dequeue();
                        if (timer.Period > 0)
                        {
                            _due.Enqueue(timer, Saturating(now, timer.Period));
                        }

                        fire.Add(timer);
                    }

                    if (fire.Count > 0)
                    {
                        _sleepingUntil = long.MinValue; // awake: a timer set meanwhile is looked at before the next sleep
                        break;
                    }

                    _sleepingUntil = _due.TryPeek(out _, out var next) ? next : long.MaxValue;
                    var wait = _sleepingUntil == long.MaxValue
                        ? Timeout.Infinite
                        : (int)Math.Min(int.MaxValue - 1, ((_sleepingUntil - now) * 1000 + Stopwatch.Frequency - 1) / Stopwatch.Frequency); // rounded up: never early
                    Monitor.Wait(_gate, wait);
                    _wakeUps++;
                }
            }

            foreach (var timer in fire)
            {
                if (_inline)
                {
                    timer.Execute(); // what it throws ends the process, as a timer callback's does on the pool
                }
                else
                {
                    ThreadPool.UnsafeQueueUserWorkItem(timer, preferLocal: false);
                }
            }

            fire.Clear();
        }
    }

    private sealed class Entry(SchedulerTimeProvider owner, TimerCallback callback, object? state, ExecutionContext? context) : ITimer, IThreadPoolWorkItem
    {
        private static readonly ContextCallback RunCallback = static s => ((Entry)s!).Invoke();

        public long Period { get; set; }

        public bool Disposed { get; set; }

        public bool Change(TimeSpan dueTime, TimeSpan period) => owner.Schedule(this, dueTime, period);

        public void Dispose() => owner.Remove(this);

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }

        public void Execute()
        {
            if (Disposed)
            {
                return;
            }

            if (context is null)
            {
                Invoke();
            }
            else
            {
                ExecutionContext.Run(context, RunCallback, this);
            }
        }

        private void Invoke() => callback(state);
    }
}
