namespace Gateway.Hardware.Sensors;

/// <summary>
/// A configured sensor the sampler can read on a schedule. A read either returns fresh measurements or throws a
/// <see cref="HardwareException"/> subclass saying what went wrong; it never returns a stale or invented value.
/// </summary>
public interface ISensor : IDisposable
{
    /// <summary>Where the sensor sits, for messages: e.g. <c>BME280 at i2c-1@0x76</c>.</summary>
    string Description { get; }

    /// <summary>Takes one reading (including any conversion wait the chip needs).</summary>
    ValueTask<IReadOnlyList<Measurement>> ReadAsync(CancellationToken cancellationToken);
}
