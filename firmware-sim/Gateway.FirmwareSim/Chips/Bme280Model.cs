using Gateway.FirmwareSim.Environment;
using Gateway.FirmwareSim.Faults;
using Gateway.Hardware.Devices.Bme280;

namespace Gateway.FirmwareSim.Chips;

/// <summary>
/// BME280 at register level (datasheet BST-BME280-DS002): chip id, soft reset with the NVM-copy flag, ctrl_hum
/// latched by a ctrl_meas write, forced mode with the measuring flag held for the conversion time, data registers
/// holding raw ADC values that the real compensation turns back into the environment's values (the model inverts
/// the datasheet formulas by bisection), auto-incrementing reads and reg/value pair writes (§6.2.1).
/// </summary>
public sealed class Bme280Model : I2cChipModel
{
    /// <summary>
    /// The calibration this chip carries: dig_T1–dig_P9 are the BMP280 datasheet §3.12 example values, the humidity
    /// trimming values are typical of BME280 modules (H4 and H5 positive here; the binding's tests cover negative ones).
    /// </summary>
    public static readonly Bme280Calibration Calibration = new()
    {
        DigT1 = 27504, DigT2 = 26435, DigT3 = -1000,
        DigP1 = 36477, DigP2 = -10685, DigP3 = 3024, DigP4 = 2855, DigP5 = 140, DigP6 = -7, DigP7 = 15500, DigP8 = -14600, DigP9 = 6000,
        DigH1 = 75, DigH2 = 362, DigH3 = 0, DigH4 = 313, DigH5 = 50, DigH6 = 30,
    };

    private readonly byte[] _regs = new byte[256];
    private byte _pointer;
    private byte _pendingCtrlHum;
    private DateTimeOffset _busyUntil = DateTimeOffset.MinValue;
    private DateTimeOffset _nvmCopyUntil = DateTimeOffset.MinValue;
    private bool _measurementPending;

    /// <summary>Creates the chip in its power-on state.</summary>
    public Bme280Model(string name, string location, TimeProvider time, EnvironmentModel environment, FaultController faults)
        : base(name, "bme280", location, time, environment, faults) => PowerOn();

    /// <summary>Raw (ADC) temperature for <paramref name="celsius"/>: the inverse of the datasheet compensation.</summary>
    public static int RawTemperature(double celsius) =>
        Bisect(0, (1 << 20) - 1, adc => Bme280Compensation.CompensateTemperature(adc, Calibration, out _) >= Math.Round(celsius * 100));

    /// <summary>Raw pressure for <paramref name="pascal"/> at the fine temperature of <paramref name="adcT"/>.</summary>
    public static int RawPressure(double pascal, int adcT)
    {
        Bme280Compensation.CompensateTemperature(adcT, Calibration, out var tFine);
        // Compensated pressure falls as the raw value rises.
        return Bisect(0, (1 << 20) - 1, adc => Bme280Compensation.CompensatePressure(adc, tFine, Calibration) <= pascal * 256);
    }

    /// <summary>Raw humidity for <paramref name="percent"/> at the fine temperature of <paramref name="adcT"/>.</summary>
    public static int RawHumidity(double percent, int adcT)
    {
        Bme280Compensation.CompensateTemperature(adcT, Calibration, out var tFine);
        return Bisect(0, 0xFFFF, adc => Bme280Compensation.CompensateHumidity(adc, tFine, Calibration) >= percent * 1024);
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
        (byte)Bme280Register.Id => Has(FaultKind.WrongId) ? (byte)0x58 : Bme280.ChipId,
        (byte)Bme280Register.Status => (byte)((Measuring ? 0x08 : 0) | (Time.GetUtcNow() < _nvmCopyUntil ? 0x01 : 0)),
        _ => _regs[register],
    };

    private bool Measuring => Time.GetUtcNow() < _busyUntil || (_measurementPending && Has(FaultKind.Stuck));

    private void WriteRegister(byte register, byte value)
    {
        switch (register)
        {
            case (byte)Bme280Register.Reset when value == 0xB6:
                PowerOn();
                _nvmCopyUntil = Time.GetUtcNow() + TimeSpan.FromMilliseconds(1);
                break;
            case (byte)Bme280Register.CtrlHum:
                _pendingCtrlHum = (byte)(value & 0x07); // latched by the next ctrl_meas write (§5.4.3)
                break;
            case (byte)Bme280Register.CtrlMeas:
                _regs[(byte)Bme280Register.CtrlHum] = _pendingCtrlHum;
                _regs[register] = value;
                if ((value & 0x03) is 0b01 or 0b10)
                {
                    StartForced(value);
                }

                break;
            case (byte)Bme280Register.Config:
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
        var osH = _regs[(byte)Bme280Register.CtrlHum] & 0x07;

        // Typical conversion time (§9.1): 1 + 2·T + (2·P + 0.5) + (2·H + 0.5) ms, below the driver's maximum wait.
        var ms = 1 + (2.0 * Factor(osT)) + (osP == 0 ? 0 : (2.0 * Factor(osP)) + 0.5) + (osH == 0 ? 0 : (2.0 * Factor(osH)) + 0.5);
        _busyUntil = Time.GetUtcNow() + TimeSpan.FromMilliseconds(ms);
        _measurementPending = true;
    }

    // When the conversion time has passed, the data registers get the environment's values and the chip sleeps.
    private void Complete()
    {
        if (!_measurementPending || Measuring)
        {
            return;
        }

        _measurementPending = false;
        var ctrl = _regs[(byte)Bme280Register.CtrlMeas];
        var at = _busyUntil;
        var adcT = (ctrl >> 5) == 0 ? 0x80000 : RawTemperature(Environment.Temperature(at));
        var adcP = ((ctrl >> 2) & 0x07) == 0 ? 0x80000 : RawPressure(Environment.Pressure(at), adcT);
        var adcH = _regs[(byte)Bme280Register.CtrlHum] == 0 ? 0x8000 : RawHumidity(Environment.Humidity(at), adcT);
        _regs[0xF7] = (byte)(adcP >> 12);
        _regs[0xF8] = (byte)(adcP >> 4);
        _regs[0xF9] = (byte)((adcP & 0x0F) << 4);
        _regs[0xFA] = (byte)(adcT >> 12);
        _regs[0xFB] = (byte)(adcT >> 4);
        _regs[0xFC] = (byte)((adcT & 0x0F) << 4);
        _regs[0xFD] = (byte)(adcH >> 8);
        _regs[0xFE] = (byte)adcH;
        _regs[(byte)Bme280Register.CtrlMeas] = (byte)(ctrl & 0xFC); // back to sleep mode
    }

    private void PowerOn()
    {
        Array.Clear(_regs);
        Calibration.Write(_regs.AsSpan(0x88, Bme280Calibration.Block1Length), _regs.AsSpan(0xE1, Bme280Calibration.Block2Length));

        // Data registers' reset values (table 18): 0x80000 / 0x8000, "no measurement yet".
        _regs[0xF7] = 0x80;
        _regs[0xFA] = 0x80;
        _regs[0xFD] = 0x80;
        _pendingCtrlHum = 0;
        _measurementPending = false;
    }

    private static int Factor(int code) => code == 0 ? 0 : 1 << Math.Min(code - 1, 4);

    // Smallest value in [lo, hi] for which the monotonic predicate holds (hi when none does).
    private static int Bisect(int lo, int hi, Func<int, bool> reached)
    {
        while (lo < hi)
        {
            var mid = lo + ((hi - lo) / 2);
            if (reached(mid))
            {
                hi = mid;
            }
            else
            {
                lo = mid + 1;
            }
        }

        return lo;
    }
}
