using System.Device.I2c;
using Gateway.Hardware.I2c;
using Gateway.Hardware.Sensors;

namespace Gateway.Hardware.Devices.Sht3x;

/// <summary>One SHT3x reading.</summary>
/// <param name="TemperatureCelsius">Temperature, °C.</param>
/// <param name="HumidityPercent">Relative humidity, %.</param>
public readonly record struct Sht3xReading(double TemperatureCelsius, double HumidityPercent);

/// <summary>
/// Sensirion SHT3x-DIS humidity and temperature sensor on I2C (datasheet version 6): single-shot measurements without
/// clock stretching. Every word's CRC-8 is checked and a mismatch is an error: the value is never used, and no
/// earlier value stands in for it (unlike dotnet/iot's Sht3x).
/// </summary>
public sealed class Sht3x : ISensor
{
    /// <summary>Soft reset time t_SR, max (datasheet table 4).</summary>
    private static readonly TimeSpan SoftResetTime = TimeSpan.FromMilliseconds(1.5);

    private readonly ChipBus _bus;
    private readonly TimeProvider _time;
    private Sht3xRepeatability _repeatability = Sht3xRepeatability.High;
    private bool _disposed;

    /// <summary>Creates the binding; it owns <paramref name="device"/>. Nothing is sent until the first read.</summary>
    /// <param name="device">The chip (address 0x44 or 0x45).</param>
    /// <param name="time">Clock for the measurement wait.</param>
    public Sht3x(I2cDevice device, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(device);
        ArgumentNullException.ThrowIfNull(time);
        Description = $"SHT3x at {I2cAddresses.Describe(device.ConnectionSettings)}";
        _bus = new ChipBus(device, Description);
        _time = time;
    }

    /// <inheritdoc/>
    public string Description { get; }

    /// <summary>Measurement repeatability (default high).</summary>
    public Sht3xRepeatability Repeatability
    {
        get => _repeatability;
        set
        {
            if (!Enum.IsDefined(value))
            {
                throw new ArgumentOutOfRangeException(nameof(Repeatability), value, "High, Medium or Low");
            }

            _repeatability = value;
        }
    }

    /// <summary>The longest a single-shot measurement takes at <paramref name="repeatability"/> (datasheet table 4).</summary>
    public static TimeSpan MaxMeasurementTime(Sht3xRepeatability repeatability) => repeatability switch
    {
        Sht3xRepeatability.High => TimeSpan.FromMilliseconds(15.5),
        Sht3xRepeatability.Medium => TimeSpan.FromMilliseconds(6.5),
        Sht3xRepeatability.Low => TimeSpan.FromMilliseconds(4.5),
        _ => throw new ArgumentOutOfRangeException(nameof(repeatability), repeatability, "High, Medium or Low"),
    };

    /// <summary>The single-shot command without clock stretching for <paramref name="repeatability"/> (datasheet table 9).</summary>
    public static Sht3xCommand SingleShotCommand(Sht3xRepeatability repeatability) => repeatability switch
    {
        Sht3xRepeatability.High => Sht3xCommand.SingleShotHigh,
        Sht3xRepeatability.Medium => Sht3xCommand.SingleShotMedium,
        Sht3xRepeatability.Low => Sht3xCommand.SingleShotLow,
        _ => throw new ArgumentOutOfRangeException(nameof(repeatability), repeatability, "High, Medium or Low"),
    };

    /// <summary>
    /// CRC-8 of the SHT3x (datasheet §4.12, table 20): polynomial 0x31 (x⁸+x⁵+x⁴+1), initial 0xFF, no reflection,
    /// no final XOR. CRC(0xBE, 0xEF) = 0x92.
    /// </summary>
    public static byte Crc8(ReadOnlySpan<byte> data)
    {
        byte crc = 0xFF;
        foreach (var b in data)
        {
            crc ^= b;
            for (var bit = 0; bit < 8; bit++)
            {
                crc = (crc & 0x80) != 0 ? (byte)((crc << 1) ^ 0x31) : (byte)(crc << 1);
            }
        }

        return crc;
    }

    /// <summary>Temperature from the raw word (datasheet §4.13): T = −45 + 175·S/65535 °C.</summary>
    public static double ToCelsius(ushort raw) => -45 + (175.0 * raw / 65535.0);

    /// <summary>Relative humidity from the raw word (datasheet §4.13): RH = 100·S/65535 %.</summary>
    public static double ToPercent(ushort raw) => 100.0 * raw / 65535.0;

    /// <summary>Takes one single-shot reading.</summary>
    /// <exception cref="ChecksumException">A word's CRC does not match; nothing is returned.</exception>
    /// <exception cref="BusNackException">The chip did not acknowledge (absent, or the measurement had not finished).</exception>
    /// <exception cref="BusTimeoutException">The bus is stuck.</exception>
    public async ValueTask<Sht3xReading> ReadAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var repeatability = _repeatability;
        var command = SingleShotCommand(repeatability);
        _bus.Write(Bytes(command), $"starting a single-shot measurement (0x{(ushort)command:X4})");

        // Without clock stretching the chip NACKs reads until the measurement is done (§4.4): wait the maximum.
        await DeviceWaits.Delay(MaxMeasurementTime(repeatability), _time, cancellationToken).ConfigureAwait(false);
        Span<byte> data = stackalloc byte[6];
        _bus.Read(data, "reading the measurement");

        // §4.4: T msb, T lsb, CRC, RH msb, RH lsb, CRC.
        var t = Word(data[..3], "temperature");
        var rh = Word(data[3..], "humidity");
        return new Sht3xReading(ToCelsius(t), ToPercent(rh));
    }

    /// <inheritdoc/>
    async ValueTask<IReadOnlyList<Measurement>> ISensor.ReadAsync(CancellationToken cancellationToken)
    {
        var r = await ReadAsync(cancellationToken).ConfigureAwait(false);
        return [new("temperature", r.TemperatureCelsius, Units.Celsius), new("humidity", r.HumidityPercent, Units.RelativeHumidity)];
    }

    /// <summary>Sends a soft reset (0x30A2, §4.9) and waits the soft reset time (1.5 ms max, table 4).</summary>
    public async ValueTask ResetAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        _bus.Write(Bytes(Sht3xCommand.SoftReset), "sending soft reset (0x30A2)");
        await DeviceWaits.Delay(SoftResetTime, _time, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Releases the device.</summary>
    public void Dispose()
    {
        if (!_disposed)
        {
            _disposed = true;
            _bus.Dispose();
        }
    }

    private static byte[] Bytes(Sht3xCommand command) => [(byte)((ushort)command >> 8), unchecked((byte)command)];

    private ushort Word(ReadOnlySpan<byte> threeBytes, string what)
    {
        var crc = Crc8(threeBytes[..2]);
        if (crc != threeBytes[2])
        {
            throw new ChecksumException($"{Description}: CRC mismatch on {what}: got 0x{threeBytes[2]:X2}, computed 0x{crc:X2}", _bus.Location);
        }

        return (ushort)((threeBytes[0] << 8) | threeBytes[1]);
    }
}
