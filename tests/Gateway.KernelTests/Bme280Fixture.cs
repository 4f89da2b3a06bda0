using System.Buffers.Binary;

namespace Gateway.KernelTests;

/// <summary>
/// A BME280's registers with a known calibration and raw conversion, and the values the datasheet's compensation
/// gives for them. T and P: the BMP280 datasheet's worked example (§3.12; the BME280 uses the same formulas).
/// H: typical trimming values. The expected values were computed with the datasheet's own C code
/// (tests/kernel-in-the-loop/fixtures/bme280-reference.c), not with the gateway's compensation.
/// </summary>
internal static class Bme280Fixture
{
    /// <summary>T = 2508 (0.01 °C).</summary>
    public const double Temperature = 25.08;

    /// <summary>P = 25767233 / 256 Pa (the 64-bit formula; the datasheet prints 25767236 from a slightly different one).</summary>
    public const double Pressure = 25767233 / 256.0;

    /// <summary>H = 56317 / 1024 %RH.</summary>
    public const double Humidity = 56317 / 1024.0;

    /// <summary>calib00–calib25 at 0x88–0xA1 (§5.4.5, table 16): dig_T1…dig_P9 little-endian, 0xA0 unused, dig_H1.</summary>
    public static byte[] Calibration1()
    {
        var block = new byte[26];
        var words = new short[] { unchecked((short)27504), 26435, -1000, unchecked((short)36477), -10685, 3024, 2855, 140, -7, 15500, -14600, 6000 };
        for (var i = 0; i < words.Length; i++)
        {
            BinaryPrimitives.WriteInt16LittleEndian(block.AsSpan(2 * i), words[i]);
        }

        block[25] = 75; // dig_H1
        return block;
    }

    /// <summary>calib26–calib32 at 0xE1–0xE7: dig_H2 = 362, dig_H3 = 0, dig_H4 = 313 (0xE4·16 + 0xE5[3:0]), dig_H5 = 50 (0xE6·16 + 0xE5[7:4]), dig_H6 = 30.</summary>
    public static byte[] Calibration2() => [0x6A, 0x01, 0x00, 313 >> 4, ((50 & 0x0F) << 4) | (313 & 0x0F), 50 >> 4, 30];

    /// <summary>
    /// 0xF7–0xFE, one conversion (§5.4.7–5.4.9): adc_P = 415148 (0x655AC), adc_T = 519888 (0x7EED0), 20 bits MSB first with
    /// the low nibble in xlsb[7:4]; adc_H = 30000 (0x7530).
    /// </summary>
    public static byte[] Data() => [0x65, 0x5A, 0xC0, 0x7E, 0xED, 0x00, 0x75, 0x30];

    /// <summary>Chip id register 0xD0.</summary>
    public const byte IdRegister = 0xD0;

    /// <summary>The BME280's chip id.</summary>
    public const byte ChipId = 0x60;
}
