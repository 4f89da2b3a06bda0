namespace Gateway.FirmwareSim.Chips;

/// <summary>
/// The BME280's compensation formulas as the simulator's own transcription of datasheet BST-BME280-DS002 — the
/// integer code of §4.2.3 (32-bit temperature and humidity, 64-bit pressure) and the floating-point code of §8.1 —
/// and their inverses, solved in closed form from the §8.1 formulas: from a temperature, pressure or humidity to the
/// raw ADC value a chip with <see cref="Bme280Trimming"/> would report. Pure functions; names are the datasheet's.
/// </summary>
/// <remarks>
/// Deliberately not the gateway binding's code: the simulated chip must be able to catch a compensation bug in it.
/// </remarks>
public static class Bme280Formulas
{
    /// <summary>Largest 20-bit raw temperature or pressure (§4: "20 bit" data, registers 0xF7–0xFC).</summary>
    public const int MaxAdc20 = (1 << 20) - 1;

    /// <summary>Largest 16-bit raw humidity (registers 0xFD–0xFE).</summary>
    public const int MaxAdc16 = 0xFFFF;

    /// <summary>§4.2.3 BME280_compensate_T_int32: temperature in 0.01 °C ("5123" is 51.23 °C), and t_fine.</summary>
    public static int TemperatureInt32(int adcT, Bme280Trimming trimming, out int tFine)
    {
        ArgumentNullException.ThrowIfNull(trimming);
        int t1 = trimming.DigT1, t2 = trimming.DigT2, t3 = trimming.DigT3;
        var var1 = (((adcT >> 3) - (t1 << 1)) * t2) >> 11;
        var var2 = (((((adcT >> 4) - t1) * ((adcT >> 4) - t1)) >> 12) * t3) >> 14;
        tFine = var1 + var2;
        return ((tFine * 5) + 128) >> 8;
    }

    /// <summary>§4.2.3 BME280_compensate_P_int64: pressure in Pa as unsigned Q24.8 ("24674867" is 96386.2 Pa).</summary>
    public static uint PressureInt64(int adcP, int tFine, Bme280Trimming trimming)
    {
        ArgumentNullException.ThrowIfNull(trimming);
        long var1 = tFine - 128000L;
        long var2 = var1 * var1 * trimming.DigP6;
        var2 += (var1 * trimming.DigP5) << 17;
        var2 += (long)trimming.DigP4 << 35;
        var1 = ((var1 * var1 * trimming.DigP3) >> 8) + ((var1 * trimming.DigP2) << 12);
        var1 = (((1L << 47) + var1) * trimming.DigP1) >> 33;
        if (var1 == 0)
        {
            return 0; // "avoid exception caused by division by zero"
        }

        long p = 1048576 - adcP;
        p = (((p << 31) - var2) * 3125) / var1;
        var1 = (trimming.DigP9 * (p >> 13) * (p >> 13)) >> 25;
        var2 = (trimming.DigP8 * p) >> 19;
        p = ((p + var1 + var2) >> 8) + ((long)trimming.DigP7 << 4);
        return (uint)p;
    }

    /// <summary>§4.2.3 bme280_compensate_H_int32: relative humidity in %RH as unsigned Q22.10 ("47445" is 46.333 %RH).</summary>
    public static uint HumidityInt32(int adcH, int tFine, Bme280Trimming trimming)
    {
        ArgumentNullException.ThrowIfNull(trimming);
        int h1 = trimming.DigH1, h2 = trimming.DigH2, h3 = trimming.DigH3, h4 = trimming.DigH4, h5 = trimming.DigH5, h6 = trimming.DigH6;
        var vX1 = tFine - 76800;
        vX1 = ((((adcH << 14) - (h4 << 20) - (h5 * vX1)) + 16384) >> 15)
            * (((((((vX1 * h6) >> 10) * (((vX1 * h3) >> 11) + 32768)) >> 10) + 2097152) * h2 + 8192) >> 14);
        vX1 -= ((((vX1 >> 15) * (vX1 >> 15)) >> 7) * h1) >> 4;
        vX1 = vX1 < 0 ? 0 : vX1;
        vX1 = vX1 > 419430400 ? 419430400 : vX1;
        return (uint)(vX1 >> 12);
    }

    /// <summary>§8.1 BME280_compensate_T_double: temperature in °C, and t_fine (truncated, as the datasheet's cast does).</summary>
    public static double TemperatureDouble(int adcT, Bme280Trimming trimming, out int tFine)
    {
        ArgumentNullException.ThrowIfNull(trimming);
        var var1 = ((adcT / 16384.0) - (trimming.DigT1 / 1024.0)) * trimming.DigT2;
        var var2 = ((adcT / 131072.0) - (trimming.DigT1 / 8192.0)) * ((adcT / 131072.0) - (trimming.DigT1 / 8192.0)) * trimming.DigT3;
        tFine = (int)(var1 + var2);
        return (var1 + var2) / 5120.0;
    }

    /// <summary>§8.1 BME280_compensate_P_double: pressure in Pa; 0 when dig_P1 is 0.</summary>
    public static double PressureDouble(int adcP, int tFine, Bme280Trimming trimming)
    {
        var (var1, var2) = PressureTerms(tFine, trimming);
        if (var1 == 0.0)
        {
            return 0;
        }

        var p = 1048576.0 - adcP;
        p = (p - (var2 / 4096.0)) * 6250.0 / var1;
        var1 = trimming.DigP9 * p * p / 2147483648.0;
        var2 = p * trimming.DigP8 / 32768.0;
        return p + ((var1 + var2 + trimming.DigP7) / 16.0);
    }

