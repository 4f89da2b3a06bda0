using Gateway.Hardware.Remote;

namespace Gateway.FirmwareSim.Faults;

/// <summary>
/// The faults active on the simulated board, injected live (the control API, the firmware-sim CLI) or timed by the
/// scenario. Devices ask <see cref="Active"/> on every transaction; expiry is judged by the board's clock.
/// </summary>
public sealed class FaultController : IFaultControl
{
    private readonly TimeProvider _time;
    private readonly Func<string, bool> _isTarget;
    private readonly Lock _lock = new();
    private readonly List<(FaultSpec Spec, DateTimeOffset From, DateTimeOffset? Until)> _faults = [];

    /// <summary>Creates the controller; <paramref name="isTarget"/> says whether a name is a device of the board.</summary>
    public FaultController(TimeProvider time, Func<string, bool> isTarget)
    {
        _time = time;
        _isTarget = isTarget;
    }

    /// <summary>Injects a fault; returns a description.</summary>
    /// <exception cref="FormatException">Not a fault, or the target is not on the board.</exception>
    public string Inject(string fault)
    {
        var spec = FaultSpec.Parse(fault);
        Add(spec, _time.GetUtcNow());
        return $"injected {spec}";
    }

    /// <summary>Adds a parsed fault active from <paramref name="from"/> (scenario faults are added ahead of time).</summary>
    public void Add(FaultSpec spec, DateTimeOffset from)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (!_isTarget(spec.Target))
        {
            throw new FormatException($"'{spec.Target}' is not a device of this board (use a device name or type from the scenario, or gpioN)");
        }

        lock (_lock)
        {
            _faults.RemoveAll(f => f.Spec.Target == spec.Target && f.Spec.Kind == spec.Kind);
            _faults.Add((spec, from, spec.Duration is { } d ? from + d : null));
        }
    }

    /// <inheritdoc/>
    public string Clear(string target)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(target);
        var t = target.Trim().ToLowerInvariant();
        lock (_lock)
        {
            var removed = t == "all" ? _faults.RemoveAll(_ => true) : _faults.RemoveAll(f => f.Spec.Target == t);
            return removed == 0 ? $"no fault on {t}" : $"cleared {removed} fault(s) on {t}";
        }
    }

    /// <inheritdoc/>
    public IReadOnlyList<string> ActiveFaults
    {
        get
        {
            var now = _time.GetUtcNow();
            lock (_lock)
            {
                return [.. _faults.Where(f => f.From <= now && (f.Until is null || f.Until > now)).Select(f => f.Spec.ToString())];
            }
        }
    }

    /// <summary>The active fault of <paramref name="kind"/> on any of <paramref name="names"/> (a device's name and type).</summary>
    public bool Active(FaultKind kind, params ReadOnlySpan<string> names)
    {
        var now = _time.GetUtcNow();
        lock (_lock)
        {
            foreach (var (spec, from, until) in _faults)
            {
                if (spec.Kind != kind || from > now || (until is { } u && u <= now))
                {
                    continue;
                }

                foreach (var name in names)
                {
                    if (string.Equals(spec.Target, name, StringComparison.OrdinalIgnoreCase))
                    {
                        return true;
                    }
                }
            }
        }

        return false;
    }
}
