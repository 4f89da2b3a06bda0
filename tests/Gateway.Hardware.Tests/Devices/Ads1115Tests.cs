using Gateway.Hardware.Devices.Ads1115;
using Gateway.Hardware.Sensors;
using Gateway.Hardware.Tests.Devices.Fakes;
using Microsoft.Extensions.Time.Testing;

namespace Gateway.Hardware.Tests.Devices;

/// <summary>The ADS1115 binding against a register-level fake of the chip.</summary>
public sealed class Ads1115Tests : IDisposable
{
    private readonly FakeTimeProvider _time = Clock.Start();
    private readonly FakeAds1115 _chip;
    private readonly Ads1115 _adc;

    public Ads1115Tests()
    {
        _chip = new FakeAds1115(_time);
        _chip.Codes[0] = 0x7FFF;
        _chip.Codes[1] = unchecked((short)0x8000);
        _chip.Codes[2] = 0x4000;
        _adc = new Ads1115(_chip, _time, [(0, "soil_moisture"), (2, "battery")], Ads1115Gain.Fsr4096);
    }

    public void Dispose() => _adc.Dispose();

    private Task<double> ReadChannel(int channel) => Clock.Drive(_time, () => _adc.ReadVoltageAsync(channel, CancellationToken.None));

    [Fact]
    public async Task Full_scale_codes_read_as_plus_and_minus_full_scale_at_4_096_volts()
    {
        Assert.Equal(4.095875, await ReadChannel(0), 9); // 0x7FFF × 4.096 / 32768
        Assert.Equal(-4.096, await ReadChannel(1), 9);   // 0x8000
    }

    [Fact]
    public async Task Each_configured_channel_is_reported_as_its_configured_quantity_in_volts()
    {
        var m = await Clock.Drive(_time, () => _adc.ReadAsync(CancellationToken.None));

        Assert.Equal([new Measurement("soil_moisture", 4.095875, Units.Volt), new Measurement("battery", 2.048, Units.Volt)], m);
        Assert.Equal([4, 6], _chip.Started.Select(s => s.Mux)); // MUX 100 = AIN0, 110 = AIN2, both vs GND
        Assert.Equal("ADS1115 at i2c-1@0x48", _adc.Description);
    }

    [Fact]
    public async Task A_conversion_is_started_with_the_datasheet_config_word_then_OS_is_polled_then_the_result_read()
    {
        _adc.Gain = Ads1115Gain.Fsr2048;
        _adc.DataRate = Ads1115DataRate.Sps860;

        await ReadChannel(3);

        // OS=1, MUX=111 (AIN3), PGA=010, MODE=1, DR=111, COMP_MODE/POL/LAT=0, COMP_QUE=11.
        Assert.Equal([(ushort)0b1_111_010_1_111_0_0_0_11], _chip.ConfigWrites);
        var transfers = _chip.Transfers.ToList();
        Assert.Equal("W 0x01 0xF5 0xE3", transfers[0]);
        Assert.Equal("W 0x01 R 2", transfers[1]);
        Assert.Equal("W 0x00 R 2", transfers[^1]);
    }

    [Theory]
    [InlineData(Ads1115DataRate.Sps8, 125.0)]
    [InlineData(Ads1115DataRate.Sps128, 7.8125)]
    [InlineData(Ads1115DataRate.Sps860, 1.163)]
    public async Task The_result_is_read_no_sooner_than_one_conversion_period(Ads1115DataRate rate, double periodMs)
    {
        _adc.DataRate = rate;
        await ReadChannel(0);
        Assert.True(_chip.ConversionReads[0] - _chip.Started[0].At >= TimeSpan.FromMilliseconds(periodMs));
    }

    [Fact]
    public async Task A_conversion_slower_than_the_wait_is_polled_for_so_the_previous_result_is_never_returned()
    {
        await ReadChannel(2);              // conversion register now holds AIN2's 0x4000
        _chip.SlowFactor = 1.5;            // beyond the ±10 % the initial wait allows for

        var v = await ReadChannel(0);

        Assert.Equal(4.095875, v, 9);
        Assert.True(_chip.ConfigReads > 2);
    }

    [Fact]
    public async Task A_conversion_that_never_finishes_is_an_implausible_reading_and_the_next_read_after_it_clears_succeeds()
    {
        _chip.Stuck = true;

        var ex = await Assert.ThrowsAsync<ImplausibleReadingException>(() => ReadChannel(0));

        Assert.StartsWith("ADS1115 at i2c-1@0x48: conversion of AIN0 did not finish: OS (config bit 15) still 0", ex.Message, StringComparison.Ordinal);
        Assert.Equal(Ads1115.StatusPolls, _chip.ConfigReads);
        Assert.Empty(_chip.ConversionReads);

        _chip.Stuck = false;
        Assert.Equal(4.095875, await ReadChannel(0), 9);
    }

    [Fact]
    public async Task A_chip_that_does_not_acknowledge_is_a_bus_nack_naming_the_chip_and_reads_again_once_it_answers()
    {
        _chip.Fault = new BusNackException("no acknowledge from i2c-1@0x48", "i2c-1@0x48");

        var ex = await Assert.ThrowsAsync<BusNackException>(() => ReadChannel(2));
        Assert.Equal("no acknowledge from i2c-1@0x48; ADS1115 at i2c-1@0x48 was starting a conversion of AIN2 (config 0xE383)", ex.Message);

        _chip.Fault = null;
        Assert.Equal(2.048, await ReadChannel(2), 9);
    }

    [Fact]
    public void Channels_are_checked_when_the_binding_is_created()
    {
        using var a = new FakeAds1115(_time);
        Assert.Throws<ArgumentException>(() => new Ads1115(a, _time, []));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Ads1115(a, _time, [(4, "x")]));
        Assert.Throws<ArgumentException>(() => new Ads1115(a, _time, [(0, " ")]));
        var ex = Assert.Throws<ArgumentException>(() => new Ads1115(a, _time, [(0, "v"), (1, "v")]));
        Assert.Contains("'v' is given to more than one channel", ex.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => new Ads1115(a, _time, [(0, "v")], (Ads1115Gain)6));
    }

    [Fact]
    public async Task Reading_a_channel_outside_0_to_3_is_an_argument_error_before_anything_is_sent()
    {
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => _adc.ReadVoltageAsync(-1, CancellationToken.None).AsTask());
        Assert.Empty(_chip.Log);
    }

    [Fact]
    public void The_conversion_wait_covers_the_period_and_the_data_rate_tolerance()
    {
        Assert.Equal(1.1 / 128 * 1000 + 0.5, Ads1115.ConversionTime(Ads1115DataRate.Sps128).TotalMilliseconds, 3);
        Assert.Equal(8, Ads1115.SamplesPerSecond(Ads1115DataRate.Sps8));
        Assert.Equal(860, Ads1115.SamplesPerSecond(Ads1115DataRate.Sps860));
    }

    [Fact]
    public void Disposing_the_binding_disposes_its_device()
    {
        _adc.Dispose();
        Assert.True(_chip.Disposed);
    }
}
