using Gateway.Hardware.Devices.Bh1750;
using Gateway.Hardware.I2c;

namespace Gateway.Hardware.Tests.Devices.Fakes;

/// <summary>
/// BH1750FVI at instruction level: one opcode per write, power states, MTreg from its two opcodes, one-time
/// measurements that finish after the typical time (scaled by MTreg) and then power down. Until a measurement
/// finishes the data register keeps its previous value, as on the chip: reading early gives a stale count.
/// </summary>
internal sealed class FakeBh1750 : FakeI2cDevice
{
    private bool _powered;
    private DateTimeOffset _readyAt = DateTimeOffset.MaxValue;
    private ushort _data;
    private byte _mode;

    public FakeBh1750(TimeProvider time, int address = 0x23)
        : base(address, time)
    {
    }

    /// <summary>The count the next measurement produces.</summary>
    public ushort NextCount { get; set; } = 0x8390;

    public byte MeasurementTime { get; private set; } = Bh1750.DefaultMeasurementTime;

    public List<byte> Opcodes { get; } = [];

    public List<(byte Mode, DateTimeOffset At)> Started { get; } = [];

    public List<DateTimeOffset> ResultReads { get; } = [];

    /// <summary>Loses power: MTreg back to 69, data cleared.</summary>
    public void PowerCycle()
    {
        _powered = false;
        MeasurementTime = Bh1750.DefaultMeasurementTime;
        _data = 0;
        _readyAt = DateTimeOffset.MaxValue;
    }

    protected override void OnWrite(ReadOnlySpan<byte> data)
    {
        if (data.Length != 1)
        {
            throw new BusNackException("one instruction per transaction", I2cAddresses.Describe(ConnectionSettings));
        }

        var op = data[0];
        Opcodes.Add(op);
        switch (op)
        {
            case (byte)Bh1750Instruction.PowerDown:
                _powered = false;
                break;
            case (byte)Bh1750Instruction.PowerOn:
                _powered = true;
                break;
            case (byte)Bh1750Instruction.OneTimeHighRes or (byte)Bh1750Instruction.OneTimeHighRes2 or (byte)Bh1750Instruction.OneTimeLowRes when _powered:
                var typical = op == (byte)Bh1750Instruction.OneTimeLowRes ? 16.0 : 120.0;
                _readyAt = Now + TimeSpan.FromMilliseconds(typical * MeasurementTime / Bh1750.DefaultMeasurementTime);
                _mode = op;
                Started.Add((op, Now));
                break;
            case >= 0x40 and <= 0x47:
                MeasurementTime = (byte)((MeasurementTime & 0x1F) | ((op & 0x07) << 5));
                break;
            case >= 0x60 and <= 0x7F:
                MeasurementTime = (byte)((MeasurementTime & 0xE0) | (op & 0x1F));
                break;
            default:
                break; // ignored while powered down
        }
    }

    protected override void OnRead(Span<byte> data)
    {
        if (Now >= _readyAt)
        {
            _data = NextCount;
            _readyAt = DateTimeOffset.MaxValue;
            _powered = false;
        }

        ResultReads.Add(Now);
        data[0] = (byte)(_data >> 8);
        data[1] = (byte)_data;
    }
}
