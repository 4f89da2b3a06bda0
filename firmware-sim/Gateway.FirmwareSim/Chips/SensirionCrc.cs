namespace Gateway.FirmwareSim.Chips;

/// <summary>
/// The CRC-8 Sensirion's humidity sensors send after every 16-bit word (SHT3x-DIS datasheet §4.12 table 20, SHT4x
/// datasheet "Checksum Calculation"): polynomial x⁸ + x⁵ + x⁴ + 1 (0x31), initialisation 0xFF, no reflection, no final
/// XOR; CRC(0xBEEF) = 0x92. The simulator's own, so that a binding's CRC check is tested against an independent one.
/// </summary>
public static class SensirionCrc
{
    /// <summary>The CRC-8 of <paramref name="data"/>.</summary>
    public static byte Crc8(ReadOnlySpan<byte> data)
    {
        byte crc = 0xFF;
        foreach (var b in data)
        {
            crc ^= b;
            for (var bit = 0; bit < 8; bit++)
            {
                crc = (crc & 0x80) != 0 ? (byte)((crc << 1) ^ 0x31) : (byte)(crc << 1);
            }
        }

        return crc;
    }
}
