namespace Gateway.Sampling;

/// <summary>Delivers every reading to several sinks in order: the outbox (durable) first, then the in-memory views.</summary>
internal sealed class ReadingFanout : IReadingSink
{
    private readonly IReadingSink[] _sinks;

    /// <summary>Creates the fan-out.</summary>
    public ReadingFanout(params IReadingSink[] sinks) => _sinks = sinks;

    /// <inheritdoc/>
    public void Accept(in SampledReading reading)
    {
        foreach (var sink in _sinks)
        {
            sink.Accept(reading);
        }
    }

    /// <inheritdoc/>
    public void AcceptHealth(HealthChange change, DateTimeOffset timestamp)
    {
        foreach (var sink in _sinks)
        {
            sink.AcceptHealth(change, timestamp);
        }
    }
}
