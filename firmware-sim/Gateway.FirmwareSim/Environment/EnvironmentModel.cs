using Gateway.FirmwareSim.Scenarios;

namespace Gateway.FirmwareSim.Environment;

/// <summary>
/// The world the simulated sensors measure, as pure functions of (scenario, seed, time): a daily temperature curve
/// (minimum near 05:00 UTC, maximum near 15:00) with seeded noise, humidity moving against it, a slow pressure
/// drift, daylight, analog waveforms, a door that opens periodically and a flow meter's pulse trains. The same
/// seed and times give the same values on every machine.
/// </summary>
public sealed class EnvironmentModel
{
    private const long NoiseBucketTicks = TimeSpan.TicksPerMillisecond * 100;
    private readonly Scenario _scenario;
    private readonly EnvironmentSpec _env;

    /// <summary>Creates the model; <paramref name="start"/> is when the board started (offsets count from it).</summary>
    public EnvironmentModel(Scenario scenario, DateTimeOffset start)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        _scenario = scenario;
        _env = scenario.Environment;
        Start = start;
    }

    /// <summary>When the board started.</summary>
    public DateTimeOffset Start { get; }

    /// <summary>Air temperature, °C.</summary>
    public double Temperature(DateTimeOffset t) =>
        _env.TemperatureMean + (_env.TemperatureSwing * DailyWave(t)) + (_env.Noise * Noise(1, t));

    /// <summary>Relative humidity, %, clamped to 0–100.</summary>
    public double Humidity(DateTimeOffset t) =>
        Math.Clamp(_env.HumidityMean - (_env.HumiditySwing * DailyWave(t)) + (_env.Noise * 10 * Noise(2, t)), 0, 100);

    /// <summary>Air pressure, Pa.</summary>
    public double Pressure(DateTimeOffset t) =>
        _env.PressureMean + (_env.PressureDrift * Math.Sin(2 * Math.PI * t.ToUnixTimeSeconds() / (3 * 86400.0))) + (_env.Noise * 100 * Noise(3, t));

    /// <summary>Illuminance, lx: a half sine between 07:00 and 19:00 UTC, dark otherwise.</summary>
    public double Light(DateTimeOffset t)
    {
        var hours = t.UtcDateTime.TimeOfDay.TotalHours;
        if (hours is < 7 or > 19)
        {
            return 0;
        }

        var light = _env.LightMax * Math.Sin(Math.PI * (hours - 7) / 12);
        return Math.Max(0, light * (1 + (0.01 * Noise(4, t))));
    }

    /// <summary>The voltage on an ADS1115 input.</summary>
    public double Analog(DeviceSpec device, int channel, DateTimeOffset t)
    {
        ArgumentNullException.ThrowIfNull(device);
        if (channel >= device.Channels.Count)
        {
            return 0; // an unconnected input held at ground
        }

        var a = device.Channels[channel];
        var seconds = (t - Start).TotalSeconds;
        return a.Mean + (a.Amplitude * Math.Sin(2 * Math.PI * seconds / a.PeriodSeconds)) + (a.Noise * Noise(10 + channel, t));
    }

    /// <summary>Whether a contact (door) is open: for <see cref="DeviceSpec.ActiveSeconds"/> of every period.</summary>
    public bool ContactOpen(DeviceSpec device, DateTimeOffset t)
    {
        ArgumentNullException.ThrowIfNull(device);
        var phase = Phase(device, t);
        return phase >= device.PeriodSeconds - device.ActiveSeconds;
    }

    /// <summary>The level of a pulse train's line: square pulses at <see cref="DeviceSpec.RateHz"/> while active.</summary>
    public bool PulseHigh(DeviceSpec device, DateTimeOffset t)
    {
        ArgumentNullException.ThrowIfNull(device);
        var phase = Phase(device, t);
        if (phase >= device.ActiveSeconds || device.RateHz <= 0)
        {
            return false;
        }

        var cycle = phase * device.RateHz;
        return cycle - Math.Floor(cycle) < 0.5;
    }

    /// <summary>
    /// Every change of an input line's level in (<paramref name="from"/>, <paramref name="to"/>], in order, with its
    /// exact time: the edges the simulated GPIO chip reports. Consecutive intervals give each edge exactly once, even
    /// when an interval starts on an edge's own (tick-rounded) time, as the edge pump's do.
    /// </summary>
    /// <remarks>
    /// A level is judged 1 µs after an instant, never on it (on a boundary, floating point can fall either side). So that
    /// the level at the start agrees with the edges, the intervals are taken 1 µs late: a boundary counts in
    /// (<paramref name="from"/> + 1 µs, <paramref name="to"/> + 1 µs]; an edge can therefore carry a time up to 1 µs
    /// after <paramref name="to"/>.
    /// </remarks>
    public IEnumerable<(DateTimeOffset At, bool High)> Transitions(DeviceSpec device, DateTimeOffset from, DateTimeOffset to)
    {
        ArgumentNullException.ThrowIfNull(device);
        var epsilon = TimeSpan.FromTicks(10); // 1 µs: judge the level just after a boundary, never on it
        var level = Level(device, from + epsilon);
        var fromSeconds = (from + epsilon - Start).TotalSeconds;
        var toSeconds = (to + epsilon - Start).TotalSeconds;
        foreach (var s in Boundaries(device, fromSeconds, toSeconds))
        {
            var at = Start + TimeSpan.FromTicks((long)Math.Round(s * TimeSpan.TicksPerSecond));
            var now = Level(device, at + epsilon);
            if (now != level)
            {
                level = now;
                yield return (at, now);
            }
        }
    }

    // The instants (seconds from start, ascending, within (from, to]) at which a device's line may change level.
    private static IEnumerable<double> Boundaries(DeviceSpec device, double from, double to)
    {
        var period = device.PeriodSeconds;
        var pulseTrain = device.Type.Equals("PulseTrain", StringComparison.OrdinalIgnoreCase) && device.RateHz > 0;
        for (var n = Math.Max(0, Math.Floor(from / period)); n * period <= to; n++)
        {
            var window = n * period;
            if (pulseTrain)
            {
                foreach (var s in PulseBoundaries(device, window, from, to))
                {
                    yield return s;
                }

                continue;
            }

            foreach (var s in new[] { window + period - device.ActiveSeconds, window + period })
            {
                if (s > from && s <= to)
                {
                    yield return s;
                }
            }
        }
    }

    // A pulse train's boundaries in the period starting at window: each pulse's rising (k / rate) and falling
    // ((k + ½) / rate) instant while active, then the end of the active time. They ascend as generated, so the walk
    // starts just before `from` (an edge listener asks for a few milliseconds at a time) instead of building and sorting
    // every boundary of the period on each call.
    private static IEnumerable<double> PulseBoundaries(DeviceSpec device, double window, double from, double to)
    {
        var end = window + device.ActiveSeconds;
        var pulses = (int)Math.Ceiling(device.ActiveSeconds * device.RateHz);
        var first = (int)Math.Clamp(Math.Floor((from - window) * device.RateHz) - 1, 0, pulses);
        for (var j = 2 * first; j < 2 * pulses; j++)
        {
            var k = j / 2;
            var s = j % 2 == 0 ? window + (k / device.RateHz) : window + ((k + 0.5) / device.RateHz);
            if (s > end || s > to)
            {
                break;
            }

            if (s > from)
            {
                yield return s;
            }
        }

        if (end > from && end <= to)
        {
            yield return end;
        }
    }

    /// <summary>The level of an input device's line at <paramref name="t"/> (a contact reads high when open, with its pull-up).</summary>
    public bool Level(DeviceSpec device, DateTimeOffset t) =>
        device is null ? throw new ArgumentNullException(nameof(device))
        : device.Type.Equals("PulseTrain", StringComparison.OrdinalIgnoreCase) ? PulseHigh(device, t) : ContactOpen(device, t);

    // Seconds into the device's current period, from the board's start.
    private double Phase(DeviceSpec device, DateTimeOffset t)
    {
        var seconds = Math.Max(0, (t - Start).TotalSeconds);
        return seconds % device.PeriodSeconds;
    }

    // −1 … +1: −1 near 05:00 UTC, +1 near 17:00 with the peak shifted to about 15:00 by the cosine's phase.
    private static double DailyWave(DateTimeOffset t) =>
        -Math.Cos(2 * Math.PI * (t.UtcDateTime.TimeOfDay.TotalHours - 5) / 20.0 * (20.0 / 24.0));

    private double Noise(int stream, DateTimeOffset t) => SplitMix64.Normal(_scenario.Seed, stream, t.UtcTicks / NoiseBucketTicks);
}
