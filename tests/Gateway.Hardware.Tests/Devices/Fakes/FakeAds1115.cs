using Gateway.Hardware.I2c;
namespace Gateway.Hardware.Tests.Devices.Fakes;

/// <summary>
/// ADS1115 at register level (SBAS444 §9.6): a pointer register, 16-bit registers read and written MSB first,
/// config reset value 0x8583, a single-shot conversion started by OS=1 that takes 1/DR (times
/// <see cref="SlowFactor"/>) with OS reading 0 meanwhile; the conversion register keeps the previous result until then.
/// </summary>
internal sealed class FakeAds1115 : FakeI2cDevice
{
    private static readonly int[] DataRates = [8, 16, 32, 64, 128, 250, 475, 860];
    private byte _pointer;
    private ushort _config = 0x8583;
    private short _conversion;
    private DateTimeOffset _doneAt;
    private bool _converting;

    public FakeAds1115(TimeProvider time, int address = 0x48)
        : base(address, time)
    {
    }

    /// <summary>The code each single-ended input converts to (AIN0–AIN3 vs GND).</summary>
    public short[] Codes { get; } = new short[4];

    /// <summary>How much slower than nominal the conversion is (the data rate varies by ±10 %).</summary>
    public double SlowFactor { get; set; } = 1.0;

    /// <summary>A conversion never finishes.</summary>
    public bool Stuck { get; set; }

    public List<ushort> ConfigWrites { get; } = [];

    public List<(int Mux, DateTimeOffset At)> Started { get; } = [];

    public List<DateTimeOffset> ConversionReads { get; } = [];

    public int ConfigReads { get; private set; }

    protected override void OnWrite(ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty)
        {
            return;
        }

        _pointer = (byte)(data[0] & 0x03);
        if (data.Length == 1)
        {
            return;
        }

        if (data.Length != 3)
        {
            throw new BusNackException("registers are written as pointer, MSB, LSB", I2cAddresses.Describe(ConnectionSettings));
        }

        if (_pointer != 0x01)
        {
            return;
        }

        var value = (ushort)((data[1] << 8) | data[2]);
        ConfigWrites.Add(value);
        _config = (ushort)(value & 0x7FFF);
        if ((value & 0x8000) != 0 && (value & 0x0100) != 0)
        {
            _converting = true;
            _doneAt = Now + TimeSpan.FromSeconds(SlowFactor / DataRates[(value >> 5) & 0x07]);
            Started.Add(((value >> 12) & 0x07, Now));
        }
    }

    protected override void OnRead(Span<byte> data)
    {
        if (_converting && !Stuck && Now >= _doneAt)
        {
            _converting = false;
            var mux = (_config >> 12) & 0x07;
            _conversion = mux >= 4 ? Codes[mux - 4] : (short)0;
        }

        ushort word;
        if (_pointer == 0x00)
        {
            ConversionReads.Add(Now);
            word = (ushort)_conversion;
        }
        else if (_pointer == 0x01)
        {
            ConfigReads++;
            word = (ushort)(_config | (_converting ? 0 : 0x8000));
        }
        else
        {
            word = 0;
        }

        data[0] = (byte)(word >> 8);
        data[1] = (byte)word;
    }
}
