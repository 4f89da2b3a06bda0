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
    public HeartbeatRegistry(TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(time);
        _time = time;
    }

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

    /// <summary>Records that the component is alive now.</summary>
    public void Beat() => Volatile.Write(ref _lastBeat, _registry.Now());

    /// <summary>Unregisters the heartbeat (the component stopped on purpose).</summary>
    public void Dispose() => _registry.Remove(this);
}
