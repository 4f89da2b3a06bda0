using Gateway.FirmwareSim.Environment;
using Gateway.FirmwareSim.Faults;
using Gateway.Hardware.Devices.Bh1750;

namespace Gateway.FirmwareSim.Chips;

/// <summary>
/// BH1750FVI at instruction level: power states, MTreg, one-time high-resolution measurements that finish after the
/// typical 120 ms (scaled by MTreg) and then power the chip down. Until a measurement finishes the data register
/// keeps its previous value, as on the chip. Under the "stuck" fault the chip stops acknowledging reads.
/// </summary>
public sealed class Bh1750Model : I2cChipModel
{
    private bool _powered;
    private byte _measurementTime = Bh1750.DefaultMeasurementTime;
    private DateTimeOffset _readyAt = DateTimeOffset.MaxValue;
    private ushort _data;

    /// <summary>Creates the chip, powered down.</summary>
    public Bh1750Model(string name, string location, TimeProvider time, EnvironmentModel environment, FaultController faults)
        : base(name, "bh1750", location, time, environment, faults)
    {
    }

    /// <inheritdoc/>
    protected override void OnWrite(ReadOnlySpan<byte> data)
    {
        if (data.Length != 1)
        {
            throw Nack("one instruction per transaction");
        }

        var op = data[0];
        switch (op)
        {
            case (byte)Bh1750Instruction.PowerDown:
                _powered = false;
                break;
            case (byte)Bh1750Instruction.PowerOn:
                _powered = true;
                break;
            case (byte)Bh1750Instruction.Reset when _powered:
                _data = 0;
                break;
            case (byte)Bh1750Instruction.OneTimeHighRes or (byte)Bh1750Instruction.ContinuousHighRes when _powered:
                _readyAt = Time.GetUtcNow() + TimeSpan.FromMilliseconds(120.0 * _measurementTime / Bh1750.DefaultMeasurementTime);
                break;
            case >= 0x40 and <= 0x47:
                _measurementTime = (byte)((_measurementTime & 0x1F) | ((op & 0x07) << 5));
                break;
            case >= 0x60 and <= 0x7F:
                _measurementTime = (byte)((_measurementTime & 0xE0) | (op & 0x1F));
                break;
            default:
                break; // measurement commands while powered down are ignored by the chip
        }
    }

    /// <inheritdoc/>
    protected override void OnRead(Span<byte> data)
    {
        if (Has(FaultKind.Stuck))
        {
            throw Nack("not acknowledging (simulated stuck converter)");
        }

        if (Time.GetUtcNow() >= _readyAt)
        {
            var lux = Environment.Light(_readyAt);
            _data = (ushort)Math.Clamp(Math.Round(lux * 1.2 * _measurementTime / Bh1750.DefaultMeasurementTime), 0, 65535);
            _readyAt = DateTimeOffset.MaxValue;
            _powered = false; // one-time modes power down after the measurement
        }

        if (data.Length > 0)
        {
            data[0] = (byte)(_data >> 8);
        }

        if (data.Length > 1)
        {
            data[1] = (byte)_data;
        }
    }
}
