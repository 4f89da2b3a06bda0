using Gateway.FirmwareSim.Chips;

namespace Gateway.FirmwareSim.Tests.Chips;

public class SensirionCrcTests
{
    [Fact]
    public void The_crc_of_0xBEEF_is_the_datasheets_example_0x92() =>
        Assert.Equal(0x92, SensirionCrc.Crc8([0xBE, 0xEF]));

    [Fact]
    public void The_crc_of_nothing_is_the_initial_value_0xFF() =>
        Assert.Equal(0xFF, SensirionCrc.Crc8([]));

    [Fact]
    public void A_single_flipped_bit_changes_the_crc()
    {
        var good = SensirionCrc.Crc8([0x66, 0x66]);
        for (var bit = 0; bit < 16; bit++)
        {
            var word = 0x6666 ^ (1 << bit);
            Assert.NotEqual(good, SensirionCrc.Crc8([(byte)(word >> 8), (byte)word]));
        }
    }
}
