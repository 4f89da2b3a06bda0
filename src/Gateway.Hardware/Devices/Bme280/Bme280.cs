using System.Device.I2c;
using Gateway.Hardware.I2c;
using Gateway.Hardware.Sensors;

namespace Gateway.Hardware.Devices.Bme280;

/// <summary>One BME280 reading.</summary>
/// <param name="TemperatureCelsius">Temperature, 0.01 °C resolution.</param>
/// <param name="PressurePascal">Pressure, Pa (1/256 Pa resolution); NaN when pressure oversampling is <see cref="Bme280Oversampling.Skipped"/>.</param>
/// <param name="HumidityPercent">Relative humidity, % (1/1024 % resolution); NaN when humidity oversampling is <see cref="Bme280Oversampling.Skipped"/>.</param>
public readonly record struct Bme280Reading(double TemperatureCelsius, double PressurePascal, double HumidityPercent);

/// <summary>
/// Bosch BME280 humidity, pressure and temperature sensor on I2C (datasheet BST-BME280-DS002), read in forced mode:
/// each read starts one conversion, waits the datasheet's maximum measurement time, confirms the status register
/// says it finished, and reads the data burst. The chip id is checked on every read; soft reset and calibration run
/// on first use and again after any failure, so a chip that was replaced or power-cycled is set up afresh.
/// </summary>
public sealed class Bme280 : ISensor
{
    /// <summary>The BME280's chip id (register 0xD0, §5.4.1).</summary>
    public const byte ChipId = 0x60;

    /// <summary>The chip id a BMP280 (no humidity sensor) answers with.</summary>
    public const byte Bmp280ChipId = 0x58;

    /// <summary>How often the status register is polled, at most, after a wait that should have been long enough.</summary>
    public const int StatusPolls = 10;

    /// <summary>The value written to the reset register for a power-on reset (§5.4.2).</summary>
    private const byte ResetCommand = 0xB6;

    /// <summary>Start-up time after power-on (or soft reset, which runs the power-on sequence): 2 ms (table 1).</summary>
    private static readonly TimeSpan StartupTime = TimeSpan.FromMilliseconds(2);

    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(2);

    private readonly ChipBus _bus;
    private readonly TimeProvider _time;
    private Bme280Calibration? _calibration;
    private Bme280Oversampling _temperatureSampling = Bme280Oversampling.X1;
    private Bme280Oversampling _pressureSampling = Bme280Oversampling.X1;
    private Bme280Oversampling _humiditySampling = Bme280Oversampling.X1;
    private bool _disposed;

    /// <summary>Creates the binding; it owns <paramref name="device"/>. Nothing is sent until the first read.</summary>
    /// <param name="device">The chip (address 0x76 or 0x77).</param>
    /// <param name="time">Clock for the reset and conversion waits.</param>
    public Bme280(I2cDevice device, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(device);
        ArgumentNullException.ThrowIfNull(time);
        Description = $"BME280 at {I2cAddresses.Describe(device.ConnectionSettings)}";
        _bus = new ChipBus(device, Description);
        _time = time;
    }

    /// <inheritdoc/>
    public string Description { get; }

    /// <summary>
    /// Temperature oversampling osrs_t (default ×1). It cannot be skipped: pressure and humidity compensation need
    /// t_fine from the temperature (§4.2.3).
    /// </summary>
    public Bme280Oversampling TemperatureSampling
    {
        get => _temperatureSampling;
        set
        {
            Check(value, nameof(TemperatureSampling));
            if (value == Bme280Oversampling.Skipped)
            {
                throw new ArgumentOutOfRangeException(nameof(TemperatureSampling), value, "temperature cannot be skipped: pressure and humidity compensation need its t_fine");
            }

            _temperatureSampling = value;
        }
    }

    /// <summary>Pressure oversampling osrs_p (default ×1); <see cref="Bme280Oversampling.Skipped"/> leaves pressure out of the readings.</summary>
    public Bme280Oversampling PressureSampling
    {
        get => _pressureSampling;
        set
        {
            Check(value, nameof(PressureSampling));
            _pressureSampling = value;
        }
    }

    /// <summary>Humidity oversampling osrs_h (default ×1); <see cref="Bme280Oversampling.Skipped"/> leaves humidity out of the readings.</summary>
    public Bme280Oversampling HumiditySampling
    {
        get => _humiditySampling;
        set
        {
            Check(value, nameof(HumiditySampling));
            _humiditySampling = value;
        }
    }

