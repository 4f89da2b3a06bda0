using Gateway.Hardware.Devices.Bme280;
using Gateway.Hardware.I2c;

namespace Gateway.Hardware.Tests.Devices.Fakes;

/// <summary>
/// BME280 at register level, as the datasheet describes it: chip id, reset (0xB6 → 0xE0) followed by an NVM copy
/// with im_update set, ctrl_hum latched by the next ctrl_meas write (§5.4.3), forced mode with measuring set for the
/// conversion time, data registers that read 0x80000 / 0x8000 until a conversion (or for skipped channels), writes
/// as register/value pairs (§6.2.1).
/// </summary>
internal sealed class FakeBme280 : RegisterI2cDevice
{
    /// <summary>BMP280 datasheet §3.12's trimming values, with humidity values typical of BME280 modules (negative H5).</summary>
    public static readonly Bme280Calibration Calibration = new()
    {
        DigT1 = 27504, DigT2 = 26435, DigT3 = -1000,
        DigP1 = 36477, DigP2 = -10685, DigP3 = 3024, DigP4 = 2855, DigP5 = 140, DigP6 = -7, DigP7 = 15500, DigP8 = -14600, DigP9 = 6000,
        DigH1 = 75, DigH2 = 362, DigH3 = 0, DigH4 = 313, DigH5 = -50, DigH6 = 30,
    };

    private byte _pendingCtrlHum;
    private DateTimeOffset _measuringUntil = DateTimeOffset.MinValue;
    private DateTimeOffset _nvmCopyUntil = DateTimeOffset.MinValue;
    private bool _pending;

    public FakeBme280(TimeProvider time, int address = 0x76)
        : base(address, time)
    {
        PowerOn();
    }

    /// <summary>Raw ADC values the next conversion produces (§3.12's example by default).</summary>
    public int RawTemperature { get; set; } = 519888;

    public int RawPressure { get; set; } = 415148;

    public int RawHumidity { get; set; } = 30000;

    /// <summary>Conversion time (typical, §9.1 at ×1: below the maximum the binding waits).</summary>
    public TimeSpan ConversionTime { get; set; } = TimeSpan.FromMilliseconds(8);

    /// <summary>The NVM copy after reset.</summary>
    public TimeSpan NvmCopyTime { get; set; } = TimeSpan.FromMilliseconds(1);

    /// <summary>measuring never clears (a converter that hangs).</summary>
    public bool MeasuringStuck { get; set; }

    /// <summary>im_update never clears.</summary>
    public bool NvmCopyStuck { get; set; }

    /// <summary>Resets received.</summary>
    public int Resets { get; private set; }

    /// <summary>ctrl_hum as latched by each ctrl_meas write.</summary>
    public List<byte> LatchedCtrlHum { get; } = [];

    /// <summary>When each forced conversion was started.</summary>
    public List<DateTimeOffset> ConversionsStarted { get; } = [];

    /// <summary>When the data burst was read.</summary>
    public List<DateTimeOffset> DataReads { get; } = [];

    protected override void OnWrite(ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty)
        {
            return;
        }

        Pointer = data[0];
        if (data.Length == 1)
        {
            return;
        }

        if (data.Length % 2 != 0)
        {
            throw new BusNackException("odd write: BME280 writes are register/value pairs", I2cAddresses.Describe(ConnectionSettings));
        }

        for (var i = 0; i < data.Length; i += 2)
        {
            WriteRegister(data[i], data[i + 1]);
        }
    }

    protected override void OnRead(Span<byte> data)
    {
        Complete();
        if (Pointer == (byte)Bme280Register.PressMsb)
        {
            DataReads.Add(Now);
        }

        base.OnRead(data);
    }

    protected override byte ReadRegister(byte register) => register == (byte)Bme280Register.Status
        ? (byte)((Measuring ? 0x08 : 0) | (NvmCopyStuck || Now < _nvmCopyUntil ? 0x01 : 0))
        : Registers[register];

    private bool Measuring => _pending && (MeasuringStuck || Now < _measuringUntil);

    private void WriteRegister(byte register, byte value)
    {
        switch (register)
        {
            case (byte)Bme280Register.Reset when value == 0xB6:
                Resets++;
                var id = Registers[(byte)Bme280Register.Id];
                PowerOn();
                Registers[(byte)Bme280Register.Id] = id;
                _nvmCopyUntil = Now + NvmCopyTime;
                break;
            case (byte)Bme280Register.CtrlHum:
                _pendingCtrlHum = (byte)(value & 0x07);
                break;
            case (byte)Bme280Register.CtrlMeas:
                Registers[(byte)Bme280Register.CtrlHum] = _pendingCtrlHum;
                LatchedCtrlHum.Add(_pendingCtrlHum);
                Registers[register] = value;
                if ((value & 0x03) is 0b01 or 0b10)
                {
                    ConversionsStarted.Add(Now);
                    _measuringUntil = Now + ConversionTime;
                    _pending = true;
                }

                break;
            case (byte)Bme280Register.Config:
                Registers[register] = value;
                break;
            default:
                break;
        }
    }

    private void Complete()
    {
        if (!_pending || Measuring)
        {
            return;
        }

        _pending = false;
        var ctrl = Registers[(byte)Bme280Register.CtrlMeas];
        var t = (ctrl >> 5) == 0 ? 0x80000 : RawTemperature;
        var p = ((ctrl >> 2) & 0x07) == 0 ? 0x80000 : RawPressure;
        var h = Registers[(byte)Bme280Register.CtrlHum] == 0 ? 0x8000 : RawHumidity;
        SetData(t, p, h);
        Registers[(byte)Bme280Register.CtrlMeas] = (byte)(ctrl & 0xFC);
    }

    private void SetData(int t, int p, int h)
    {
        Registers[0xF7] = (byte)(p >> 12);
        Registers[0xF8] = (byte)(p >> 4);
        Registers[0xF9] = (byte)((p & 0x0F) << 4);
        Registers[0xFA] = (byte)(t >> 12);
        Registers[0xFB] = (byte)(t >> 4);
        Registers[0xFC] = (byte)((t & 0x0F) << 4);
        Registers[0xFD] = (byte)(h >> 8);
        Registers[0xFE] = (byte)h;
    }

    private void PowerOn()
    {
        Array.Clear(Registers);
        Registers[(byte)Bme280Register.Id] = Bme280.ChipId;
        Calibration.Write(Registers.AsSpan(0x88, Bme280Calibration.Block1Length), Registers.AsSpan(0xE1, Bme280Calibration.Block2Length));
        SetData(0x80000, 0x80000, 0x8000); // reset values (table 18)
        _pendingCtrlHum = 0;
        _pending = false;
    }
}
