using Gateway.FirmwareSim.Chips;

namespace Gateway.FirmwareSim.Tests.Chips;

/// <summary>Where the simulated BME280 keeps its trimming parameters: datasheet BST-BME280-DS002 §4.2.2, table 16.</summary>
public class Bme280TrimmingTests
{
    private static byte[] Registers(Bme280Trimming trimming)
    {
        var registers = new byte[256];
        trimming.WriteTo(registers);
        return registers;
    }

    [Fact]
    public void The_temperature_and_pressure_words_are_little_endian_from_0x88()
    {
        var r = Registers(Bme280Trimming.Typical);

        // dig_T1 = 27504 = 0x6B70, dig_T2 = 26435 = 0x6743, dig_T3 = -1000 = 0xFC18, dig_P1 = 36477 = 0x8E7D, dig_P9 = 6000 = 0x1770.
        Assert.Equal([0x70, 0x6B, 0x43, 0x67, 0x18, 0xFC, 0x7D, 0x8E], r[0x88..0x90]);
        Assert.Equal([0x70, 0x17], r[0x9E..0xA0]);
        Assert.Equal(75, r[0xA1]); // dig_H1
    }

    [Fact]
    public void Positive_dig_H4_and_dig_H5_share_0xE5_as_the_datasheet_packs_them()
    {
        var r = Registers(Bme280Trimming.Typical);

        // dig_H2 = 362 = 0x016A; dig_H3 = 0; dig_H4 = 313 = 0x139 → 0xE4 = 0x13, 0xE5[3:0] = 0x9;
        // dig_H5 = 50 = 0x032 → 0xE5[7:4] = 0x2, 0xE6 = 0x03; dig_H6 = 30.
        Assert.Equal([0x6A, 0x01, 0x00, 0x13, 0x29, 0x03, 30], r[0xE1..0xE8]);
    }

    [Fact]
    public void A_negative_dig_H4_is_stored_as_12_bit_twos_complement()
    {
        var r = Registers(Bme280Trimming.NegativeH4);

        // dig_H4 = -20 = 0xFEC (12 bits) → 0xE4 = 0xFE, 0xE5[3:0] = 0xC; dig_H5 = 50 keeps 0xE5[7:4] = 0x2, 0xE6 = 0x03.
        Assert.Equal([0xFE, 0x2C, 0x03], r[0xE4..0xE7]);
    }

    [Fact]
    public void A_negative_dig_H5_is_stored_as_12_bit_twos_complement()
    {
        var r = Registers(Bme280Trimming.NegativeH5);

        // dig_H5 = -30 = 0xFE2 (12 bits) → 0xE5[7:4] = 0x2, 0xE6 = 0xFE; dig_H4 = 313 keeps 0xE4 = 0x13, 0xE5[3:0] = 0x9.
        Assert.Equal([0x13, 0x29, 0xFE], r[0xE4..0xE7]);
    }

    [Theory]
    [InlineData(-2049)]
    [InlineData(2048)]
    public void A_dig_H4_beyond_12_bits_cannot_be_stored(short value) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => Registers(Bme280Trimming.Typical with { DigH4 = value }));

    [Fact]
    public void The_register_file_must_be_the_chips_256_bytes() =>
        Assert.Throws<ArgumentException>(() => Bme280Trimming.Typical.WriteTo(new byte[128]));
}
