namespace Gateway.FirmwareSim.Chips;

/// <summary>
/// The factory trimming parameters a simulated BME280 carries, and where the chip keeps them: datasheet
/// BST-BME280-DS002 §4.2.2, table 16 (compensation parameter storage, naming and data type). The simulator's own
/// reading of that table, independent of any binding's parser, so that a binding that decodes it wrongly is caught.
/// </summary>
public sealed record Bme280Trimming
{
    /// <summary>calib00, the first byte of the block 0x88–0xA1 (dig_T1 LSB … dig_H1).</summary>
    public const byte Calib00 = 0x88;

    /// <summary>calib26, the first byte of the block from 0xE1 (dig_H2 LSB … dig_H6 at 0xE7).</summary>
    public const byte Calib26 = 0xE1;

    /// <summary>Smallest value of the 12-bit signed dig_H4 and dig_H5 (table 16 packs them into 1½ bytes each).</summary>
    public const short MinH45 = -2048;

    /// <summary>Largest value of dig_H4 and dig_H5.</summary>
    public const short MaxH45 = 2047;

#pragma warning disable CS1591 // the datasheet's names say it all: dig_T1 … dig_H6, with table 16's data types
    public ushort DigT1 { get; init; }
    public short DigT2 { get; init; }
    public short DigT3 { get; init; }
    public ushort DigP1 { get; init; }
    public short DigP2 { get; init; }
    public short DigP3 { get; init; }
    public short DigP4 { get; init; }
    public short DigP5 { get; init; }
    public short DigP6 { get; init; }
    public short DigP7 { get; init; }
    public short DigP8 { get; init; }
    public short DigP9 { get; init; }
    public byte DigH1 { get; init; }
    public short DigH2 { get; init; }
    public byte DigH3 { get; init; }
    public short DigH4 { get; init; }
    public short DigH5 { get; init; }
    public sbyte DigH6 { get; init; }
#pragma warning restore CS1591

    /// <summary>
    /// The default chip: dig_T1–dig_P9 are the worked example of the BMP280 datasheet (BST-BMP280-DS001 §3.12; the
    /// BME280 has the same temperature and pressure trimming and formulas), the humidity values are typical of BME280
    /// modules, with dig_H4 and dig_H5 positive.
    /// </summary>
    public static Bme280Trimming Typical { get; } = new()
    {
        DigT1 = 27504, DigT2 = 26435, DigT3 = -1000,
        DigP1 = 36477, DigP2 = -10685, DigP3 = 3024, DigP4 = 2855, DigP5 = 140, DigP6 = -7, DigP7 = 15500, DigP8 = -14600, DigP9 = 6000,
        DigH1 = 75, DigH2 = 362, DigH3 = 0, DigH4 = 313, DigH5 = 50, DigH6 = 30,
    };

    /// <summary>
    /// <see cref="Typical"/> with dig_H4 = −20 (0xE4 = 0xFE, 0xE5[3:0] = 0xC): a binding that does not sign-extend the
    /// 12-bit value reads dig_H4 as 4076 and humidity as 0 % (Iot.Device.Bindings 4.2.0; issue 16).
    /// </summary>
    public static Bme280Trimming NegativeH4 { get; } = Typical with { DigH4 = -20 };

    /// <summary>
    /// <see cref="Typical"/> with dig_H5 = −30 (0xE6 = 0xFE, 0xE5[7:4] = 0x2): a binding that does not sign-extend the
    /// 12-bit value reads dig_H5 as 4066 and humidity as 0 % (Iot.Device.Bindings 4.2.0; issue 16).
    /// </summary>
    public static Bme280Trimming NegativeH5 { get; } = Typical with { DigH5 = -30 };

    /// <summary>Stores the parameters in a 256-byte register file at table 16's addresses.</summary>
    /// <exception cref="ArgumentException">The file is not 256 bytes.</exception>
    /// <exception cref="ArgumentOutOfRangeException">dig_H4 or dig_H5 does not fit its 12 bits.</exception>
    public void WriteTo(Span<byte> registers)
    {
        if (registers.Length != 256)
        {
            throw new ArgumentException($"the register file is 256 bytes, got {registers.Length}", nameof(registers));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(DigH4, MinH45, nameof(DigH4));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(DigH4, MaxH45, nameof(DigH4));
        ArgumentOutOfRangeException.ThrowIfLessThan(DigH5, MinH45, nameof(DigH5));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(DigH5, MaxH45, nameof(DigH5));

        // 0x88–0x9F: twelve 16-bit words, LSB first ("dig_T1 [7:0] / [15:8]" …).
        ReadOnlySpan<int> words = [DigT1, DigT2, DigT3, DigP1, DigP2, DigP3, DigP4, DigP5, DigP6, DigP7, DigP8, DigP9];
        for (var i = 0; i < words.Length; i++)
        {
            registers[Calib00 + (2 * i)] = (byte)words[i];
            registers[Calib00 + (2 * i) + 1] = (byte)(words[i] >> 8);
        }

        registers[0xA0] = 0; // not a trimming parameter
        registers[0xA1] = DigH1;
        registers[0xE1] = (byte)DigH2;
        registers[0xE2] = (byte)(DigH2 >> 8);
        registers[0xE3] = DigH3;

        // dig_H4: 0xE4 holds bits [11:4], 0xE5[3:0] bits [3:0]; dig_H5: 0xE5[7:4] holds bits [3:0], 0xE6 bits [11:4].
        registers[0xE4] = (byte)(DigH4 >> 4);
        registers[0xE5] = (byte)((DigH4 & 0x0F) | ((DigH5 & 0x0F) << 4));
        registers[0xE6] = (byte)(DigH5 >> 4);
        registers[0xE7] = (byte)DigH6;
    }
}
