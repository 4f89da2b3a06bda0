using Gateway.FirmwareSim.Chips;

namespace Gateway.FirmwareSim.Tests.Chips;

/// <summary>
/// The simulator's transcription of the BME280 compensation (datasheet BST-BME280-DS002 §4.2.3 and §8.1) against the
/// datasheet's numbers, and its closed-form inverses against the forward formulas.
/// </summary>
public class Bme280FormulasTests
{
    // BMP280 datasheet BST-BMP280-DS001 §3.12, the worked example (the BME280's temperature and pressure trimming and
    // formulas are the same; Bme280Trimming.Typical carries its dig_T1…dig_P9): adc_T = 519888 → t_fine = 128422,
    // T = 25.08 °C; adc_P = 415148 → p = 100653.27 Pa.
    private const int ExampleAdcT = 519888;
    private const int ExampleAdcP = 415148;
    private const int ExampleTFine = 128422;
    private const double ExamplePascal = 100653.27;


    [Fact]
    public void The_integer_temperature_of_the_datasheet_example_is_25_08_degrees_with_t_fine_128422()
    {
        Assert.Equal(2508, Bme280Formulas.TemperatureInt32(ExampleAdcT, Bme280Trimming.Typical, out var tFine));
        Assert.Equal(ExampleTFine, tFine);
    }

    [Fact]
    public void The_double_temperature_of_the_datasheet_example_is_25_08_degrees_with_t_fine_128422()
    {
        Assert.Equal(25.08, Bme280Formulas.TemperatureDouble(ExampleAdcT, Bme280Trimming.Typical, out var tFine), 2);
        Assert.Equal(ExampleTFine, tFine);
    }

    [Fact]
    public void The_double_pressure_of_the_datasheet_example_is_100653_27_pascal()
    {
        // The example table carries t_fine unrounded into the pressure (var1 = 128422.29/2 − 64000 = 211.14) and gets
        // 100653.267; the §8.1 code passes the integer t_fine = 128422 and gets 100653.258.
        var pascal = Bme280Formulas.PressureDouble(ExampleAdcP, ExampleTFine, Bme280Trimming.Typical);
        Assert.InRange(pascal, ExamplePascal - 0.02, ExamplePascal + 0.02);
    }

    [Fact]
    public void The_64_bit_integer_pressure_of_the_datasheet_example_is_within_a_tenth_of_a_pascal_of_100653_27()
    {
        // The datasheet: the integer result "may deviate slightly" from the floating-point one.
        var q24_8 = Bme280Formulas.PressureInt64(ExampleAdcP, ExampleTFine, Bme280Trimming.Typical);
        Assert.InRange(q24_8 / 256.0, ExamplePascal - 0.1, ExamplePascal + 0.1);
    }

    [Fact]
    public void The_inverses_give_back_the_datasheet_examples_raw_values()
    {
        var celsius = Bme280Formulas.TemperatureDouble(ExampleAdcT, Bme280Trimming.Typical, out _);
        Assert.Equal(ExampleAdcT, Bme280Formulas.AdcTemperature(celsius, Bme280Trimming.Typical), 3);
        Assert.InRange(Bme280Formulas.AdcPressure(ExamplePascal, ExampleTFine, Bme280Trimming.Typical), ExampleAdcP - 0.5, ExampleAdcP + 0.5);
    }

    [Theory]
    [MemberData(nameof(Bme280TrimmingCases.Names), MemberType = typeof(Bme280TrimmingCases))]
    public void Integer_and_double_humidity_agree_within_a_hundredth_of_a_percent_across_the_range(string trimming)
    {
        // The datasheet gives no humidity example, but two formulas for the same quantity: each checks the other.
        var t = Bme280TrimmingCases.Named(trimming);
        foreach (var tFine in (int[])[64000, ExampleTFine, 180000])
        {
            for (var adcH = 20000; adcH <= 45000; adcH += 500)
            {
                var integer = Bme280Formulas.HumidityInt32(adcH, tFine, t) / 1024.0;
                var real = Bme280Formulas.HumidityDouble(adcH, tFine, t);
                Assert.True(Math.Abs(integer - real) < 0.01, $"adc_H {adcH}, t_fine {tFine}: integer {integer:0.0000} %, double {real:0.0000} %");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Bme280TrimmingCases.Names), MemberType = typeof(Bme280TrimmingCases))]
    public void Humidity_inverted_and_compensated_again_gives_the_humidity_back(string trimming)
    {
        // From 10 %: with dig_H4 = −20 the offset dig_H4·64 is negative, and below about 7 % adc_H would have to be
        // negative, which the chip cannot report.
        var t = Bme280TrimmingCases.Named(trimming);
        for (var percent = 10.0; percent <= 99.0; percent += 7.0)
        {
            var adc = Bme280Formulas.AdcHumidity(percent, ExampleTFine, t);
            Assert.InRange(adc, 0, Bme280Formulas.MaxAdc16);
            Assert.Equal(percent, Bme280Formulas.HumidityDouble((int)Math.Round(adc), ExampleTFine, t), 2);
        }
    }

    [Fact]
    public void Temperature_and_pressure_inverted_and_compensated_again_give_the_values_back()
    {
        var t = Bme280Trimming.Typical;
        for (var celsius = -40.0; celsius <= 85.0; celsius += 12.5)
        {
            var adcT = (int)Math.Round(Bme280Formulas.AdcTemperature(celsius, t));
            Assert.Equal(celsius, Bme280Formulas.TemperatureDouble(adcT, t, out var tFine), 2);
            for (var pascal = 30000.0; pascal <= 110000.0; pascal += 10000.0)
            {
                var adcP = (int)Math.Round(Bme280Formulas.AdcPressure(pascal, tFine, t));
                Assert.InRange(Bme280Formulas.PressureDouble(adcP, tFine, t) - pascal, -0.2, 0.2);
            }
        }
    }

    [Fact]
    public void A_negative_dig_H4_or_dig_H5_moves_the_raw_humidity_for_the_same_reading()
    {
        // The cases the sign bug needs: with a sign-extended dig_H5 = -30 instead of +50 the same 45 % needs another raw
        // value, so a chip model that ignored the sign would serve the wrong registers.
        var typical = Bme280Formulas.AdcHumidity(45, ExampleTFine, Bme280Trimming.Typical);
        Assert.NotEqual(Math.Round(typical), Math.Round(Bme280Formulas.AdcHumidity(45, ExampleTFine, Bme280Trimming.NegativeH5)));
        Assert.NotEqual(Math.Round(typical), Math.Round(Bme280Formulas.AdcHumidity(45, ExampleTFine, Bme280Trimming.NegativeH4)));
    }
}
