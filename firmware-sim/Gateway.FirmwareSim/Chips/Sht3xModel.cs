using Gateway.FirmwareSim.Environment;
using Gateway.FirmwareSim.Faults;

namespace Gateway.FirmwareSim.Chips;

/// <summary>
/// SHT3x-DIS at command level: single-shot commands without clock stretching start a measurement; until it is done
/// (typical time, datasheet table 4) a read is not acknowledged, as on the real chip (§4.4); the result is
/// T, CRC, RH, CRC with the Sensirion CRC-8 (<see cref="SensirionCrc"/>), and is read once. Command codes and CRC are
/// the simulator's own, not the gateway binding's.
/// </summary>
public sealed class Sht3xModel : I2cChipModel
{
    // Single shot without clock stretching (§4.3 table 9) and soft reset (§4.9); sent MSB first.
    private const ushort SingleShotHigh = 0x2400;
    private const ushort SingleShotMedium = 0x240B;
    private const ushort SingleShotLow = 0x2416;
    private const ushort SoftReset = 0x30A2;

    private DateTimeOffset _readyAt;
    private bool _hasMeasurement;

    /// <summary>Creates the chip.</summary>
    public Sht3xModel(string name, string location, TimeProvider time, EnvironmentModel environment, FaultController faults)
        : base(name, "sht3x", location, time, environment, faults)
    {
    }

    /// <inheritdoc/>
    protected override void OnWrite(ReadOnlySpan<byte> data)
    {
        if (data.Length < 2)
        {
            throw Nack("commands are two bytes");
        }

        var command = (ushort)((data[0] << 8) | data[1]);
        var typical = command switch
        {
            SingleShotHigh => 12.5,
            SingleShotMedium => 4.5,
            SingleShotLow => 2.5,
            SoftReset => -1,
            _ => throw Nack($"command 0x{command:X4} is not supported by this model"),
        };
        if (typical < 0)
        {
            _hasMeasurement = false;
            return;
        }

        _readyAt = Time.GetUtcNow() + TimeSpan.FromMilliseconds(typical);
        _hasMeasurement = true;
    }

    /// <inheritdoc/>
    protected override void OnRead(Span<byte> data)
    {
        if (!_hasMeasurement || Time.GetUtcNow() < _readyAt || Has(FaultKind.Stuck))
        {
            throw Nack("read header not acknowledged: no measurement ready");
        }

        _hasMeasurement = false;
        var t = (ushort)Math.Clamp(Math.Round((Environment.Temperature(_readyAt) + 45) * 65535 / 175), 0, 65535);
        var rh = (ushort)Math.Clamp(Math.Round(Environment.Humidity(_readyAt) * 65535 / 100), 0, 65535);
        Span<byte> frame = [(byte)(t >> 8), (byte)t, 0, (byte)(rh >> 8), (byte)rh, 0];
        frame[2] = SensirionCrc.Crc8(frame[..2]);
        frame[5] = SensirionCrc.Crc8(frame[3..5]);
        if (Has(FaultKind.BadCrc))
        {
            frame[2] ^= 0xFF;
        }

        frame[..Math.Min(6, data.Length)].CopyTo(data);
    }
}
