using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Gateway.Sampling;

/// <summary>
/// The last reading of every (sensor, quantity) and the last health change of every sensor, kept in memory for
/// status, commands and the web console, and written to the log at Debug level (category
/// <c>Gateway.Sampling.LatestReadings</c>) so that a person can watch values with one setting.
/// </summary>
internal sealed partial class LatestReadings : IReadingSink
{
    private readonly ConcurrentDictionary<(string Sensor, string Quantity), SampledReading> _latest = new();
    private readonly ConcurrentDictionary<string, (HealthChange Change, DateTimeOffset At)> _health = new();
    private readonly ILogger<LatestReadings> _logger;
    private long _count;

    /// <summary>Creates the store.</summary>
    public LatestReadings(ILogger<LatestReadings> logger) => _logger = logger;

    /// <summary>Readings accepted since start.</summary>
    public long Count => Interlocked.Read(ref _count);

    /// <summary>The latest reading of each (sensor, quantity), ordered by sensor then quantity.</summary>
    public IReadOnlyList<SampledReading> Snapshot() =>
        [.. _latest.Values.OrderBy(r => r.SensorId, StringComparer.Ordinal).ThenBy(r => r.Quantity, StringComparer.Ordinal)];

    /// <summary>The last health change of a sensor, if it ever changed.</summary>
    public HealthChange? HealthOf(string sensorId) => _health.TryGetValue(sensorId, out var h) ? h.Change : null;

    /// <inheritdoc/>
    public void Accept(in SampledReading reading)
    {
        _latest[(reading.SensorId, reading.Quantity)] = reading;
        Interlocked.Increment(ref _count);
        LogReading(_logger, reading.SensorId, reading.Quantity, reading.Value, reading.Unit);
    }

    /// <inheritdoc/>
    public void AcceptHealth(HealthChange change, DateTimeOffset timestamp)
    {
        ArgumentNullException.ThrowIfNull(change);
        _health[change.SensorId] = (change, timestamp);
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Reading {SensorId} {Quantity} = {Value} {Unit}")]
    private static partial void LogReading(ILogger logger, string sensorId, string quantity, double value, string unit);
}
