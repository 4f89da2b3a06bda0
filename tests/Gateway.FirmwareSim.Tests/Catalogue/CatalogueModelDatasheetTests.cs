using System.Text;
using Gateway.FirmwareSim.Chips;

namespace Gateway.FirmwareSim.Tests.Catalogue;

/// <summary>The catalogue chip models' encodings against the datasheets' own examples.</summary>
public sealed class CatalogueModelDatasheetTests
{
    [Theory]
    [InlineData(125.0, 0x7D00)] // LM75A table 9: +125 °C = 011 1110 1000
    [InlineData(25.0, 0x1900)] // +25 °C = 000 1100 1000
    [InlineData(0.125, 0x0020)] // +0.125 °C = 000 0000 0001
    [InlineData(0.0, 0x0000)]
    [InlineData(-0.125, 0xFFE0)] // −0.125 °C = 111 1111 1111
    [InlineData(-25.0, 0xE700)] // −25 °C = 111 0011 1000
    [InlineData(-55.0, 0xC900)] // −55 °C = 110 0100 1000
    public void Lm75_temperature_register_matches_the_datasheet_table(double celsius, int register)
    {
        Assert.Equal((ushort)register, Lm75Model.TemperatureRegister(celsius));
        Assert.Equal(celsius, Lm75Model.Celsius((ushort)register));
    }

    [Theory]
    [InlineData(0.045, 0x00, 0x01)] // MAX44009 "Lux Reading": exponent 0, mantissa 1 = 0.045 lx, the smallest step
    [InlineData(11.475, 0x0F, 0x0F)] // exponent 0, mantissa 255
    [InlineData(188_006.4, 0xEF, 0x0F)] // exponent 14, mantissa 255: the maximum, 188,006 lx
    [InlineData(1_000_000, 0xFF, 0x0F)] // beyond: exponent 1111, overrange
    public void Max44009_lux_registers_match_the_datasheets_lux_formula(double lux, int high, int low)
    {
        Assert.Equal(((byte)high, (byte)low), Max44009Model.Encode(lux));
    }

    [Fact]
    public void Mlx90614_temperatures_are_0_02_K_counts_and_the_PEC_is_the_SMBus_CRC_8()
    {
        // 0x3AF7 = 15,095 counts = 301.90 K = 28.75 °C (T = raw·0.02 K, §8.7.2).
        Assert.Equal(0x3AF7, Mlx90614Model.TemperatureWord(28.75));

        // CRC-8/SMBUS (polynomial 0x07, initial 0): the catalogue check value of "123456789" is 0xF4.
        Assert.Equal(0xF4, Mlx90614Model.Pec(Encoding.ASCII.GetBytes("123456789")));
    }

    [Theory]
    [InlineData(-50.0, 0)] // AHT20 §6.2: T = S_T/2^20·200 − 50
    [InlineData(50.0, 0x80000)]
    [InlineData(150.0, 0xFFFFF)] // the top of the 20 bits
    public void Aht_temperature_signal_follows_the_datasheet_formula(double celsius, int signal)
    {
        Assert.Equal(signal, AhtModel.TemperatureSignal(celsius));
    }

    [Theory]
    [InlineData(0.0, 0)] // AHT20 §6.1: RH = S_RH/2^20·100 %
    [InlineData(50.0, 0x80000)]
    [InlineData(100.0, 0xFFFFF)]
    public void Aht_humidity_signal_follows_the_datasheet_formula(double percent, int signal)
    {
        Assert.Equal(signal, AhtModel.HumiditySignal(percent));
    }
}
