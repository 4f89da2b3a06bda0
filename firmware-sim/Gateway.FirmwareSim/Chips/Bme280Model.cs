using Gateway.FirmwareSim.Environment;
using Gateway.FirmwareSim.Faults;

namespace Gateway.FirmwareSim.Chips;

/// <summary>
/// BME280 at register level (datasheet BST-BME280-DS002): chip id, soft reset with the NVM-copy flag, ctrl_hum
/// latched by a ctrl_meas write, forced mode with the measuring flag held for the conversion time, data registers
/// holding the raw ADC values that the datasheet's compensation turns back into the environment's values,
/// auto-incrementing reads and reg/value pair writes (§6.2.1). The trimming parameters and the formulas are the
/// simulator's own (<see cref="Bme280Trimming"/>, <see cref="Bme280Formulas"/>), not the gateway binding's.
/// Under the "stuck" fault a started conversion never ends: status.measuring[3] stays set and the data registers keep
/// their previous values.
/// </summary>
public sealed class Bme280Model : I2cChipModel
{
    /// <summary>What register 0xD0 (id) reads (§5.4.1).</summary>
    public const byte ChipId = 0x60;

    /// <summary>What a BMP280 answers at 0xD0 instead (the "wrongid" fault).</summary>
    public const byte Bmp280ChipId = 0x58;

    // Memory map, datasheet table 18.
    private const byte Id = 0xD0;
    private const byte Reset = 0xE0;
    private const byte CtrlHum = 0xF2;
    private const byte Status = 0xF3;
    private const byte CtrlMeas = 0xF4;
    private const byte Config = 0xF5;
    private const byte PressMsb = 0xF7;
    private const byte TempMsb = 0xFA;
    private const byte HumMsb = 0xFD;
    private const byte ResetCommand = 0xB6; // §5.4.2: "other values are ignored"
    private const byte Measuring = 0x08; // status bit 3 (§5.4.4)
    private const byte ImUpdate = 0x01; // status bit 0: NVM data being copied

    private readonly byte[] _regs = new byte[256];
    private readonly bool _isBmp280;
    private byte _pointer;
    private byte _pendingCtrlHum;
    private DateTimeOffset _busyUntil = DateTimeOffset.MinValue;
    private DateTimeOffset _nvmCopyUntil = DateTimeOffset.MinValue;
    private bool _measurementPending;

    /// <summary>Creates the chip in its power-on state, carrying <see cref="Bme280Trimming.Typical"/>.</summary>
    public Bme280Model(string name, string location, TimeProvider time, EnvironmentModel environment, FaultController faults)
        : this(name, location, time, environment, faults, Bme280Trimming.Typical)
    {
    }

    /// <summary>Creates the chip in its power-on state, carrying <paramref name="trimming"/> (e.g. <see cref="Bme280Trimming.NegativeH5"/>).</summary>
    public Bme280Model(string name, string location, TimeProvider time, EnvironmentModel environment, FaultController faults, Bme280Trimming trimming)
        : this(name, "bme280", location, time, environment, faults, trimming)
    {
    }

    private Bme280Model(string name, string type, string location, TimeProvider time, EnvironmentModel environment, FaultController faults, Bme280Trimming trimming)
        : base(name, type, location, time, environment, faults)
    {
        ArgumentNullException.ThrowIfNull(trimming);
        Trimming = trimming;
        _isBmp280 = type == "bmp280";
        PowerOn();
    }

    /// <summary>
    /// A BMP280 (datasheet BST-BMP280-DS001): the BME280's temperature and pressure part — the same trimming registers
    /// 0x88–0x9F (§3.11.2), compensation (§3.11.3), ctrl_meas, config, status and data layout (§4.3, memory map table
    /// 18) and measurement time (§3.8.1, table 13: 5.5 ms typical at ×1) — with chip id 0x58 (§4.3.1) and no humidity:
    /// there is no ctrl_hum (writes to 0xF2 are ignored) and no humidity data. Its "wrongid" answer is a BME280's 0x60.
    /// </summary>
    public static Bme280Model Bmp280(string name, string location, TimeProvider time, EnvironmentModel environment, FaultController faults) =>
        new(name, "bmp280", location, time, environment, faults, Bme280Trimming.Typical);

    /// <summary>The trimming parameters this chip carries in 0x88–0xA1 and 0xE1–0xE7.</summary>
    public Bme280Trimming Trimming { get; }

    /// <summary>
    /// The raw temperature the chip reports for <paramref name="celsius"/>: the inverse of §8.1, then of the 20-bit
    /// values around it the one whose §4.2.3 integer compensation comes nearest (the integer code is what drivers run).
    /// </summary>
    public int RawTemperature(double celsius) =>
        Nearest(Bme280Formulas.AdcTemperature(celsius, Trimming), Bme280Formulas.MaxAdc20, celsius * 100,
            adc => Bme280Formulas.TemperatureInt32(adc, Trimming, out _));

    /// <summary>The raw pressure for <paramref name="pascal"/> at the fine temperature of <paramref name="adcT"/>.</summary>
    public int RawPressure(double pascal, int adcT)
    {
        Bme280Formulas.TemperatureInt32(adcT, Trimming, out var tFine);
        return Nearest(Bme280Formulas.AdcPressure(pascal, tFine, Trimming), Bme280Formulas.MaxAdc20, pascal * 256,
            adc => Bme280Formulas.PressureInt64(adc, tFine, Trimming));
    }

