using Gateway.Hardware.Devices.Sht3x;
using Gateway.Hardware.I2c;

namespace Gateway.Hardware.Tests.Devices.Fakes;

/// <summary>
/// SHT3x-DIS at command level: a single-shot command without clock stretching starts a measurement; until it is
/// done a read is not acknowledged (§4.4); the result is T, CRC, RH, CRC and is read once.
/// </summary>
internal sealed class FakeSht3x : FakeI2cDevice
{
    private DateTimeOffset _readyAt = DateTimeOffset.MaxValue;
    private bool _hasMeasurement;

    public FakeSht3x(TimeProvider time, int address = 0x44)
        : base(address, time)
    {
    }

    public ushort RawTemperature { get; set; } = 0x6666;

    public ushort RawHumidity { get; set; } = 0x8000;

    /// <summary>Typical measurement time (table 4, high repeatability): below the maximum the binding waits.</summary>
    public TimeSpan MeasurementTime { get; set; } = TimeSpan.FromMilliseconds(12.5);

    /// <summary>The measurement never finishes: reads stay unacknowledged.</summary>
    public bool Stuck { get; set; }

    /// <summary>XORed into the temperature word's CRC (0 = correct).</summary>
    public byte TemperatureCrcError { get; set; }

    /// <summary>XORed into the humidity word's CRC (0 = correct).</summary>
    public byte HumidityCrcError { get; set; }

    public List<ushort> Commands { get; } = [];

    public List<(ushort Command, DateTimeOffset At)> Started { get; } = [];

    public List<DateTimeOffset> ResultReads { get; } = [];

    protected override void OnWrite(ReadOnlySpan<byte> data)
    {
        if (data.Length != 2)
        {
            throw new BusNackException("commands are two bytes", I2cAddresses.Describe(ConnectionSettings));
        }

        var command = (ushort)((data[0] << 8) | data[1]);
        Commands.Add(command);
        switch (command)
        {
            case (ushort)Sht3xCommand.SingleShotHigh or (ushort)Sht3xCommand.SingleShotMedium or (ushort)Sht3xCommand.SingleShotLow:
                _readyAt = Now + MeasurementTime;
                _hasMeasurement = true;
                Started.Add((command, Now));
                break;
            case (ushort)Sht3xCommand.SoftReset:
                _hasMeasurement = false;
                break;
            default:
                throw new BusNackException($"command 0x{command:X4} not supported by the fake", I2cAddresses.Describe(ConnectionSettings));
        }
    }

    protected override void OnRead(Span<byte> data)
    {
        if (!_hasMeasurement || Stuck || Now < _readyAt)
        {
            throw new BusNackException($"no acknowledge from {I2cAddresses.Describe(ConnectionSettings)}: no measurement ready", I2cAddresses.Describe(ConnectionSettings));
        }

        _hasMeasurement = false;
        ResultReads.Add(Now);
        Span<byte> frame = [(byte)(RawTemperature >> 8), (byte)RawTemperature, 0, (byte)(RawHumidity >> 8), (byte)RawHumidity, 0];
        frame[2] = (byte)(Sht3x.Crc8(frame[..2]) ^ TemperatureCrcError);
        frame[5] = (byte)(Sht3x.Crc8(frame[3..5]) ^ HumidityCrcError);
        frame[..Math.Min(6, data.Length)].CopyTo(data);
    }
}