    /// <summary>§8.1 bme280_compensate_H_double: relative humidity in %RH, limited to 0–100.</summary>
    public static double HumidityDouble(int adcH, int tFine, Bme280Trimming trimming)
    {
        ArgumentNullException.ThrowIfNull(trimming);
        var varH = tFine - 76800.0;
        varH = (adcH - HumidityOffset(varH, trimming)) * HumidityGain(varH, trimming);
        varH *= 1.0 - (trimming.DigH1 * varH / 524288.0);
        return Math.Clamp(varH, 0.0, 100.0);
    }

    /// <summary>
    /// The raw temperature for <paramref name="celsius"/>: §8.1's T = (var1 + var2) / 5120 is quadratic in adc_T.
    /// With u = adc_T/131072 − dig_T1/8192, var1 = 8·u·dig_T2 and var2 = u²·dig_T3, so
    /// dig_T3·u² + 8·dig_T2·u − 5120·T = 0. Not rounded and not limited to 20 bits.
    /// </summary>
    public static double AdcTemperature(double celsius, Bme280Trimming trimming)
    {
        ArgumentNullException.ThrowIfNull(trimming);
        var u = RootNearLinear(trimming.DigT3, 8.0 * trimming.DigT2, -5120.0 * celsius);
        return (u + (trimming.DigT1 / 8192.0)) * 131072.0;
    }

    /// <summary>
    /// The raw pressure for <paramref name="pascal"/> at <paramref name="tFine"/>: the last step of §8.1,
    /// P = p + (dig_P9·p²/2³¹ + dig_P8·p/2¹⁵ + dig_P7)/16, is quadratic in the intermediate p, and
    /// p = (1048576 − adc_P − var2/4096)·6250/var1 is linear in adc_P. Not rounded and not limited to 20 bits.
    /// </summary>
    public static double AdcPressure(double pascal, int tFine, Bme280Trimming trimming)
    {
        var (var1, var2) = PressureTerms(tFine, trimming);
        var p = RootNearLinear(trimming.DigP9 / 34359738368.0, 1.0 + (trimming.DigP8 / 524288.0), (trimming.DigP7 / 16.0) - pascal);
        return 1048576.0 - (var2 / 4096.0) - (p * var1 / 6250.0);
    }

    /// <summary>
    /// The raw humidity for <paramref name="percent"/> at <paramref name="tFine"/>: §8.1's last step,
    /// H = h·(1 − dig_H1·h/524288), is quadratic in the intermediate h, and
    /// h = (adc_H − (dig_H4·64 + dig_H5/16384·var_H))·gain is linear in adc_H. Not rounded and not limited to 16 bits.
    /// </summary>
    public static double AdcHumidity(double percent, int tFine, Bme280Trimming trimming)
    {
        ArgumentNullException.ThrowIfNull(trimming);
        var varH = tFine - 76800.0;
        var h = RootNearLinear(-trimming.DigH1 / 524288.0, 1.0, -percent);
        return (h / HumidityGain(varH, trimming)) + HumidityOffset(varH, trimming);
    }

    // §8.1 pressure: var1 and var2 before adc_P enters; they depend on t_fine and the trimming only.
    private static (double Var1, double Var2) PressureTerms(int tFine, Bme280Trimming trimming)
    {
        ArgumentNullException.ThrowIfNull(trimming);
        var var1 = (tFine / 2.0) - 64000.0;
        var var2 = var1 * var1 * trimming.DigP6 / 32768.0;
        var2 += var1 * trimming.DigP5 * 2.0;
        var2 = (var2 / 4.0) + (trimming.DigP4 * 65536.0);
        var1 = ((trimming.DigP3 * var1 * var1 / 524288.0) + (trimming.DigP2 * var1)) / 524288.0;
        var1 = (1.0 + (var1 / 32768.0)) * trimming.DigP1;
        return (var1, var2);
    }

    private static double HumidityOffset(double varH, Bme280Trimming trimming) =>
        (trimming.DigH4 * 64.0) + (trimming.DigH5 / 16384.0 * varH);

    private static double HumidityGain(double varH, Bme280Trimming trimming) =>
        trimming.DigH2 / 65536.0 * (1.0 + (trimming.DigH6 / 67108864.0 * varH * (1.0 + (trimming.DigH3 / 67108864.0 * varH))));

    // The root of a·x² + b·x + c = 0 that tends to −c/b as a → 0 (the formulas are nearly linear), in the form that does
    // not cancel digits: x = −2c / (b + sign(b)·√(b² − 4ac)). Beyond the parabola's vertex (no real root: a value the
    // chip cannot report) the vertex is taken.
    private static double RootNearLinear(double a, double b, double c)
    {
        var discriminant = (b * b) - (4 * a * c);
        if (discriminant < 0)
        {
            return -b / (2 * a);
        }

        var denominator = b + (Math.CopySign(1.0, b) * Math.Sqrt(discriminant));
        return denominator == 0.0 ? 0.0 : -2.0 * c / denominator;
    }
}
