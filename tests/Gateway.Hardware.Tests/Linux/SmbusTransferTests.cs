using System.Runtime.InteropServices;
using Gateway.Hardware.Interop;
using Gateway.Hardware.Linux;

namespace Gateway.Hardware.Tests.Linux;

/// <summary>
/// The SMBus path for adapters without I2C_FUNC_I2C: the I2C_SMBUS argument structs against include/uapi/linux/i2c.h and
/// i2c-dev.h, and the choice of SMBus transaction for each I2C transaction (Documentation/i2c/smbus-protocol.rst).
/// The path runs against the kernel's i2c-stub in tests/kernel-in-the-loop.
/// </summary>
public unsafe class SmbusTransferTests
{
    /// <summary>i2c-stub's functionality (drivers/i2c/i2c-stub.c STUB_FUNC_DEFAULT): quick, byte, byte data, word data, I2C block.</summary>
    private const ulong Stub = 0x00010000 | 0x00060000 | 0x00180000 | 0x00600000 | 0x0C000000;

    private const ulong NoI2cBlock = Stub & ~0x0C000000UL;

    [Fact]
    public void The_smbus_request_number_transaction_sizes_and_function_bits_are_the_headers_values()
    {
        Assert.Equal(0x0720u, I2cDev.I2C_SMBUS);
        Assert.Equal(1, I2cDev.I2C_SMBUS_READ);
        Assert.Equal(0, I2cDev.I2C_SMBUS_WRITE);
        Assert.Equal(1u, I2cDev.I2C_SMBUS_BYTE);
        Assert.Equal(2u, I2cDev.I2C_SMBUS_BYTE_DATA);
        Assert.Equal(3u, I2cDev.I2C_SMBUS_WORD_DATA);
        Assert.Equal(8u, I2cDev.I2C_SMBUS_I2C_BLOCK_DATA);
        Assert.Equal(32, I2cDev.I2C_SMBUS_BLOCK_MAX);
        Assert.Equal(0x00020000UL, I2cDev.I2C_FUNC_SMBUS_READ_BYTE);
        Assert.Equal(0x00040000UL, I2cDev.I2C_FUNC_SMBUS_WRITE_BYTE);
        Assert.Equal(0x00080000UL, I2cDev.I2C_FUNC_SMBUS_READ_BYTE_DATA);
        Assert.Equal(0x00100000UL, I2cDev.I2C_FUNC_SMBUS_WRITE_BYTE_DATA);
        Assert.Equal(0x00200000UL, I2cDev.I2C_FUNC_SMBUS_READ_WORD_DATA);
        Assert.Equal(0x00400000UL, I2cDev.I2C_FUNC_SMBUS_WRITE_WORD_DATA);
        Assert.Equal(0x04000000UL, I2cDev.I2C_FUNC_SMBUS_READ_I2C_BLOCK);
        Assert.Equal(0x08000000UL, I2cDev.I2C_FUNC_SMBUS_WRITE_I2C_BLOCK);
    }

    [Fact]
    public void I2c_smbus_ioctl_data_has_size_at_4_and_the_data_pointer_at_8()
    {
        Assert.Equal(0, (int)Marshal.OffsetOf<i2c_smbus_ioctl_data>(nameof(i2c_smbus_ioctl_data.read_write)));
        Assert.Equal(1, (int)Marshal.OffsetOf<i2c_smbus_ioctl_data>(nameof(i2c_smbus_ioctl_data.command)));
        Assert.Equal(4, (int)Marshal.OffsetOf<i2c_smbus_ioctl_data>(nameof(i2c_smbus_ioctl_data.size)));
        Assert.Equal(8, (int)Marshal.OffsetOf<i2c_smbus_ioctl_data>(nameof(i2c_smbus_ioctl_data.data)));
        Assert.Equal(8 + IntPtr.Size, sizeof(i2c_smbus_ioctl_data)); // 16 on 64-bit, 12 on arm32
    }

    [Fact]
    public void I2c_smbus_data_is_the_34_byte_union_of_byte_word_and_block()
    {
        Assert.Equal(34, sizeof(i2c_smbus_data));
        var data = default(i2c_smbus_data);
        data.word = 0x3412;
        Assert.Equal(0x12, data.@byte); // the union's members all start at 0 (little-endian: the low byte)
        Assert.Equal(0x12, data.block[0]);
        Assert.Equal(0x34, data.block[1]);
    }

