using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Gateway.Sampling;

namespace Gateway.Benchmarks;

/// <summary>A sink that only counts what the sampler delivers: readings per sensor, and health changes.</summary>
internal sealed class CountingSink : IReadingSink
{
    private readonly ConcurrentDictionary<string, StrongBox<long>> _bySensor = new(StringComparer.Ordinal);
    private long _total;
    private long _health;

    /// <summary>Readings and health changes together (each becomes one stored row with its own seq).</summary>
    public long Total => Interlocked.Read(ref _total);

    /// <summary>Health changes.</summary>
    public long Health => Interlocked.Read(ref _health);

    /// <summary>Readings of <paramref name="sensorId"/>.</summary>
    public long Of(string sensorId) => _bySensor.TryGetValue(sensorId, out var n) ? Interlocked.Read(ref n.Value) : 0;

    /// <inheritdoc/>
    public void Accept(in SampledReading reading)
    {
        Interlocked.Increment(ref _bySensor.GetOrAdd(reading.SensorId, _ => new StrongBox<long>()).Value);
        Interlocked.Increment(ref _total);
    }

    /// <inheritdoc/>
    public void AcceptHealth(HealthChange change, DateTimeOffset timestamp)
    {
        Interlocked.Increment(ref _health);
        Interlocked.Increment(ref _total);
    }
}