    /// <summary>
    /// The longest a forced-mode conversion takes with the current oversampling, in ms (datasheet §9.1, Appendix B:
    /// t_measure,max = 1.25 + 2.3·T_os + (2.3·P_os + 0.575) + (2.3·H_os + 0.575), terms left out for skipped channels).
    /// 9.3 ms at ×1 for all three.
    /// </summary>
    public double MaxMeasurementMilliseconds => MaxMeasurementTime(_temperatureSampling, _pressureSampling, _humiditySampling);

    /// <summary>The maximum measurement time in ms for the given oversampling (datasheet §9.1, Appendix B).</summary>
    public static double MaxMeasurementTime(Bme280Oversampling temperature, Bme280Oversampling pressure, Bme280Oversampling humidity) =>
        1.25
        + (2.3 * Factor(temperature))
        + (pressure == Bme280Oversampling.Skipped ? 0 : (2.3 * Factor(pressure)) + 0.575)
        + (humidity == Bme280Oversampling.Skipped ? 0 : (2.3 * Factor(humidity)) + 0.575);

    /// <summary>Takes one forced-mode reading.</summary>
    /// <exception cref="UnexpectedChipException">The chip id is not 0x60 (e.g. 0x58, a BMP280).</exception>
    /// <exception cref="ImplausibleReadingException">Reset or conversion did not finish, the calibration is blank, or a channel reads its "no measurement" value.</exception>
    /// <exception cref="BusNackException">The chip did not acknowledge.</exception>
    /// <exception cref="BusTimeoutException">The bus is stuck.</exception>
    public async ValueTask<Bme280Reading> ReadAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var osT = _temperatureSampling;
        var osP = _pressureSampling;
        var osH = _humiditySampling;
        try
        {
            // The chip id is checked on every read (one byte): a different chip at the address must never be
            // read with this chip's calibration.
            CheckChipId();
            var cal = _calibration ?? await InitializeAsync(cancellationToken).ConfigureAwait(false);

            // ctrl_hum only takes effect after ctrl_meas is written (§5.4.3), so it goes first.
            _bus.Write([(byte)Bme280Register.CtrlHum, (byte)osH], "writing ctrl_hum (0xF2)");
            var ctrlMeas = (byte)(((byte)osT << 5) | ((byte)osP << 2) | (byte)Bme280Mode.Forced);
            _bus.Write([(byte)Bme280Register.CtrlMeas, ctrlMeas], "starting a forced conversion (ctrl_meas 0xF4)");

            var wait = MaxMeasurementTime(osT, osP, osH);
            await DeviceWaits.Delay(TimeSpan.FromMilliseconds(wait), _time, cancellationToken).ConfigureAwait(false);
            await WaitForStatusClearAsync(
                Bme280Status.Measuring,
                $"conversion did not finish: status.measuring (0xF3 bit 3) still set {wait:0.###} ms + {StatusPolls} polls after the start",
                cancellationToken).ConfigureAwait(false);

            // One burst read of 0xF7–0xFE so that the values belong to the same conversion (§4, data readout).
            Span<byte> data = stackalloc byte[8];
            _bus.WriteRead([(byte)Bme280Register.PressMsb], data, "reading the data registers (0xF7-0xFE)");
            return Compensate(data, cal, osP != Bme280Oversampling.Skipped, osH != Bme280Oversampling.Skipped);
        }
        catch (HardwareException)
        {
            _calibration = null; // reset and re-read the calibration on the next read
            throw;
        }
    }

    /// <inheritdoc/>
    async ValueTask<IReadOnlyList<Measurement>> ISensor.ReadAsync(CancellationToken cancellationToken)
    {
        var r = await ReadAsync(cancellationToken).ConfigureAwait(false);
        var list = new List<Measurement>(3) { new("temperature", r.TemperatureCelsius, Units.Celsius) };
        if (!double.IsNaN(r.PressurePascal))
        {
            list.Add(new("pressure", r.PressurePascal, Units.Pascal));
        }

        if (!double.IsNaN(r.HumidityPercent))
        {
            list.Add(new("humidity", r.HumidityPercent, Units.RelativeHumidity));
        }

        return list;
    }

    /// <summary>Releases the device.</summary>
    public void Dispose()
    {
        if (!_disposed)
        {
            _disposed = true;
            _bus.Dispose();
        }
    }

    private Bme280Reading Compensate(ReadOnlySpan<byte> data, Bme280Calibration cal, bool pressure, bool humidity)
    {
        // Layout (§5.4.7–5.4.9): press 20 bits (xlsb[7:4]), temp 20 bits, hum 16 bits, all MSB first.
        var adcP = (data[0] << 12) | (data[1] << 4) | (data[2] >> 4);
        var adcT = (data[3] << 12) | (data[4] << 4) | (data[5] >> 4);
        var adcH = (data[6] << 8) | data[7];

        // 0x80000 / 0x8000 are the reset values a skipped or never-finished measurement leaves (§4.2.2, table 18):
        // for an enabled channel they mean there is no measurement, so nothing is reported rather than a made-up value.
        if (adcT == 0x80000)
        {
            throw Implausible("temperature reads 0x80000, the value of no measurement");
        }

        if (pressure && adcP == 0x80000)
        {
            throw Implausible("pressure reads 0x80000, the value of no measurement");
        }

        if (humidity && adcH == 0x8000)
        {
            throw Implausible("humidity reads 0x8000, the value of no measurement");
        }

        var t = Bme280Compensation.CompensateTemperature(adcT, cal, out var tFine);
        var p = pressure ? Bme280Compensation.CompensatePressure(adcP, tFine, cal) / 256.0 : double.NaN;
        var h = humidity ? Bme280Compensation.CompensateHumidity(adcH, tFine, cal) / 1024.0 : double.NaN;
        return new Bme280Reading(t / 100.0, p, h);
    }

    private void CheckChipId()
    {
        var id = _bus.ReadRegister((byte)Bme280Register.Id, "reading id (0xD0)");
        if (id != ChipId)
        {
            var what = id == Bmp280ChipId ? " (a BMP280, which has no humidity sensor)" : string.Empty;
            throw new UnexpectedChipException($"{Description}: chip id is 0x{id:X2}{what}, expected 0x{ChipId:X2}", _bus.Location);
        }
    }

    private async ValueTask<Bme280Calibration> InitializeAsync(CancellationToken cancellationToken)
    {
        // Soft reset runs the power-on sequence (§5.4.2); the NVM copy then sets im_update until it is done (§5.4.4).
        _bus.Write([(byte)Bme280Register.Reset, ResetCommand], "writing reset (0xE0)");
        await DeviceWaits.Delay(StartupTime, _time, cancellationToken).ConfigureAwait(false);
        await WaitForStatusClearAsync(
            Bme280Status.ImUpdate,
            $"NVM copy did not finish after reset: status.im_update (0xF3 bit 0) still set after {StatusPolls} polls",
            cancellationToken).ConfigureAwait(false);

        var block1 = new byte[Bme280Calibration.Block1Length];
        var block2 = new byte[Bme280Calibration.Block2Length];
        _bus.WriteRead([(byte)Bme280Register.Calib00], block1, "reading calibration calib00-calib25 (0x88-0xA1)");
        _bus.WriteRead([(byte)Bme280Register.Calib26], block2, "reading calibration calib26-calib41 (0xE1-0xE7)");
        var cal = Bme280Calibration.Parse(block1, block2);

        // dig_T1 and dig_P1 are unsigned scale factors: zero means the block was not read from a trimmed chip
        // (a bus returning zeros), and would make pressure 0 Pa by the datasheet's division guard.
        if (cal.DigT1 == 0 || cal.DigP1 == 0)
        {
            throw Implausible($"calibration is blank (dig_T1 = {cal.DigT1}, dig_P1 = {cal.DigP1})");
        }

        _calibration = cal;
        return cal;
    }

    private async ValueTask WaitForStatusClearAsync(Bme280Status bit, string failure, CancellationToken cancellationToken)
    {
        for (var i = 0; i < StatusPolls; i++)
        {
            var status = (Bme280Status)_bus.ReadRegister((byte)Bme280Register.Status, "reading status (0xF3)");
            if ((status & bit) == 0)
            {
                return;
            }

            if (i < StatusPolls - 1)
            {
                await DeviceWaits.Delay(PollInterval, _time, cancellationToken).ConfigureAwait(false);
            }
        }

        throw Implausible(failure);
    }

    private ImplausibleReadingException Implausible(string what) => new($"{Description}: {what}", _bus.Location);

    private static void Check(Bme280Oversampling value, string name)
    {
        if (!Enum.IsDefined(value))
        {
            throw new ArgumentOutOfRangeException(name, value, "an oversampling code from 000 (skipped) to 101 (×16)");
        }
    }

    private static int Factor(Bme280Oversampling os) => os == Bme280Oversampling.Skipped ? 0 : 1 << ((byte)os - 1);
}
