using Gateway.Hardware.Devices.Bme280;
using Gateway.Hardware.Sensors;
using Gateway.Hardware.Tests.Devices.Fakes;
using Microsoft.Extensions.Time.Testing;

namespace Gateway.Hardware.Tests.Devices;

/// <summary>The BME280 binding against a register-level fake of the chip.</summary>
public sealed class Bme280Tests : IDisposable
{
    private readonly FakeTimeProvider _time = Clock.Start();
    private readonly FakeBme280 _chip;
    private readonly Bme280 _bme;

    public Bme280Tests()
    {
        _chip = new FakeBme280(_time);
        _bme = new Bme280(_chip, _time);
    }

    public void Dispose() => _bme.Dispose();

    private Task<Bme280Reading> Read() => Clock.Drive(_time, () => _bme.ReadAsync(CancellationToken.None));

    // The BME280 datasheet §8.1 floating-point humidity formula: an independent check of the integer path.
    private static double HumidityByDatasheetDoubleFormula(int adcH, int tFine, Bme280Calibration c)
    {
        var h = tFine - 76800.0;
        h = (adcH - ((c.DigH4 * 64.0) + (c.DigH5 / 16384.0 * h)))
            * (c.DigH2 / 65536.0 * (1.0 + (c.DigH6 / 67108864.0 * h * (1.0 + (c.DigH3 / 67108864.0 * h)))));
        h *= 1.0 - (c.DigH1 * h / 524288.0);
        return Math.Clamp(h, 0, 100);
    }

    [Fact]
    public async Task A_read_of_the_datasheet_example_gives_25_08_degrees_and_100653_25_pascal()
    {
        var r = await Read();

        // BMP280 datasheet §3.12: adc_T 519888 → 25.08 °C (t_fine 128422); adc_P 415148 → 100653.25 Pa (64-bit formula).
        Assert.Equal(25.08, r.TemperatureCelsius, 10);
        Assert.Equal(100653.25, r.PressurePascal, 2);
        Assert.Equal(HumidityByDatasheetDoubleFormula(30000, 128422, FakeBme280.Calibration), r.HumidityPercent, 1);
    }

    [Fact]
    public async Task The_sensor_interface_reports_temperature_pressure_and_humidity_in_SenML_units()
    {
        var m = await Clock.Drive(_time, () => ((ISensor)_bme).ReadAsync(CancellationToken.None));

        Assert.Equal(["temperature", "pressure", "humidity"], m.Select(x => x.Quantity));
        Assert.Equal([Units.Celsius, Units.Pascal, Units.RelativeHumidity], m.Select(x => x.Unit));
        Assert.Equal("BME280 at i2c-1@0x76", _bme.Description);
    }

    [Fact]
    public async Task The_first_read_checks_the_id_resets_waits_for_the_NVM_copy_and_reads_both_calibration_blocks()
    {
        _chip.NvmCopyTime = TimeSpan.FromMilliseconds(5); // longer than the 2 ms start-up time: im_update must be polled
        await Read();

        var transfers = _chip.Transfers.ToList();
        Assert.Equal("W 0xD0 R 1", transfers[0]);
        Assert.Equal("W 0xE0 0xB6", transfers[1]);
        var calib1 = transfers.IndexOf("W 0x88 R 26");
        var calib2 = transfers.IndexOf("W 0xE1 R 7");
        Assert.True(calib1 > 1 && calib2 > calib1);
        Assert.Contains("W 0xF3 R 1", transfers[2..calib1]); // im_update polled between reset and calibration
        var calibAt = _chip.Log[calib1].At;
        Assert.True(calibAt - _chip.Log[1].At >= TimeSpan.FromMilliseconds(5), "calibration read before the NVM copy finished");
    }

    [Fact]
    public async Task Every_read_writes_ctrl_hum_before_ctrl_meas_so_that_the_humidity_setting_is_latched()
    {
        _bme.HumiditySampling = Bme280Oversampling.X4;
        _bme.TemperatureSampling = Bme280Oversampling.X2;
        _bme.PressureSampling = Bme280Oversampling.X16;
        await Read();
        await Read();

        var writes = _chip.Transfers.Where(t => t.StartsWith("W 0xF2 ", StringComparison.Ordinal) || t.StartsWith("W 0xF4 ", StringComparison.Ordinal)).ToList();
        // ctrl_meas = osrs_t 010, osrs_p 101, mode 01 (forced) = 0b010_101_01 = 0x55.
        Assert.Equal(["W 0xF2 0x03", "W 0xF4 0x55", "W 0xF2 0x03", "W 0xF4 0x55"], writes);
        Assert.Equal([(byte)0x03, (byte)0x03], _chip.LatchedCtrlHum);
    }

