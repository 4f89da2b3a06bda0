using Gateway.Hardware.Devices.Sht3x;
using Gateway.Hardware.Sensors;
using Gateway.Hardware.Tests.Devices.Fakes;
using Microsoft.Extensions.Time.Testing;

namespace Gateway.Hardware.Tests.Devices;

/// <summary>The SHT3x binding against a command-level fake of the chip.</summary>
public sealed class Sht3xTests : IDisposable
{
    private readonly FakeTimeProvider _time = Clock.Start();
    private readonly FakeSht3x _chip;
    private readonly Sht3x _sht;

    public Sht3xTests()
    {
        _chip = new FakeSht3x(_time);
        _sht = new Sht3x(_chip, _time);
    }

    public void Dispose() => _sht.Dispose();

    private Task<Sht3xReading> Read() => Clock.Drive(_time, () => _sht.ReadAsync(CancellationToken.None));

    [Fact]
    public async Task A_read_converts_the_raw_words_by_the_datasheet_formulas()
    {
        var r = await Read();

        Assert.Equal(-45 + (175.0 * 26214 / 65535), r.TemperatureCelsius, 10); // 0x6666 → 25.0 °C
        Assert.Equal(25.0, r.TemperatureCelsius, 3);
        Assert.Equal(100.0 * 0x8000 / 65535, r.HumidityPercent, 10);
    }

    [Fact]
    public async Task The_sensor_interface_reports_temperature_and_humidity_in_SenML_units()
    {
        var m = await Clock.Drive(_time, () => ((ISensor)_sht).ReadAsync(CancellationToken.None));

        Assert.Equal([new Measurement("temperature", 25.0, Units.Celsius).Quantity, "humidity"], m.Select(x => x.Quantity));
        Assert.Equal([Units.Celsius, Units.RelativeHumidity], m.Select(x => x.Unit));
        Assert.Equal("SHT3x at i2c-1@0x44", _sht.Description);
    }

    [Theory]
    [InlineData(Sht3xRepeatability.High, 0x2400, 15.5)]
    [InlineData(Sht3xRepeatability.Medium, 0x240B, 6.5)]
    [InlineData(Sht3xRepeatability.Low, 0x2416, 4.5)]
    public async Task A_single_shot_without_clock_stretching_is_read_no_sooner_than_its_maximum_duration(Sht3xRepeatability repeatability, int command, double maxMs)
    {
        _sht.Repeatability = repeatability;
        _chip.MeasurementTime = TimeSpan.FromMilliseconds(1);

        await Read();

        Assert.Equal([(ushort)command], _chip.Commands);
        Assert.Contains($"W 0x{command >> 8:X2} 0x{command & 0xFF:X2}", _chip.Transfers);
        Assert.True(_chip.ResultReads[0] - _chip.Started[0].At >= TimeSpan.FromMilliseconds(maxMs));
    }

    [Fact]
    public async Task A_bad_temperature_crc_is_a_checksum_error_with_both_values_and_never_a_stale_value()
    {
        var first = await Read();
        _chip.RawTemperature = 0x7000;
        _chip.TemperatureCrcError = 0xFF;

        var ex = await Assert.ThrowsAsync<ChecksumException>(Read);

        var good = Sht3x.Crc8([0x70, 0x00]);
        Assert.Equal($"SHT3x at i2c-1@0x44: CRC mismatch on temperature: got 0x{good ^ 0xFF:X2}, computed 0x{good:X2}", ex.Message);
        Assert.Equal("i2c-1@0x44", ex.Device);

        _chip.TemperatureCrcError = 0;
        var after = await Read();
        Assert.NotEqual(first.TemperatureCelsius, after.TemperatureCelsius);
        Assert.Equal(Sht3x.ToCelsius(0x7000), after.TemperatureCelsius);
    }

    [Fact]
    public async Task A_bad_humidity_crc_is_a_checksum_error_too()
    {
        _chip.HumidityCrcError = 0x01;
        var ex = await Assert.ThrowsAsync<ChecksumException>(Read);
        Assert.Contains("CRC mismatch on humidity", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_chip_that_does_not_acknowledge_is_a_bus_nack_naming_the_chip_and_reads_again_once_it_answers()
    {
        _chip.Fault = new BusNackException("no acknowledge from i2c-1@0x44", "i2c-1@0x44");

        var ex = await Assert.ThrowsAsync<BusNackException>(Read);
        Assert.Equal("no acknowledge from i2c-1@0x44; SHT3x at i2c-1@0x44 was starting a single-shot measurement (0x2400)", ex.Message);

        _chip.Fault = null;
        Assert.Equal(25.0, (await Read()).TemperatureCelsius, 3);
    }

    [Fact]
    public async Task A_measurement_that_never_finishes_leaves_the_read_unacknowledged()
    {
        _chip.Stuck = true;
        var ex = await Assert.ThrowsAsync<BusNackException>(Read);
        Assert.Contains("SHT3x at i2c-1@0x44 was reading the measurement", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Soft_reset_sends_0x30A2_and_waits_the_reset_time()
    {
        var started = _time.GetUtcNow();
        await Clock.Drive(_time, () => _sht.ResetAsync(CancellationToken.None));

        Assert.Equal([(ushort)0x30A2], _chip.Commands);
        Assert.True(_time.GetUtcNow() - started >= TimeSpan.FromMilliseconds(1.5));
    }

    [Fact]
    public void Repeatability_must_be_one_of_the_datasheets_three()
        => Assert.Throws<ArgumentOutOfRangeException>(() => _sht.Repeatability = (Sht3xRepeatability)7);

    [Fact]
    public void Disposing_the_binding_disposes_its_device()
    {
        _sht.Dispose();
        Assert.True(_chip.Disposed);
    }
}
