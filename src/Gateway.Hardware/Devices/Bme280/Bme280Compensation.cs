namespace Gateway.Hardware.Devices.Bme280;

/// <summary>
/// The BME280's integer compensation formulas, exactly as datasheet BST-BME280-DS002 §4.2.3 and §8.2 give them
/// (32-bit temperature, 64-bit pressure, 32-bit humidity). Pure functions: raw ADC values in, fixed-point out.
/// </summary>
public static class Bme280Compensation
{
    /// <summary>Temperature in 0.01 °C ("5123" = 51.23 °C), and t_fine, the fine temperature the other two need.</summary>
    public static int CompensateTemperature(int adcT, Bme280Calibration cal, out int tFine)
    {
        ArgumentNullException.ThrowIfNull(cal);
        var var1 = (((adcT >> 3) - (cal.DigT1 << 1)) * cal.DigT2) >> 11;
        var var2 = (((((adcT >> 4) - cal.DigT1) * ((adcT >> 4) - cal.DigT1)) >> 12) * cal.DigT3) >> 14;
        tFine = var1 + var2;
        return ((tFine * 5) + 128) >> 8;
    }

    /// <summary>Pressure in Pa as unsigned Q24.8 ("24674867" = 24674867/256 = 96386.2 Pa); 0 when dig_P1 is 0.</summary>
    public static uint CompensatePressure(int adcP, int tFine, Bme280Calibration cal)
    {
        ArgumentNullException.ThrowIfNull(cal);
        long var1 = tFine - 128000L;
        var var2 = var1 * var1 * cal.DigP6;
        var2 += (var1 * cal.DigP5) << 17;
        var2 += (long)cal.DigP4 << 35;
        var1 = ((var1 * var1 * cal.DigP3) >> 8) + ((var1 * cal.DigP2) << 12);
        var1 = (((1L << 47) + var1) * cal.DigP1) >> 33;
        if (var1 == 0)
        {
            return 0; // the datasheet's guard against division by zero
        }

        long p = 1048576 - adcP;
        p = (((p << 31) - var2) * 3125) / var1;
        var1 = (cal.DigP9 * (p >> 13) * (p >> 13)) >> 25;
        var2 = (cal.DigP8 * p) >> 19;
        p = ((p + var1 + var2) >> 8) + ((long)cal.DigP7 << 4);
        return (uint)p;
    }

    /// <summary>Relative humidity in %RH as unsigned Q22.10 ("47445" = 47445/1024 = 46.333 %RH), clamped to 0–100 %.</summary>
    public static uint CompensateHumidity(int adcH, int tFine, Bme280Calibration cal)
    {
        ArgumentNullException.ThrowIfNull(cal);
        var v = tFine - 76800;
        v = ((((adcH << 14) - (cal.DigH4 << 20) - (cal.DigH5 * v)) + 16384) >> 15)
            * (((((((v * cal.DigH6) >> 10) * (((v * cal.DigH3) >> 11) + 32768)) >> 10) + 2097152) * cal.DigH2 + 8192) >> 14);
        v -= ((((v >> 15) * (v >> 15)) >> 7) * cal.DigH1) >> 4;
        v = Math.Clamp(v, 0, 419430400);
        return (uint)(v >> 12);
    }
}