    [Theory]
    [InlineData(Bme280Oversampling.X1, Bme280Oversampling.X1, Bme280Oversampling.X1, 9.3)]
    [InlineData(Bme280Oversampling.X16, Bme280Oversampling.X16, Bme280Oversampling.X16, 112.8)]
    [InlineData(Bme280Oversampling.X1, Bme280Oversampling.Skipped, Bme280Oversampling.Skipped, 3.55)]
    public async Task The_data_are_read_no_sooner_than_the_datasheets_maximum_measurement_time(
        Bme280Oversampling t, Bme280Oversampling p, Bme280Oversampling h, double maxMs)
    {
        _bme.TemperatureSampling = t;
        _bme.PressureSampling = p;
        _bme.HumiditySampling = h;
        Assert.Equal(maxMs, _bme.MaxMeasurementMilliseconds, 6); // §9.1, Appendix B
        _chip.ConversionTime = TimeSpan.FromMilliseconds(1);

        await Read();

        var waited = _chip.DataReads[0] - _chip.ConversionsStarted[0];
        Assert.True(waited >= TimeSpan.FromMilliseconds(maxMs), $"data read {waited.TotalMilliseconds} ms after the start");
    }

    [Fact]
    public async Task A_conversion_that_outlasts_the_maximum_time_is_waited_for_by_polling_status_measuring()
    {
        _chip.ConversionTime = TimeSpan.FromMilliseconds(15); // beyond the 9.3 ms maximum but within the polls

        var r = await Read();

        Assert.Equal(25.08, r.TemperatureCelsius, 10);
        Assert.True(_chip.DataReads[0] - _chip.ConversionsStarted[0] >= TimeSpan.FromMilliseconds(15));
    }

    [Fact]
    public async Task A_conversion_that_never_finishes_is_an_implausible_reading_and_the_next_read_after_it_clears_succeeds()
    {
        _chip.MeasuringStuck = true;
        var ex = await Assert.ThrowsAsync<ImplausibleReadingException>(Read);
        Assert.StartsWith("BME280 at i2c-1@0x76: conversion did not finish", ex.Message, StringComparison.Ordinal);
        Assert.Empty(_chip.DataReads); // nothing was read, so nothing stale can be returned
        Assert.Equal(1 + Bme280.StatusPolls, _chip.Transfers.Count(t => t == "W 0xF3 R 1"));

        _chip.MeasuringStuck = false;
        var r = await Read();
        Assert.Equal(25.08, r.TemperatureCelsius, 10);
        Assert.Equal(2, _chip.Resets); // set up afresh after the failure
    }

