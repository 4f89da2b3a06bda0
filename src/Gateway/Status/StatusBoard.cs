namespace Gateway.Status;

/// <summary>
/// The one-line status the gateway shows (systemd's <c>STATUS=</c>, <c>systemctl status</c>): a phase such as
/// "Running" followed by the facts components contribute, e.g. "Running: pi-01, Simulated hardware, outbox 0 pending".
/// </summary>
internal sealed class StatusBoard
{
    private readonly Lock _lock = new();
    private readonly List<KeyValuePair<string, string>> _facts = [];
    private string _phase = "Starting";
    private string _line = "Starting";

    /// <summary>Raised with the new line whenever it changes.</summary>
    public event Action<string>? Changed;

    /// <summary>The current status line.</summary>
    public string Line
    {
        get
        {
            lock (_lock)
            {
                return _line;
            }
        }
    }

    /// <summary>Sets the phase, e.g. "Running", "Stopping" or "Stalled (…)".</summary>
    public void SetPhase(string phase)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(phase);
        Update(() => _phase = phase);
    }

    /// <summary>Sets (or replaces) the fact a component contributes; facts keep the order they were first set in.</summary>
    public void SetFact(string component, string fact)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(component);
        ArgumentNullException.ThrowIfNull(fact);
        Update(() =>
        {
            var i = _facts.FindIndex(f => f.Key == component);
            if (i < 0)
            {
                _facts.Add(new(component, fact));
            }
            else
            {
                _facts[i] = new(component, fact);
            }
        });
    }

    // Subscribers are told inside the lock so that they see the changes in the order they were made.
    private void Update(Action change)
    {
        lock (_lock)
        {
            change();
            var line = _facts.Count == 0 ? _phase : _phase + ": " + string.Join(", ", _facts.Select(f => f.Value).Where(v => v.Length > 0));
            if (line == _line)
            {
                return;
            }

            _line = line;
            Changed?.Invoke(line);
        }
    }
}
