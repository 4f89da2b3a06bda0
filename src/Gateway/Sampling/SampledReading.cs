namespace Gateway.Sampling;

/// <summary>
/// One value as the sampler produced it, before the outbox numbers it: which sensor, what quantity, the value
/// and its SenML unit, and when it was measured (UTC).
/// </summary>
internal readonly record struct SampledReading(string SensorId, string Quantity, double Value, string Unit, DateTimeOffset Timestamp);

/// <summary>Where the sampler delivers readings and health changes (the outbox; a log in tests and tools).</summary>
internal interface IReadingSink
{
    /// <summary>Takes one reading. Must not block for long: the sampler's timing depends on it.</summary>
    void Accept(in SampledReading reading);

    /// <summary>Takes a sensor health change, which travels upstream like a reading.</summary>
    void AcceptHealth(HealthChange change, DateTimeOffset timestamp);
}
