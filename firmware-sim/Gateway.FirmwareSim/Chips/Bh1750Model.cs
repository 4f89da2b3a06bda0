using Gateway.FirmwareSim.Environment;
using Gateway.FirmwareSim.Faults;

namespace Gateway.FirmwareSim.Chips;

/// <summary>
/// BH1750FVI at instruction level (ROHM datasheet, "Instruction Set Architecture"): power states, MTreg, one-time and
/// continuous measurements in H-resolution mode (1 lx per count/1.2) and H-resolution mode 2 (0.5 lx: the count is
/// doubled) that finish after the typical 120 ms (scaled by MTreg) and then power the chip down. Until a measurement
/// finishes the data register keeps its previous value, as on the chip. Under the "stuck" fault the chip stops
/// acknowledging reads. L-resolution mode is not modelled (its instructions start no measurement).
/// </summary>
public sealed class Bh1750Model : I2cChipModel
{
    /// <summary>MTreg's default, 0b0100_0101 (the datasheet's "default" measurement time).</summary>
    public const byte DefaultMeasurementTime = 69;

    // Instructions (datasheet, instruction set table).
    private const byte PowerDown = 0x00;
    private const byte PowerOn = 0x01;
    private const byte Reset = 0x07;
    private const byte ContinuousHighRes = 0x10;
    private const byte ContinuousHighRes2 = 0x11;
    private const byte OneTimeHighRes = 0x20;
    private const byte OneTimeHighRes2 = 0x21;

    private bool _powered;
    private byte _measurementTime = DefaultMeasurementTime;
    private int _countsPerLux12; // counts per 1/1.2 lx of the running measurement: 1 in H-resolution mode, 2 in mode 2
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
            case PowerDown:
                _powered = false;
                break;
            case PowerOn:
                _powered = true;
                break;
            case Reset when _powered:
                _data = 0;
                break;
            case OneTimeHighRes or ContinuousHighRes when _powered:
                StartMeasurement(countsPerLux12: 1);
                break;
            case OneTimeHighRes2 or ContinuousHighRes2 when _powered:
                StartMeasurement(countsPerLux12: 2);
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
            _data = (ushort)Math.Clamp(Math.Round(lux * 1.2 * _countsPerLux12 * _measurementTime / DefaultMeasurementTime), 0, 65535);
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

    private void StartMeasurement(int countsPerLux12)
    {
        _countsPerLux12 = countsPerLux12;
        _readyAt = Time.GetUtcNow() + TimeSpan.FromMilliseconds(120.0 * _measurementTime / DefaultMeasurementTime);
    }
}
