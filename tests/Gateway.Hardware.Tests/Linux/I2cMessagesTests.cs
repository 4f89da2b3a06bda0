using Gateway.Hardware.Interop;
using Gateway.Hardware.Linux;

namespace Gateway.Hardware.Tests.Linux;

/// <summary>The i2c_msg list of one I2C_RDWR (Documentation/i2c/dev-interface.rst).</summary>
public class I2cMessagesTests
{
    private static readonly nint WriteBuffer = 0x1000;
    private static readonly nint ReadBuffer = 0x2000;

    [Fact]
    public void A_write_read_is_a_write_message_then_a_read_message_in_one_transfer()
    {
        var messages = new i2c_msg[2];

        var count = I2cMessages.Build(messages, 0x76, WriteBuffer, 1, ReadBuffer, 26);

        Assert.Equal(2, count);
        Assert.Equal(new i2c_msg { addr = 0x76, flags = 0, len = 1, buf = WriteBuffer }, messages[0]);
        Assert.Equal(new i2c_msg { addr = 0x76, flags = I2cDev.I2C_M_RD, len = 26, buf = ReadBuffer }, messages[1]);
    }

    [Fact]
    public void A_read_alone_is_one_read_message()
    {
        var messages = new i2c_msg[2];

        Assert.Equal(1, I2cMessages.Build(messages, 0x44, 0, 0, ReadBuffer, 6));
        Assert.Equal(new i2c_msg { addr = 0x44, flags = I2cDev.I2C_M_RD, len = 6, buf = ReadBuffer }, messages[0]);
    }

    [Fact]
    public void A_write_alone_is_one_write_message()
    {
        var messages = new i2c_msg[2];

        Assert.Equal(1, I2cMessages.Build(messages, 0x44, WriteBuffer, 2, 0, 0));
        Assert.Equal(new i2c_msg { addr = 0x44, flags = 0, len = 2, buf = WriteBuffer }, messages[0]);
    }

    [Fact]
    public void Nothing_to_transfer_is_no_message()
        => Assert.Equal(0, I2cMessages.Build(new i2c_msg[2], 0x44, 0, 0, 0, 0));

    [Fact]
    public void A_message_longer_than_i2c_dev_takes_is_refused_before_the_call()
    {
        Assert.Equal(1, I2cMessages.Build(new i2c_msg[2], 0x44, WriteBuffer, 8192, 0, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => I2cMessages.Build(new i2c_msg[2], 0x44, WriteBuffer, 8193, 0, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => I2cMessages.Build(new i2c_msg[2], 0x44, 0, 0, ReadBuffer, 8193));
    }
}
