namespace Gateway.Sampling;

/// <summary>
/// Report-on-change for one sensor: a value is reported when it differs from the last reported value of its
/// quantity by at least that quantity's deadband, or when the quantity has been silent for
/// <see cref="MaxSilence"/>. Without a deadband every value is reported. Pure; time comes in as an argument.
/// </summary>
internal sealed class ReportFilter
{
    private readonly Dictionary<string, double> _deadbands;
    private readonly Dictionary<string, (double Value, DateTimeOffset At)> _last = new(StringComparer.Ordinal);

    /// <summary>Creates a filter.</summary>
    /// <param name="deadbands">Quantity → smallest change worth reporting. Quantities not listed are always reported.</param>
    /// <param name="maxSilence">Longest time a quantity may go unreported while it has a deadband.</param>
    public ReportFilter(IReadOnlyDictionary<string, double> deadbands, TimeSpan maxSilence)
    {
        ArgumentNullException.ThrowIfNull(deadbands);
        _deadbands = new Dictionary<string, double>(deadbands, StringComparer.Ordinal);
        MaxSilence = maxSilence;
    }

    /// <summary>Longest time a quantity with a deadband goes unreported.</summary>
    public TimeSpan MaxSilence { get; }

    /// <summary>Values held back so far (not reported because within the deadband).</summary>
    public long Suppressed { get; private set; }

    /// <summary>Decides whether to report <paramref name="value"/> of <paramref name="quantity"/> measured at <paramref name="at"/>; remembers it if so.</summary>
    public bool ShouldReport(string quantity, double value, DateTimeOffset at)
    {
        if (!_deadbands.TryGetValue(quantity, out var deadband)
            || !_last.TryGetValue(quantity, out var last)
            || double.IsNaN(value) != double.IsNaN(last.Value)
            || Math.Abs(value - last.Value) >= deadband
            || at - last.At >= MaxSilence)
        {
            _last[quantity] = (value, at);
            return true;
        }

        Suppressed++;
        return false;
    }

    /// <summary>The deadbands in force, by quantity.</summary>
    public IReadOnlyDictionary<string, double> Deadbands => _deadbands;

    /// <summary>Sets (or, with 0, removes) the deadband of <paramref name="quantity"/>; the next value of it is reported.</summary>
    public void SetDeadband(string quantity, double deadband)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(deadband);
        if (deadband == 0)
        {
            _deadbands.Remove(quantity);
        }
        else
        {
            _deadbands[quantity] = deadband;
        }

        _last.Remove(quantity);
    }

    /// <summary>Forgets the last reported values, so the next value of each quantity is reported (e.g. after a sensor recovered).</summary>
    public void Reset() => _last.Clear();
}
