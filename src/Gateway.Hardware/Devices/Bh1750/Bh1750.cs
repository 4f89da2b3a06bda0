using Gateway.Hardware.I2c;
using Gateway.Hardware.Sensors;

namespace Gateway.Hardware.Devices.Bh1750;

/// <summary>BH1750FVI instructions (datasheet "Instruction Set Architecture"); one opcode per transaction.</summary>
public enum Bh1750Instruction : byte
{
    /// <summary>No active state.</summary>
    PowerDown = 0x00,

    /// <summary>Waiting for a measurement command.</summary>
    PowerOn = 0x01,

    /// <summary>Resets the data register (only when powered on).</summary>
    Reset = 0x07,

    /// <summary>Continuous high-resolution mode (1 lx).</summary>
    ContinuousHighRes = 0x10,

    /// <summary>One measurement in high-resolution mode, then power down.</summary>
    OneTimeHighRes = 0x20,

    /// <summary>One measurement in high-resolution mode 2 (0.5 lx), then power down.</summary>
    OneTimeHighRes2 = 0x21,

    /// <summary>One measurement in low-resolution mode (4 lx), then power down.</summary>
    OneTimeLowRes = 0x23,

    /// <summary>Measurement time register, high bits: 01000_MT[7:5].</summary>
    MeasurementTimeHigh = 0x40,

    /// <summary>Measurement time register, low bits: 011_MT[4:0].</summary>
    MeasurementTimeLow = 0x60,
}

/// <summary>
/// ROHM BH1750FVI ambient light sensor: one-time high-resolution measurements. Waits the datasheet's maximum
/// measurement time (180 ms at the default MTreg, scaled with MTreg) before reading.
/// </summary>
public sealed class Bh1750 : ISensor
{
    /// <summary>Default measurement time register value.</summary>
    public const byte DefaultMeasurementTime = 69;

    private readonly I2cDevice _device;
    private readonly TimeProvider _time;
    private byte _measurementTime = DefaultMeasurementTime;
    private bool _measurementTimeSent = true;

    /// <summary>Creates the binding; it owns <paramref name="device"/>.</summary>
    public Bh1750(I2cDevice device, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(device);
        ArgumentNullException.ThrowIfNull(time);
        _device = device;
        _time = time;
        Description = $"BH1750 at {device.ConnectionSettings}";
    }

    /// <inheritdoc/>
    public string Description { get; }

    /// <summary>Measurement time register (MTreg), 31–254; larger is more sensitive and slower.</summary>
    public byte MeasurementTime
    {
        get => _measurementTime;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, (byte)31);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(value, (byte)254);
            _measurementTime = value;
            _measurementTimeSent = false;
        }
    }

    /// <summary>Illuminance from the raw count (datasheet p.7 and "Measurement sequence"): count / 1.2 × 69 / MTreg lx.</summary>
    public static double ToLux(ushort raw, byte measurementTime = DefaultMeasurementTime) => raw / 1.2 * (DefaultMeasurementTime / (double)measurementTime);

    /// <summary>Maximum high-resolution measurement time: 180 ms at MTreg 69, proportional to MTreg.</summary>
    public TimeSpan MaxMeasurementTime => TimeSpan.FromMilliseconds(180.0 * _measurementTime / DefaultMeasurementTime);

    /// <summary>Takes one one-time high-resolution measurement, in lux.</summary>
    public async ValueTask<double> ReadIlluminanceAsync(CancellationToken cancellationToken)
    {
        _device.WriteByte((byte)Bh1750Instruction.PowerOn);
        if (!_measurementTimeSent)
        {
            _device.WriteByte((byte)((byte)Bh1750Instruction.MeasurementTimeHigh | (_measurementTime >> 5)));
            _device.WriteByte((byte)((byte)Bh1750Instruction.MeasurementTimeLow | (_measurementTime & 0x1F)));
            _measurementTimeSent = true;
        }

        _device.WriteByte((byte)Bh1750Instruction.OneTimeHighRes);
        await Task.Delay(MaxMeasurementTime, _time, cancellationToken).ConfigureAwait(false);
        Span<byte> data = stackalloc byte[2];
        _device.Read(data);
        return ToLux((ushort)((data[0] << 8) | data[1]), _measurementTime);
    }

    /// <inheritdoc/>
    async ValueTask<IReadOnlyList<Measurement>> ISensor.ReadAsync(CancellationToken cancellationToken)
        => [new("illuminance", await ReadIlluminanceAsync(cancellationToken).ConfigureAwait(false), Units.Lux)];

    /// <inheritdoc/>
    public void Dispose() => _device.Dispose();
}
