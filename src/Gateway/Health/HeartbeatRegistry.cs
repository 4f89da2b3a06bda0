namespace Gateway.Health;

/// <summary>
/// The components that must keep beating for the gateway to count as alive. The systemd watchdog is pinged
/// only while every registered heartbeat is fresh, so a stalled pipeline gets the service restarted.
/// </summary>
internal sealed class HeartbeatRegistry
{
    private readonly TimeProvider _time;
    private readonly Lock _lock = new();
    private readonly List<Heartbeat> _heartbeats = [];

    /// <summary>Creates a registry that reads time from <paramref name="time"/>.</summary>
    /// <param name="time">The clock.</param>
    /// <param name="timeout">How long a heartbeat may be silent (<c>Gateway:Watchdog:HeartbeatTimeout</c>); sets <see cref="BeatPeriod"/>.</param>
    public HeartbeatRegistry(TimeProvider time, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(time);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(timeout, TimeSpan.Zero);
        _time = time;
        BeatPeriod = PeriodFor(timeout);
    }

    /// <summary>
    /// How often a component with nothing else to do beats: a quarter of the heartbeat timeout, from 250 ms to 5 s
    /// (2.5 s with the default 10 s), so three beats in a row can be late before it counts as stale. Each beat of an
    /// idle component is a timer and a thread-pool wake-up, which a Pi pays for at idle.
    /// </summary>
    public TimeSpan BeatPeriod { get; }

    /// <summary>The beat period for a heartbeat timeout (see <see cref="BeatPeriod"/>).</summary>
    public static TimeSpan PeriodFor(TimeSpan timeout) =>
        TimeSpan.FromTicks(Math.Clamp(timeout.Ticks / 4, TimeSpan.FromMilliseconds(250).Ticks, TimeSpan.FromSeconds(5).Ticks));

    /// <summary>Registers a component; it counts as having beaten now. Dispose the heartbeat to unregister.</summary>
    public Heartbeat Register(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        var heartbeat = new Heartbeat(this, name);
        lock (_lock)
        {
            _heartbeats.Add(heartbeat);
        }

        return heartbeat;
    }

    /// <summary>
    /// Finds the heartbeat that has been silent longest, if it has been silent for more than <paramref name="timeout"/>.
    /// </summary>
    public bool TryFindStale(TimeSpan timeout, out string name, out TimeSpan silentFor)
    {
        var now = _time.GetTimestamp();
        name = string.Empty;
        silentFor = TimeSpan.Zero;
        lock (_lock)
        {
            foreach (var heartbeat in _heartbeats)
            {
                var age = _time.GetElapsedTime(heartbeat.LastBeat, now);
                if (age > timeout && age > silentFor)
                {
                    name = heartbeat.Name;
                    silentFor = age;
                }
            }
        }

        return silentFor > TimeSpan.Zero;
    }

    internal long Now() => _time.GetTimestamp();

    internal void Remove(Heartbeat heartbeat)
    {
        lock (_lock)
        {
            _heartbeats.Remove(heartbeat);
        }
    }
}

/// <summary>One component's heartbeat: call <see cref="Beat"/> each time the component completes a cycle.</summary>
internal sealed class Heartbeat : IDisposable
{
    private readonly HeartbeatRegistry _registry;
    private long _lastBeat;

    internal Heartbeat(HeartbeatRegistry registry, string name)
    {
        _registry = registry;
        Name = name;
        _lastBeat = registry.Now();
    }

    /// <summary>The component's name, used in status lines and logs.</summary>
    public string Name { get; }

    internal long LastBeat => Volatile.Read(ref _lastBeat);

    /// <summary>How often the component should beat when it has nothing else to do (<see cref="HeartbeatRegistry.BeatPeriod"/>).</summary>
    public TimeSpan Period => _registry.BeatPeriod;

    /// <summary>Records that the component is alive now.</summary>
    public void Beat() => Volatile.Write(ref _lastBeat, _registry.Now());

    /// <summary>Unregisters the heartbeat (the component stopped on purpose).</summary>
    public void Dispose() => _registry.Remove(this);
}