    [Theory]
    [InlineData(1, 0, "send byte", 0, 1u)]
    [InlineData(2, 0, "write byte", 0, 2u)]
    [InlineData(3, 0, "I2C block write", 0, 8u)]
    [InlineData(33, 0, "I2C block write", 0, 8u)]
    [InlineData(0, 1, "receive byte", 1, 1u)]
    [InlineData(1, 1, "read byte", 1, 2u)]
    [InlineData(1, 2, "I2C block read", 1, 8u)]
    [InlineData(1, 32, "I2C block read", 1, 8u)]
    public void Each_register_transaction_maps_to_the_smbus_transaction_with_the_same_bytes(int write, int read, string name, byte readWrite, uint size)
    {
        var t = SmbusTransfer.For(write, read, Stub, "/dev/i2c-1@0x76");

        Assert.Equal(name, t.Name);
        Assert.Equal(readWrite, t.ReadWrite);
        Assert.Equal(size, t.Size);
    }

    [Fact]
    public void Without_i2c_block_support_two_data_bytes_go_as_an_smbus_word()
    {
        Assert.Equal("write word", SmbusTransfer.For(3, 0, NoI2cBlock, "d").Name);
        Assert.Equal("read word", SmbusTransfer.For(1, 2, NoI2cBlock, "d").Name);
    }

    [Theory]
    [InlineData(0, 2)] // a multi-byte read without a command
    [InlineData(2, 6)] // a two-byte command before a read (SHT3x)
    [InlineData(1, 33)] // more than an I2C block
    [InlineData(34, 0)] // more than a command and an I2C block
    public void A_transaction_smbus_cannot_carry_is_refused_with_eopnotsupp_saying_why(int write, int read)
    {
        var ex = Assert.Throws<HardwareException>(() => SmbusTransfer.For(write, read, Stub, "/dev/i2c-1@0x44"));

        Assert.Equal(Errno.EOPNOTSUPP, ex.Errno);
        Assert.Equal("/dev/i2c-1@0x44", ex.Device);
        Assert.StartsWith($"/dev/i2c-1@0x44: the adapter speaks SMBus only (no I2C_FUNC_I2C), and no SMBus transaction writes {write} byte(s) then reads {read}", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_transaction_the_adapter_lacks_is_refused_naming_the_missing_function()
    {
        var ex = Assert.Throws<HardwareException>(() => SmbusTransfer.For(1, 8, NoI2cBlock, "/dev/i2c-1@0x76"));

        Assert.Equal(Errno.EOPNOTSUPP, ex.Errno);
        Assert.Contains("cannot do an SMBus I2C block read", ex.Message, StringComparison.Ordinal);
        Assert.Contains("lacks 0x04000000", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_block_write_puts_the_length_first_and_the_bytes_after_the_command()
    {
        var t = SmbusTransfer.For(4, 0, Stub, "d");
        var data = default(i2c_smbus_data);

        t.Fill(&data, [0x88, 0x70, 0x6B, 0x43], 0);

        Assert.Equal(0x88, SmbusTransfer.Command([0x88, 0x70, 0x6B, 0x43]));
        Assert.Equal(new byte[] { 3, 0x70, 0x6B, 0x43, 0 }, new ReadOnlySpan<byte>(data.block, 5).ToArray());
    }

    [Fact]
    public void A_word_write_sends_the_first_data_byte_as_the_low_byte()
    {
        var t = SmbusTransfer.For(3, 0, NoI2cBlock, "d");
        var data = default(i2c_smbus_data);

        t.Fill(&data, [0x60, 0x12, 0x34], 0);

        Assert.Equal(0x3412, data.word);
    }

    [Fact]
    public void A_block_read_asks_for_its_length_in_block_0_and_delivers_the_bytes_after_it()
    {
        var t = SmbusTransfer.For(1, 3, Stub, "d");
        var data = default(i2c_smbus_data);
        t.Fill(&data, [0xF7], 3);
        Assert.Equal(3, data.block[0]); // i2c-dev copies the union in for I2C block reads: the length wanted

        data.block[1] = 0x65;
        data.block[2] = 0x5A;
        data.block[3] = 0xC0;
        var read = new byte[3];
        Assert.Equal(3, t.Extract(&data, read));
        Assert.Equal(new byte[] { 0x65, 0x5A, 0xC0 }, read);
    }

    [Fact]
    public void A_short_block_read_reports_how_many_bytes_came()
    {
        var t = SmbusTransfer.For(1, 8, Stub, "d");
        var data = default(i2c_smbus_data);
        data.block[0] = 5;

        Assert.Equal(5, t.Extract(&data, new byte[8]));
    }

    [Fact]
    public void A_byte_or_word_read_delivers_the_union_in_wire_order()
    {
        var data = default(i2c_smbus_data);
        data.word = 0x3412;
        var two = new byte[2];
        Assert.Equal(2, SmbusTransfer.For(1, 2, NoI2cBlock, "d").Extract(&data, two));
        Assert.Equal(new byte[] { 0x12, 0x34 }, two);

        var one = new byte[1];
        Assert.Equal(1, SmbusTransfer.For(1, 1, Stub, "d").Extract(&data, one));
        Assert.Equal(0x12, one[0]);
    }
}