    /// <summary>The raw humidity for <paramref name="percent"/> at the fine temperature of <paramref name="adcT"/>.</summary>
    public int RawHumidity(double percent, int adcT)
    {
        Bme280Formulas.TemperatureInt32(adcT, Trimming, out var tFine);
        return Nearest(Bme280Formulas.AdcHumidity(percent, tFine, Trimming), Bme280Formulas.MaxAdc16, percent * 1024,
            adc => Bme280Formulas.HumidityInt32(adc, tFine, Trimming));
    }

    /// <inheritdoc/>
    protected override void OnWrite(ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty)
        {
            return;
        }

        _pointer = data[0];

        // Writes are register/value pairs (§6.2.1); a single byte only sets the read pointer.
        for (var i = 0; i + 1 < data.Length; i += 2)
        {
            WriteRegister(data[i], data[i + 1]);
        }
    }

    /// <inheritdoc/>
    protected override void OnRead(Span<byte> data)
    {
        Complete();
        for (var i = 0; i < data.Length; i++)
        {
            data[i] = ReadRegister((byte)(_pointer + i));
        }

        _pointer = (byte)(_pointer + data.Length);
    }

    private byte ReadRegister(byte register) => register switch
    {
        Id => Has(FaultKind.WrongId) == _isBmp280 ? ChipId : Bmp280ChipId,
        Status => (byte)((IsMeasuring ? Measuring : 0) | (Time.GetUtcNow() < _nvmCopyUntil ? ImUpdate : 0)),
        _ => _regs[register],
    };

    private bool IsMeasuring => Time.GetUtcNow() < _busyUntil || (_measurementPending && Has(FaultKind.Stuck));

    private void WriteRegister(byte register, byte value)
    {
        switch (register)
        {
            case Reset when value == ResetCommand:
                PowerOn();
                _nvmCopyUntil = Time.GetUtcNow() + TimeSpan.FromMilliseconds(1);
                break;
            case CtrlHum when !_isBmp280:
                _pendingCtrlHum = (byte)(value & 0x07); // latched by the next ctrl_meas write (§5.4.3)
                break;
            case CtrlMeas:
                _regs[CtrlHum] = _pendingCtrlHum;
                _regs[register] = value;
                if ((value & 0x03) is 0b01 or 0b10)
                {
                    StartForced(value);
                }

                break;
            case Config:
                _regs[register] = value;
                break;
            default:
                break; // read-only registers ignore writes
        }
    }

    private void StartForced(byte ctrlMeas)
    {
        var osT = (ctrlMeas >> 5) & 0x07;
        var osP = (ctrlMeas >> 2) & 0x07;
        var osH = _regs[CtrlHum] & 0x07;

        // Typical conversion time (§9.1): 1 + 2·T + (2·P + 0.5) + (2·H + 0.5) ms, below the driver's maximum wait.
        var ms = 1 + (2.0 * Factor(osT)) + (osP == 0 ? 0 : (2.0 * Factor(osP)) + 0.5) + (osH == 0 ? 0 : (2.0 * Factor(osH)) + 0.5);
        _busyUntil = Time.GetUtcNow() + TimeSpan.FromMilliseconds(ms);
        _measurementPending = true;
    }

    // When the conversion time has passed, the data registers get the environment's values and the chip sleeps.
    private void Complete()
    {
        if (!_measurementPending || IsMeasuring)
        {
            return;
        }

        _measurementPending = false;
        var ctrl = _regs[CtrlMeas];
        var at = _busyUntil;
        var adcT = (ctrl >> 5) == 0 ? 0x80000 : RawTemperature(Environment.Temperature(at));
        var adcP = ((ctrl >> 2) & 0x07) == 0 ? 0x80000 : RawPressure(Environment.Pressure(at), adcT);
        var adcH = _regs[CtrlHum] == 0 ? 0x8000 : RawHumidity(Environment.Humidity(at), adcT);

        // §5.4.7–5.4.9: press and temp are 20 bits as msb, lsb, xlsb[7:4]; hum is 16 bits as msb, lsb.
        _regs[PressMsb] = (byte)(adcP >> 12);
        _regs[PressMsb + 1] = (byte)(adcP >> 4);
        _regs[PressMsb + 2] = (byte)((adcP & 0x0F) << 4);
        _regs[TempMsb] = (byte)(adcT >> 12);
        _regs[TempMsb + 1] = (byte)(adcT >> 4);
        _regs[TempMsb + 2] = (byte)((adcT & 0x0F) << 4);
        _regs[HumMsb] = (byte)(adcH >> 8);
        _regs[HumMsb + 1] = (byte)adcH;
        _regs[CtrlMeas] = (byte)(ctrl & 0xFC); // back to sleep mode
    }

    private void PowerOn()
    {
        Array.Clear(_regs);
        Trimming.WriteTo(_regs);

        // Data registers' reset values (table 18): 0x80000 / 0x8000, "no measurement yet".
        _regs[PressMsb] = 0x80;
        _regs[TempMsb] = 0x80;
        _regs[HumMsb] = 0x80;
        _pendingCtrlHum = 0;
        _measurementPending = false;
    }

    private static int Factor(int code) => code == 0 ? 0 : 1 << Math.Min(code - 1, 4);

    // Of the raw values within 3 of the (real-valued) inverse, the one whose integer compensation is nearest the target.
    private static int Nearest(double estimate, int max, double target, Func<int, double> compensate)
    {
        var centre = double.IsNaN(estimate) ? 0 : (int)Math.Clamp(Math.Round(estimate), 0, max);
        var best = centre;
        var bestError = double.PositiveInfinity;
        for (var adc = Math.Max(centre - 3, 0); adc <= Math.Min(centre + 3, max); adc++)
        {
            var error = Math.Abs(compensate(adc) - target);
            if (error < bestError)
            {
                best = adc;
                bestError = error;
            }
        }

        return best;
    }
}
