using System.Buffers.Binary;

namespace Gateway.Hardware.Devices.Bme280;

/// <summary>
/// The BME280's factory trimming parameters (datasheet BST-BME280-DS002 §4.2.2, table 16), read from
/// 0x88–0xA1 and 0xE1–0xE7. Names are the datasheet's.
/// </summary>
public sealed record Bme280Calibration
{
    /// <summary>Length of the block at 0x88–0xA1.</summary>
    public const int Block1Length = 26;

    /// <summary>Length of the block at 0xE1–0xE7.</summary>
    public const int Block2Length = 7;

#pragma warning disable CS1591 // the datasheet's names say it all: dig_T1 … dig_H6
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

    /// <summary>Parses the two calibration blocks as read from the chip.</summary>
    /// <param name="block1">26 bytes from 0x88 (dig_T1 … dig_P9, then 0xA0 unused, dig_H1 at 0xA1).</param>
    /// <param name="block2">7 bytes from 0xE1 (dig_H2 … dig_H6).</param>
    public static Bme280Calibration Parse(ReadOnlySpan<byte> block1, ReadOnlySpan<byte> block2)
    {
        if (block1.Length != Block1Length)
        {
            throw new ArgumentException($"the calibration block at 0x88 is {Block1Length} bytes, got {block1.Length}", nameof(block1));
        }

        if (block2.Length != Block2Length)
        {
            throw new ArgumentException($"the calibration block at 0xE1 is {Block2Length} bytes, got {block2.Length}", nameof(block2));
        }

        return new Bme280Calibration
        {
            DigT1 = BinaryPrimitives.ReadUInt16LittleEndian(block1[0..]),
            DigT2 = BinaryPrimitives.ReadInt16LittleEndian(block1[2..]),
            DigT3 = BinaryPrimitives.ReadInt16LittleEndian(block1[4..]),
            DigP1 = BinaryPrimitives.ReadUInt16LittleEndian(block1[6..]),
            DigP2 = BinaryPrimitives.ReadInt16LittleEndian(block1[8..]),
            DigP3 = BinaryPrimitives.ReadInt16LittleEndian(block1[10..]),
            DigP4 = BinaryPrimitives.ReadInt16LittleEndian(block1[12..]),
            DigP5 = BinaryPrimitives.ReadInt16LittleEndian(block1[14..]),
            DigP6 = BinaryPrimitives.ReadInt16LittleEndian(block1[16..]),
            DigP7 = BinaryPrimitives.ReadInt16LittleEndian(block1[18..]),
            DigP8 = BinaryPrimitives.ReadInt16LittleEndian(block1[20..]),
            DigP9 = BinaryPrimitives.ReadInt16LittleEndian(block1[22..]),
            DigH1 = block1[25],
            DigH2 = BinaryPrimitives.ReadInt16LittleEndian(block2[0..]),
            DigH3 = block2[2],

            // 0xE4/0xE6 are the signed MSBs: sign-extend through (sbyte) before shifting (table 16:
            // dig_H4 = 0xE4[7:0] / 0xE5[3:0], dig_H5 = 0xE6[7:0] / 0xE5[7:4], both signed short).
            DigH4 = (short)((sbyte)block2[3] * 16 | (block2[4] & 0x0F)),
            DigH5 = (short)((sbyte)block2[5] * 16 | (block2[4] >> 4)),
            DigH6 = (sbyte)block2[6],
        };
    }

    /// <summary>Writes the calibration back into the chip's two register blocks (the inverse of <see cref="Parse"/>).</summary>
    public void Write(Span<byte> block1, Span<byte> block2)
    {
        if (block1.Length != Block1Length || block2.Length != Block2Length)
        {
            throw new ArgumentException($"blocks of {Block1Length} and {Block2Length} bytes are needed");
        }

        BinaryPrimitives.WriteUInt16LittleEndian(block1[0..], DigT1);
        BinaryPrimitives.WriteInt16LittleEndian(block1[2..], DigT2);
        BinaryPrimitives.WriteInt16LittleEndian(block1[4..], DigT3);
        BinaryPrimitives.WriteUInt16LittleEndian(block1[6..], DigP1);
        BinaryPrimitives.WriteInt16LittleEndian(block1[8..], DigP2);
        BinaryPrimitives.WriteInt16LittleEndian(block1[10..], DigP3);
        BinaryPrimitives.WriteInt16LittleEndian(block1[12..], DigP4);
        BinaryPrimitives.WriteInt16LittleEndian(block1[14..], DigP5);
        BinaryPrimitives.WriteInt16LittleEndian(block1[16..], DigP6);
        BinaryPrimitives.WriteInt16LittleEndian(block1[18..], DigP7);
        BinaryPrimitives.WriteInt16LittleEndian(block1[20..], DigP8);
        BinaryPrimitives.WriteInt16LittleEndian(block1[22..], DigP9);
        block1[24] = 0;
        block1[25] = DigH1;
        BinaryPrimitives.WriteInt16LittleEndian(block2[0..], DigH2);
        block2[2] = DigH3;
        block2[3] = (byte)(DigH4 >> 4);
        block2[4] = (byte)((DigH4 & 0x0F) | ((DigH5 & 0x0F) << 4));
        block2[5] = (byte)(DigH5 >> 4);
        block2[6] = (byte)DigH6;
    }
}
