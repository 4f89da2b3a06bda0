using System.Device.I2c;
using Gateway.Hardware.I2c;
using Gateway.Hardware.Sensors;

namespace Gateway.Hardware.Devices.Bh1750;

/// <summary>
/// ROHM BH1750FVI ambient light sensor on I2C: one-time measurements (the chip powers down after each). Waits the
/// datasheet's maximum measurement time, scaled with MTreg, before reading: read earlier, the chip still holds the
/// previous result, which would be a stale value.
/// </summary>
public sealed class Bh1750 : ISensor
{
    /// <summary>Default (power-on) measurement time register value.</summary>
    public const byte DefaultMeasurementTime = 69;

    /// <summary>Smallest MTreg value (datasheet "Adjust measurement result for influence of optical window").</summary>
    public const byte MeasurementTimeMin = 31;

    /// <summary>Largest MTreg value (same section).</summary>
    public const byte MeasurementTimeMax = 254;

    private readonly ChipBus _bus;
    private readonly TimeProvider _time;
    private byte _measurementTime = DefaultMeasurementTime;
    private Bh1750Resolution _resolution = Bh1750Resolution.High;
    private bool _measurementTimeSent = true; // the chip starts at 69
    private bool _disposed;

    /// <summary>Creates the binding; it owns <paramref name="device"/>. Nothing is sent until the first read.</summary>
    /// <param name="device">The chip (address 0x23 or 0x5C).</param>
    /// <param name="time">Clock for the measurement wait.</param>
    public Bh1750(I2cDevice device, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(device);
        ArgumentNullException.ThrowIfNull(time);
        Description = $"BH1750 at {I2cAddresses.Describe(device.ConnectionSettings)}";
        _bus = new ChipBus(device, Description);
        _time = time;
    }

    /// <inheritdoc/>
    public string Description { get; }

    /// <summary>
    /// Measurement time register (MTreg), 31–254 (default 69): larger is more sensitive and slower. Sent to the chip
    /// (two opcodes, high bits then low bits) before the next measurement.
    /// </summary>
    public byte MeasurementTime
    {
        get => _measurementTime;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, MeasurementTimeMin);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(value, MeasurementTimeMax);
            if (value != _measurementTime)
            {
                _measurementTime = value;
                _measurementTimeSent = false;
            }
        }
    }

    /// <summary>Resolution of the one-time measurement (default high).</summary>
    public Bh1750Resolution Resolution
    {
        get => _resolution;
        set
        {
            if (!Enum.IsDefined(value))
            {
                throw new ArgumentOutOfRangeException(nameof(Resolution), value, "High, High2 or Low");
            }

            _resolution = value;
        }
    }

    /// <summary>
    /// The longest the current measurement takes: 180 ms (H modes) or 24 ms (L mode) at MTreg 69 (datasheet
    /// "Electrical Characteristics"), proportional to MTreg.
    /// </summary>
    public TimeSpan MaxMeasurementTime => MaxMeasurementTimeFor(_resolution, _measurementTime);

    /// <summary>The longest a measurement takes at <paramref name="resolution"/> and <paramref name="measurementTime"/>.</summary>
    public static TimeSpan MaxMeasurementTimeFor(Bh1750Resolution resolution, byte measurementTime) =>
        TimeSpan.FromMilliseconds((resolution == Bh1750Resolution.Low ? 24.0 : 180.0) * measurementTime / DefaultMeasurementTime);

    /// <summary>
    /// Illuminance from the raw count (datasheet p.7 and "Measurement sequence"): count / 1.2 × 69 / MTreg lx;
    /// halved in H-resolution mode 2. The datasheet's example 0x8390 is ≈ 28067 lx.
    /// </summary>
    public static double ToLux(ushort raw, byte measurementTime = DefaultMeasurementTime, Bh1750Resolution resolution = Bh1750Resolution.High)
    {
        ArgumentOutOfRangeException.ThrowIfZero(measurementTime);
        var lux = raw / 1.2 * (DefaultMeasurementTime / (double)measurementTime);
        return resolution == Bh1750Resolution.High2 ? lux / 2 : lux;
    }

    /// <summary>Takes one one-time measurement, in lux.</summary>
    /// <exception cref="BusNackException">The chip did not acknowledge.</exception>
    /// <exception cref="BusTimeoutException">The bus is stuck.</exception>
    public async ValueTask<double> ReadIlluminanceAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var resolution = _resolution;
        var mt = _measurementTime;
        try
        {
            _bus.Write([(byte)Bh1750Instruction.PowerOn], "sending Power On (0x01)");
            if (!_measurementTimeSent)
            {
                // Two instructions, one per transaction: high bits 01000_MT[7:5], then low bits 011_MT[4:0].
                _bus.Write([(byte)((byte)Bh1750Instruction.MeasurementTimeHigh | (mt >> 5))], "setting MTreg high bits (0x40)");
                _bus.Write([(byte)((byte)Bh1750Instruction.MeasurementTimeLow | (mt & 0x1F))], "setting MTreg low bits (0x60)");
                _measurementTimeSent = true;
            }

            var instruction = resolution switch
            {
                Bh1750Resolution.High2 => Bh1750Instruction.OneTimeHighRes2,
                Bh1750Resolution.Low => Bh1750Instruction.OneTimeLowRes,
                _ => Bh1750Instruction.OneTimeHighRes,
            };
            _bus.Write([(byte)instruction], $"starting a one-time measurement (0x{(byte)instruction:X2})");
            await DeviceWaits.Delay(MaxMeasurementTimeFor(resolution, mt), _time, cancellationToken).ConfigureAwait(false);

            Span<byte> data = stackalloc byte[2];
            _bus.Read(data, "reading the result");
            return ToLux((ushort)((data[0] << 8) | data[1]), mt, resolution);
        }
        catch (HardwareException)
        {
            // The chip may have lost power, and MTreg with it: send MTreg again before the next measurement.
            _measurementTimeSent = false;
            throw;
        }
    }

    /// <inheritdoc/>
    async ValueTask<IReadOnlyList<Measurement>> ISensor.ReadAsync(CancellationToken cancellationToken)
        => [new("illuminance", await ReadIlluminanceAsync(cancellationToken).ConfigureAwait(false), Units.Lux)];

    /// <summary>Releases the device.</summary>
    public void Dispose()
    {
        if (!_disposed)
        {
            _disposed = true;
            _bus.Dispose();
        }
    }
}
