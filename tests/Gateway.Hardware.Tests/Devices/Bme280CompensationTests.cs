using Gateway.Hardware.Devices.Bme280;

namespace Gateway.Hardware.Tests.Devices;

public class Bme280CompensationTests
{
    // BMP280 datasheet §3.12 worked example (the BME280 uses the same temperature and pressure formulas).
    private static readonly Bme280Calibration Example = new()
    {
        DigT1 = 27504, DigT2 = 26435, DigT3 = -1000,
        DigP1 = 36477, DigP2 = -10685, DigP3 = 3024, DigP4 = 2855, DigP5 = 140, DigP6 = -7, DigP7 = 15500, DigP8 = -14600, DigP9 = 6000,
    };

    [Fact]
    public void Temperature_matches_the_datasheet_example()
    {
        var t = Bme280Compensation.CompensateTemperature(519888, Example, out var tFine);
        Assert.Equal(2508, t);
        Assert.Equal(128422, tFine);
    }

    [Fact]
    public void Pressure_matches_the_64_bit_formula_on_the_datasheet_example()
    {
        var p = Bme280Compensation.CompensatePressure(415148, 128422, Example);
        Assert.Equal(25767233u, p);
        Assert.Equal(100653.25, p / 256.0, 2);
    }

    [Fact]
    public void Pressure_is_zero_rather_than_a_division_by_zero_when_dig_P1_is_zero()
        => Assert.Equal(0u, Bme280Compensation.CompensatePressure(415148, 128422, Example with { DigP1 = 0 }));

    [Fact]
    public void Calibration_blocks_round_trip_including_negative_H4_and_H5()
    {
        var cal = Example with { DigH1 = 75, DigH2 = 362, DigH3 = 0, DigH4 = -300, DigH5 = -7, DigH6 = 30 };
        var b1 = new byte[Bme280Calibration.Block1Length];
        var b2 = new byte[Bme280Calibration.Block2Length];
        cal.Write(b1, b2);

        Assert.Equal(cal, Bme280Calibration.Parse(b1, b2));
    }

    [Fact]
    public void H4_and_H5_are_sign_extended_through_their_most_significant_byte()
    {
        // 0xE4 = 0xFE (-2), 0xE5 = 0x3A, 0xE6 = 0xFF (-1): H4 = -2*16 | 0xA = -22, H5 = -1*16 | 0x3 = -13.
        byte[] b2 = [0x6A, 0x01, 0x00, 0xFE, 0x3A, 0xFF, 0x1E];
        var cal = Bme280Calibration.Parse(new byte[26], b2);
        Assert.Equal(-22, cal.DigH4);
        Assert.Equal(-13, cal.DigH5);
        Assert.Equal(362, cal.DigH2);
        Assert.Equal(30, cal.DigH6);
    }

    [Fact]
    public void Humidity_is_clamped_to_the_range_0_to_100_percent()
    {
        var cal = Example with { DigH1 = 75, DigH2 = 362, DigH3 = 0, DigH4 = 313, DigH5 = 50, DigH6 = 30 };
        Assert.Equal(0u, Bme280Compensation.CompensateHumidity(0, 128422, cal));
        Assert.Equal(100u * 1024, Bme280Compensation.CompensateHumidity(65535, 128422, cal));
        var mid = Bme280Compensation.CompensateHumidity(30000, 128422, cal) / 1024.0;
        Assert.InRange(mid, 1, 99);
    }
}
