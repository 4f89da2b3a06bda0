using System.Runtime.InteropServices;
using Gateway.Hardware.Interop;

namespace Gateway.Hardware.Tests.Linux;

/// <summary>Struct layouts and request codes against include/uapi/linux/gpio.h and i2c-dev.h (values from the kernel headers).</summary>
public unsafe class KernelAbiTests
{
    [Fact]
    public void Gpio_v2_struct_sizes_match_the_kernel_header()
    {
        Assert.Equal(68, sizeof(GpioV2.GpioChipInfo));
        Assert.Equal(16, sizeof(GpioV2.LineAttribute));
        Assert.Equal(24, sizeof(GpioV2.LineConfigAttribute));
        Assert.Equal(272, sizeof(GpioV2.LineConfig));
        Assert.Equal(592, sizeof(GpioV2.LineRequest));
        Assert.Equal(256, sizeof(GpioV2.LineInfo));
        Assert.Equal(16, sizeof(GpioV2.LineValues));
        Assert.Equal(48, sizeof(GpioV2.LineEvent));
    }

    [Theory]
    [InlineData(typeof(GpioV2.GpioChipInfo), "Lines", 64)]
    [InlineData(typeof(GpioV2.LineAttribute), "Flags", 8)]
    [InlineData(typeof(GpioV2.LineAttribute), "DebouncePeriodUs", 8)]
    [InlineData(typeof(GpioV2.LineConfigAttribute), "Mask", 16)]
    [InlineData(typeof(GpioV2.LineConfig), "NumAttrs", 8)]
    [InlineData(typeof(GpioV2.LineConfig), "Attrs", 32)]
    [InlineData(typeof(GpioV2.LineRequest), "Consumer", 256)]
    [InlineData(typeof(GpioV2.LineRequest), "Config", 288)]
    [InlineData(typeof(GpioV2.LineRequest), "NumLines", 560)]
    [InlineData(typeof(GpioV2.LineRequest), "EventBufferSize", 564)]
    [InlineData(typeof(GpioV2.LineRequest), "Fd", 588)]
    [InlineData(typeof(GpioV2.LineInfo), "Consumer", 32)]
    [InlineData(typeof(GpioV2.LineInfo), "Offset", 64)]
    [InlineData(typeof(GpioV2.LineInfo), "NumAttrs", 68)]
    [InlineData(typeof(GpioV2.LineInfo), "Flags", 72)]
    [InlineData(typeof(GpioV2.LineInfo), "Attrs", 80)]
    [InlineData(typeof(GpioV2.LineInfo), "Padding", 240)]
    [InlineData(typeof(GpioV2.LineValues), "Mask", 8)]
    [InlineData(typeof(GpioV2.LineEvent), "Id", 8)]
    [InlineData(typeof(GpioV2.LineEvent), "Offset", 12)]
    [InlineData(typeof(GpioV2.LineEvent), "Seqno", 16)]
    [InlineData(typeof(GpioV2.LineEvent), "LineSeqno", 20)]
    public void Gpio_v2_field_offsets_match_the_kernel_header(Type type, string field, int offset)
        => Assert.Equal(offset, (int)Marshal.OffsetOf(type, field));

    [Fact]
    public void Gpio_request_codes_are_the_headers_values()
    {
        Assert.Equal(0x8044B401u, GpioV2.GetChipInfo);
        Assert.Equal(0xC100B405u, GpioV2.GetLineInfo);
        Assert.Equal(0xC250B407u, GpioV2.GetLine);
        Assert.Equal(0xC110B40Du, GpioV2.SetConfig);
        Assert.Equal(0xC010B40Eu, GpioV2.GetValues);
        Assert.Equal(0xC010B40Fu, GpioV2.SetValues);
    }

    [Fact]
    public void Gpio_flag_bits_and_attribute_ids_are_the_headers_values()
    {
        Assert.Equal(1UL << 2, (ulong)GpioV2.LineFlags.Input);
        Assert.Equal(1UL << 3, (ulong)GpioV2.LineFlags.Output);
        Assert.Equal(1UL << 4, (ulong)GpioV2.LineFlags.EdgeRising);
        Assert.Equal(1UL << 5, (ulong)GpioV2.LineFlags.EdgeFalling);
        Assert.Equal(1UL << 8, (ulong)GpioV2.LineFlags.BiasPullUp);
        Assert.Equal(1UL << 9, (ulong)GpioV2.LineFlags.BiasPullDown);
        Assert.Equal(1UL << 10, (ulong)GpioV2.LineFlags.BiasDisabled);
        Assert.Equal(1u, (uint)GpioV2.AttributeId.Flags);
        Assert.Equal(2u, (uint)GpioV2.AttributeId.OutputValues);
        Assert.Equal(3u, (uint)GpioV2.AttributeId.Debounce);
    }

    [Fact]
    public void I2c_request_numbers_and_flags_are_the_headers_values()
    {
        Assert.Equal(0x0703u, I2cDev.I2C_SLAVE);
        Assert.Equal(0x0705u, I2cDev.I2C_FUNCS);
        Assert.Equal(0x0706u, I2cDev.I2C_SLAVE_FORCE);
        Assert.Equal(0x0707u, I2cDev.I2C_RDWR);
        Assert.Equal(0x0720u, I2cDev.I2C_SMBUS);
        Assert.Equal(0x0001, I2cDev.I2C_M_RD);
        Assert.Equal(0x8000, I2cDev.I2C_M_STOP);
    }

    [Fact]
    public void I2c_message_layout_puts_the_buffer_pointer_at_8()
    {
        // 16 bytes with 8-byte pointers (arm64, x86_64); 12 with 4-byte pointers (arm32): buf is at 8 in both.
        Assert.Equal(8, (int)Marshal.OffsetOf<I2cDev.I2cMsg>("Buf"));
        Assert.Equal(IntPtr.Size == 8 ? 16 : 12, sizeof(I2cDev.I2cMsg));
        Assert.Equal(IntPtr.Size == 8 ? 16 : 8, sizeof(I2cDev.I2cRdwrIoctlData));
        Assert.Equal(IntPtr.Size, (int)Marshal.OffsetOf<I2cDev.I2cRdwrIoctlData>("NMsgs"));
    }

    [Fact]
    public void Ioc_encodes_direction_size_type_and_number()
        => Assert.Equal(0xC010B40Eu, IoctlCodes.Iowr(0xB4, 0x0E, 16));
}
