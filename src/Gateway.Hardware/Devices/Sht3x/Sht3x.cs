using Gateway.Hardware.I2c;
using Gateway.Hardware.Sensors;

namespace Gateway.Hardware.Devices.Sht3x;

/// <summary>One SHT3x reading.</summary>
/// <param name="TemperatureCelsius">Temperature.</param>
/// <param name="HumidityPercent">Relative humidity.</param>
public readonly record struct Sht3xReading(double TemperatureCelsius, double HumidityPercent);

/// <summary>
/// Sensirion SHT3x-DIS humidity and temperature sensor (datasheet version 6): single-shot measurements without clock
/// stretching; every word's CRC-8 is checked and a mismatch is an error — the value is never used.
/// </summary>
public sealed class Sht3x : ISensor
{
    private readonly I2cDevice _device;
    private readonly TimeProvider _time;

    /// <summary>Creates the binding; it owns <paramref name="device"/>.</summary>
    public Sht3x(I2cDevice device, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(device);
        ArgumentNullException.ThrowIfNull(time);
        _device = device;
        _time = time;
        Description = $"SHT3x at {device.ConnectionSettings}";
    }

    /// <inheritdoc/>
    public string Description { get; }

    /// <summary>Measurement repeatability (default high).</summary>
    public Sht3xRepeatability Repeatability { get; set; } = Sht3xRepeatability.High;

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
    public async ValueTask<Sht3xReading> ReadAsync(CancellationToken cancellationToken)
    {
        var (command, wait) = Repeatability switch
        {
            Sht3xRepeatability.Medium => (Sht3xCommand.SingleShotMedium, 6.5),
            Sht3xRepeatability.Low => (Sht3xCommand.SingleShotLow, 4.5),
            _ => (Sht3xCommand.SingleShotHigh, 15.5),
        };
        _device.Write([(byte)((ushort)command >> 8), unchecked((byte)command)]);

        // Without clock stretching the chip NACKs reads until the measurement is done (§4.4): wait the maximum.
        await Task.Delay(TimeSpan.FromMilliseconds(wait), _time, cancellationToken).ConfigureAwait(false);
        Span<byte> data = stackalloc byte[6];
        _device.Read(data);
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

    /// <summary>Sends a soft reset.</summary>
    public void Reset() => _device.Write([(byte)((ushort)Sht3xCommand.SoftReset >> 8), unchecked((byte)Sht3xCommand.SoftReset)]);

    private ushort Word(ReadOnlySpan<byte> threeBytes, string what)
    {
        var crc = Crc8(threeBytes[..2]);
        if (crc != threeBytes[2])
        {
            throw new ChecksumException(
                $"{Description}: CRC mismatch on {what}: got 0x{threeBytes[2]:X2}, computed 0x{crc:X2}", _device.ConnectionSettings.ToString());
        }

        return (ushort)((threeBytes[0] << 8) | threeBytes[1]);
    }

    /// <inheritdoc/>
    public void Dispose() => _device.Dispose();
}
