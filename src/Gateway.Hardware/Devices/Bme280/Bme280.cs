using Gateway.Hardware.I2c;
using Gateway.Hardware.Sensors;

namespace Gateway.Hardware.Devices.Bme280;

/// <summary>One BME280 reading.</summary>
/// <param name="TemperatureCelsius">Temperature, 0.01 °C resolution.</param>
/// <param name="PressurePascal">Pressure, Pa.</param>
/// <param name="HumidityPercent">Relative humidity, %.</param>
public readonly record struct Bme280Reading(double TemperatureCelsius, double PressurePascal, double HumidityPercent);

/// <summary>
/// Bosch BME280 humidity, pressure and temperature sensor on I2C (datasheet BST-BME280-DS002), read in forced mode:
/// each read starts one conversion, waits the datasheet's maximum measurement time, checks the status register and
/// reads the data burst. The chip id is checked on every read; soft reset and calibration run on first use and again
/// after any failure, so a chip that was replaced or power-cycled is set up afresh.
/// </summary>
public sealed class Bme280 : ISensor
{
    /// <summary>The BME280's chip id (register 0xD0); a BMP280 answers 0x58.</summary>
    public const byte ChipId = 0x60;

    private const byte ResetCommand = 0xB6;
    private const int StatusPolls = 10;
    private static readonly TimeSpan PollDelay = TimeSpan.FromMilliseconds(2);

    private readonly I2cDevice _device;
    private readonly TimeProvider _time;
    private Bme280Calibration? _calibration;

    /// <summary>Creates the binding; it owns <paramref name="device"/>.</summary>
    public Bme280(I2cDevice device, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(device);
        ArgumentNullException.ThrowIfNull(time);
        _device = device;
        _time = time;
        Description = $"BME280 at {device.ConnectionSettings}";
    }

    /// <inheritdoc/>
    public string Description { get; }

    /// <summary>Temperature oversampling (default ×1).</summary>
    public Bme280Oversampling TemperatureSampling { get; set; } = Bme280Oversampling.X1;

    /// <summary>Pressure oversampling (default ×1).</summary>
    public Bme280Oversampling PressureSampling { get; set; } = Bme280Oversampling.X1;

    /// <summary>Humidity oversampling (default ×1).</summary>
    public Bme280Oversampling HumiditySampling { get; set; } = Bme280Oversampling.X1;

    /// <summary>
    /// The longest a forced-mode conversion takes with the current oversampling, in ms (datasheet §9.1, Appendix B:
    /// t_measure,max = 1.25 + 2.3·T_os + (2.3·P_os + 0.575) + (2.3·H_os + 0.575), terms left out for skipped channels).
    /// </summary>
    public double MaxMeasurementMilliseconds =>
        1.25 + (2.3 * Factor(TemperatureSampling))
        + (PressureSampling == Bme280Oversampling.Skipped ? 0 : (2.3 * Factor(PressureSampling)) + 0.575)
        + (HumiditySampling == Bme280Oversampling.Skipped ? 0 : (2.3 * Factor(HumiditySampling)) + 0.575);

    /// <summary>Takes one forced-mode reading.</summary>
    public async ValueTask<Bme280Reading> ReadAsync(CancellationToken cancellationToken)
    {
        try
        {
            // The chip id is checked on every read (one byte): a different chip at the address must never be
            // read with this chip's calibration.
            CheckChipId();
            var cal = _calibration ?? await InitializeAsync(cancellationToken).ConfigureAwait(false);

            // ctrl_hum only takes effect after ctrl_meas is written (§5.4.3), so it goes first.
            _device.Write([(byte)Bme280Register.CtrlHum, (byte)HumiditySampling]);
            _device.Write([(byte)Bme280Register.CtrlMeas, (byte)(((byte)TemperatureSampling << 5) | ((byte)PressureSampling << 2) | 0b01)]);
            await Task.Delay(TimeSpan.FromMilliseconds(MaxMeasurementMilliseconds), _time, cancellationToken).ConfigureAwait(false);
            await WaitForStatusClearAsync(0x08, "conversion did not finish (status.measuring stays set)", cancellationToken).ConfigureAwait(false);

            Span<byte> data = stackalloc byte[8];
            _device.WriteRead([(byte)Bme280Register.PressMsb], data);
            var adcP = (data[0] << 12) | (data[1] << 4) | (data[2] >> 4);
            var adcT = (data[3] << 12) | (data[4] << 4) | (data[5] >> 4);
            var adcH = (data[6] << 8) | data[7];

            // Skipped or not-yet-measured channels read 0x80000 (T, P) and 0x8000 (H) (§4.2.2).
            if (adcT == 0x80000)
            {
                throw new ImplausibleReadingException($"{Description}: temperature reads 0x80000 (no measurement)", _device.ConnectionSettings.ToString());
            }

            var t = Bme280Compensation.CompensateTemperature(adcT, cal, out var tFine);
            var p = PressureSampling == Bme280Oversampling.Skipped || adcP == 0x80000 ? double.NaN : Bme280Compensation.CompensatePressure(adcP, tFine, cal) / 256.0;
            var h = HumiditySampling == Bme280Oversampling.Skipped || adcH == 0x8000 ? double.NaN : Bme280Compensation.CompensateHumidity(adcH, tFine, cal) / 1024.0;
            return new Bme280Reading(t / 100.0, p, h);
        }
        catch (HardwareException)
        {
            _calibration = null; // re-check the chip on the next read
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

    private void CheckChipId()
    {
        var id = ReadRegister(Bme280Register.Id);
        if (id != ChipId)
        {
            var what = id == 0x58 ? " (a BMP280, which has no humidity sensor)" : string.Empty;
            throw new UnexpectedChipException($"{Description}: chip id is 0x{id:X2}{what}, expected 0x{ChipId:X2}", _device.ConnectionSettings.ToString());
        }
    }

    private async ValueTask<Bme280Calibration> InitializeAsync(CancellationToken cancellationToken)
    {
        _device.Write([(byte)Bme280Register.Reset, ResetCommand]);
        await Task.Delay(TimeSpan.FromMilliseconds(2), _time, cancellationToken).ConfigureAwait(false); // start-up time 2 ms (table 1)
        await WaitForStatusClearAsync(0x01, "NVM copy did not finish after reset (status.im_update stays set)", cancellationToken).ConfigureAwait(false);

        var block1 = new byte[Bme280Calibration.Block1Length];
        var block2 = new byte[Bme280Calibration.Block2Length];
        _device.WriteRead([(byte)Bme280Register.Calib00], block1);
        _device.WriteRead([(byte)Bme280Register.Calib26], block2);
        _calibration = Bme280Calibration.Parse(block1, block2);
        return _calibration;
    }

    private async ValueTask WaitForStatusClearAsync(byte mask, string failure, CancellationToken cancellationToken)
    {
        for (var i = 0; i < StatusPolls; i++)
        {
            if ((ReadRegister(Bme280Register.Status) & mask) == 0)
            {
                return;
            }

            await Task.Delay(PollDelay, _time, cancellationToken).ConfigureAwait(false);
        }

        throw new ImplausibleReadingException($"{Description}: {failure}", _device.ConnectionSettings.ToString());
    }

    private byte ReadRegister(Bme280Register register)
    {
        Span<byte> value = stackalloc byte[1];
        _device.WriteRead([(byte)register], value);
        return value[0];
    }

    private static int Factor(Bme280Oversampling os) => os == Bme280Oversampling.Skipped ? 0 : 1 << ((byte)os - 1);

    /// <inheritdoc/>
    public void Dispose() => _device.Dispose();
}
