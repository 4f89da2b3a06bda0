using Gateway.Hardware;
using Gateway.Hardware.Devices.Ads1115;
using Gateway.Hardware.Devices.Bh1750;
using Gateway.Hardware.Devices.Ds18b20;
using Gateway.Hardware.Devices.Sht3x;

namespace Gateway.Hardware.Tests.Devices;

/// <summary>The bindings' pure arithmetic against the datasheets' own check values.</summary>
public class DatasheetValueTests
{
    [Fact]
    public void Sht3x_crc_of_0xBEEF_is_0x92() => Assert.Equal(0x92, Sht3x.Crc8([0xBE, 0xEF]));

    [Theory]
    [InlineData(0x0000, -45.0)]
    [InlineData(0xFFFF, 130.0)]
    [InlineData(0x6666, 25.0)] // 26214/65535·175 − 45 = 25.000
    public void Sht3x_temperature_conversion(int raw, double celsius) => Assert.Equal(celsius, Sht3x.ToCelsius((ushort)raw), 3);

    [Theory]
    [InlineData(0x0000, 0.0)]
    [InlineData(0xFFFF, 100.0)]
    [InlineData(0x8000, 50.0)]
    public void Sht3x_humidity_conversion(int raw, double percent) => Assert.Equal(percent, Sht3x.ToPercent((ushort)raw), 2);

    [Fact]
    public void Bh1750_datasheet_example_0x8390_is_about_28067_lux() => Assert.Equal(28067, Bh1750.ToLux(0x8390), 0);

    [Fact]
    public void Bh1750_a_larger_measurement_time_scales_lux_down() => Assert.Equal(Bh1750.ToLux(0x8390) / 2, Bh1750.ToLux(0x8390, 138), 6);

    [Theory]
    [InlineData(Ads1115Gain.Fsr6144, 6.144)]
    [InlineData(Ads1115Gain.Fsr4096, 4.096)]
    [InlineData(Ads1115Gain.Fsr2048, 2.048)]
    [InlineData(Ads1115Gain.Fsr1024, 1.024)]
    [InlineData(Ads1115Gain.Fsr0512, 0.512)]
    [InlineData(Ads1115Gain.Fsr0256, 0.256)]
    public void Ads1115_full_scale_codes_map_to_plus_and_minus_full_scale(Ads1115Gain gain, double fsr)
    {
        Assert.Equal(fsr * 32767 / 32768, Ads1115.ToVolts(0x7FFF, gain), 9);
        Assert.Equal(-fsr, Ads1115.ToVolts(unchecked((short)0x8000), gain), 9);
        Assert.Equal(0, Ads1115.ToVolts(0, gain));
        Assert.Equal(gain, Ads1115.GainFor(fsr));
    }

    [Fact]
    public void Ads1115_single_shot_config_word_matches_the_datasheet_layout()
    {
        // OS=1, MUX=110 (AIN2 vs GND), PGA=001 (±4.096 V), MODE=1, DR=100 (128 SPS), COMP_QUE=11.
        Assert.Equal(0b1_110_001_1_100_0_0_0_11, Ads1115.ConfigFor(2, Ads1115Gain.Fsr4096));
        Assert.Equal(0xC383, Ads1115.ConfigFor(0, Ads1115Gain.Fsr4096));
    }

    [Fact]
    public void Ds18b20_reads_millidegrees_when_the_crc_says_yes()
    {
        const string file = "72 01 4b 46 7f ff 0e 10 57 : crc=57 YES\n72 01 4b 46 7f ff 0e 10 57 t=23125\n";
        Assert.Equal(23.125, Ds18b20.ParseW1Slave(file, "28-000005e2fdc3"));
        Assert.Equal(-10.125, Ds18b20.ParseW1Slave("5e ff 4b 46 7f ff 02 10 d8 : crc=d8 YES\n5e ff 4b 46 7f ff 02 10 d8 t=-10125", "28-x"));
    }

    [Fact]
    public void Ds18b20_a_crc_NO_is_a_checksum_error_never_a_value()
    {
        var ex = Assert.Throws<ChecksumException>(() =>
            Ds18b20.ParseW1Slave("72 01 4b 46 7f ff 0e 10 57 : crc=12 NO\n72 01 4b 46 7f ff 0e 10 57 t=23125\n", "28-000005e2fdc3"));
        Assert.Contains("crc=12 NO", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(85000, "power-on reset")]
    [InlineData(127937, "power fault")]
    public void Ds18b20_power_on_and_power_fault_values_are_refused(int milli, string what)
    {
        var ex = Assert.Throws<ImplausibleReadingException>(() =>
            Ds18b20.ParseW1Slave($"50 05 4b 46 7f ff 0c 10 1c : crc=1c YES\n50 05 4b 46 7f ff 0c 10 1c t={milli}\n", "28-x"));
        Assert.Contains(what, ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("garbage")]
    [InlineData("72 01 : crc=57 YES\nno temperature here")]
    [InlineData("72 01 no verdict\n72 01 t=1000")]
    public void Ds18b20_a_malformed_file_is_a_hardware_error_saying_what_was_wrong(string content)
    {
        var ex = Assert.ThrowsAny<HardwareException>(() => Ds18b20.ParseW1Slave(content, "28-x"));
        Assert.StartsWith("DS18B20 at 1-Wire 28-x: w1_slave", ex.Message, StringComparison.Ordinal);
    }
}