    [Fact]
    public async Task An_NVM_copy_that_never_finishes_is_an_implausible_reading()
    {
        _chip.NvmCopyStuck = true;
        var ex = await Assert.ThrowsAsync<ImplausibleReadingException>(Read);
        Assert.Contains("NVM copy did not finish after reset", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("W 0x88 R 26", _chip.Transfers);
    }

    [Fact]
    public async Task A_BMP280_at_the_address_is_an_unexpected_chip_named_in_the_message()
    {
        _chip.Registers[(byte)Bme280Register.Id] = 0x58;

        var ex = await Assert.ThrowsAsync<UnexpectedChipException>(Read);

        Assert.Equal("BME280 at i2c-1@0x76: chip id is 0x58 (a BMP280, which has no humidity sensor), expected 0x60", ex.Message);
        Assert.Equal("i2c-1@0x76", ex.Device);
        Assert.Equal(0, _chip.Resets); // nothing is written to a chip that is not ours
    }

    [Fact]
    public async Task The_chip_id_is_checked_on_every_read_not_only_the_first()
    {
        await Read();
        _chip.Registers[(byte)Bme280Register.Id] = 0x55;

        var ex = await Assert.ThrowsAsync<UnexpectedChipException>(Read);
        Assert.Contains("chip id is 0x55, expected 0x60", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_chip_that_does_not_acknowledge_is_a_bus_nack_naming_the_chip_and_the_step_then_reads_again_once_it_answers()
    {
        var before = await Read();
        _chip.Fault = new BusNackException("no acknowledge from i2c-1@0x76", "i2c-1@0x76", 6);

        var ex = await Assert.ThrowsAsync<BusNackException>(Read);
        Assert.Equal("no acknowledge from i2c-1@0x76; BME280 at i2c-1@0x76 was reading id (0xD0)", ex.Message);
        Assert.Equal("i2c-1@0x76", ex.Device);
        Assert.Equal(6, ex.Errno);

        _chip.Fault = null;
        var after = await Read();
        Assert.Equal(before, after);
        Assert.Equal(2, _chip.Resets);
    }

    [Fact]
    public async Task A_bus_timeout_stays_a_bus_timeout()
    {
        _chip.Fault = new BusTimeoutException("bus timeout: SCL held low", "i2c-1@0x76");
        var ex = await Assert.ThrowsAsync<BusTimeoutException>(Read);
        Assert.Contains("BME280 at i2c-1@0x76", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_enabled_channel_reading_its_no_measurement_value_is_refused_not_reported()
    {
        _chip.RawPressure = 0x80000;
        var ex = await Assert.ThrowsAsync<ImplausibleReadingException>(Read);
        Assert.Equal("BME280 at i2c-1@0x76: pressure reads 0x80000, the value of no measurement", ex.Message);

        _chip.RawPressure = 415148;
        _chip.RawHumidity = 0x8000;
        ex = await Assert.ThrowsAsync<ImplausibleReadingException>(Read);
        Assert.Contains("humidity reads 0x8000", ex.Message, StringComparison.Ordinal);

        _chip.RawHumidity = 30000;
        _chip.RawTemperature = 0x80000;
        ex = await Assert.ThrowsAsync<ImplausibleReadingException>(Read);
        Assert.Contains("temperature reads 0x80000", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Skipped_channels_are_left_out_of_the_measurements()
    {
        _bme.HumiditySampling = Bme280Oversampling.Skipped;
        _bme.PressureSampling = Bme280Oversampling.Skipped;

        var m = await Clock.Drive(_time, () => ((ISensor)_bme).ReadAsync(CancellationToken.None));

        Assert.Equal(["temperature"], m.Select(x => x.Quantity));
        Assert.Contains("W 0xF2 0x00", _chip.Transfers);
        Assert.Contains("W 0xF4 0x21", _chip.Transfers); // osrs_t 001, osrs_p 000, forced
    }

    [Fact]
    public void Temperature_cannot_be_skipped_because_the_others_need_its_t_fine()
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => _bme.TemperatureSampling = Bme280Oversampling.Skipped);
        Assert.Contains("t_fine", ex.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => _bme.HumiditySampling = (Bme280Oversampling)6);
    }

    [Fact]
    public async Task A_blank_calibration_is_refused_rather_than_turned_into_zero_pascal()
    {
        // A chip whose calibration reads all zeros (e.g. a bus that returns zeros): dig_P1 = 0 would make pressure 0 Pa.
        using var blank = new BlankCalibrationBme280(_time);
        using var bme = new Bme280(blank, _time);

        var ex = await Assert.ThrowsAsync<ImplausibleReadingException>(() => Clock.Drive(_time, () => bme.ReadAsync(CancellationToken.None)));

        Assert.Equal("BME280 at i2c-1@0x77: calibration is blank (dig_T1 = 0, dig_P1 = 0)", ex.Message);
    }

    [Fact]
    public async Task Disposing_the_binding_disposes_its_device()
    {
        await Read();
        _bme.Dispose();
        Assert.True(_chip.Disposed);
        await Assert.ThrowsAsync<ObjectDisposedException>(() => _bme.ReadAsync(CancellationToken.None).AsTask());
    }

    private sealed class BlankCalibrationBme280(TimeProvider time) : RegisterI2cDevice(0x77, time)
    {
        protected override void OnWrite(ReadOnlySpan<byte> data) => Pointer = data.IsEmpty ? Pointer : data[0];

        protected override byte ReadRegister(byte register) => register == (byte)Bme280Register.Id ? Bme280.ChipId : (byte)0;
    }
}
