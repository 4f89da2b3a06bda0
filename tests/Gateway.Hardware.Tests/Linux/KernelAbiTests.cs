using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Gateway.Hardware.Interop;

namespace Gateway.Hardware.Tests.Linux;

/// <summary>
/// Struct layouts and request codes against include/uapi/linux/gpio.h, i2c.h and i2c-dev.h (values from
/// HARDWARE-AND-PROTOCOL-FACTS.md). The GPIO layouts are the same on 32- and 64-bit, so what is checked here holds
/// for arm32 and arm64 too; i2c_msg and i2c_rdwr_ioctl_data depend on the pointer size.
/// </summary>
public unsafe class KernelAbiTests
{
    [Fact]
    public void Gpio_v2_structs_have_the_kernel_sizes()
    {
        Assert.Equal(68, sizeof(gpiochip_info));
        Assert.Equal(16, sizeof(gpio_v2_line_attribute));
        Assert.Equal(24, sizeof(gpio_v2_line_config_attribute));
        Assert.Equal(272, sizeof(gpio_v2_line_config));
        Assert.Equal(592, sizeof(gpio_v2_line_request));
        Assert.Equal(256, sizeof(gpio_v2_line_info));
        Assert.Equal(16, sizeof(gpio_v2_line_values));
        Assert.Equal(48, sizeof(gpio_v2_line_event));
        Assert.Equal(240, sizeof(gpio_v2_line_config_attribute_array));
        Assert.Equal(160, sizeof(gpio_v2_line_attribute_array));
        Assert.Equal(48, Marshal.SizeOf<gpio_v2_line_event>());
    }

    [Theory]
    [InlineData(typeof(gpiochip_info), "name", 0)]
    [InlineData(typeof(gpiochip_info), "label", 32)]
    [InlineData(typeof(gpiochip_info), "lines", 64)]
    [InlineData(typeof(gpio_v2_line_attribute), "id", 0)]
    [InlineData(typeof(gpio_v2_line_attribute), "padding", 4)]
    [InlineData(typeof(gpio_v2_line_attribute), "flags", 8)]
    [InlineData(typeof(gpio_v2_line_attribute), "values", 8)]
    [InlineData(typeof(gpio_v2_line_attribute), "debounce_period_us", 8)]
    [InlineData(typeof(gpio_v2_line_config_attribute), "attr", 0)]
    [InlineData(typeof(gpio_v2_line_config_attribute), "mask", 16)]
    [InlineData(typeof(gpio_v2_line_config), "flags", 0)]
    [InlineData(typeof(gpio_v2_line_config), "num_attrs", 8)]
    [InlineData(typeof(gpio_v2_line_config), "padding", 12)]
    [InlineData(typeof(gpio_v2_line_config), "attrs", 32)]
    [InlineData(typeof(gpio_v2_line_request), "offsets", 0)]
    [InlineData(typeof(gpio_v2_line_request), "consumer", 256)]
    [InlineData(typeof(gpio_v2_line_request), "config", 288)]
    [InlineData(typeof(gpio_v2_line_request), "num_lines", 560)]
    [InlineData(typeof(gpio_v2_line_request), "event_buffer_size", 564)]
    [InlineData(typeof(gpio_v2_line_request), "padding", 568)]
    [InlineData(typeof(gpio_v2_line_request), "fd", 588)]
    [InlineData(typeof(gpio_v2_line_info), "name", 0)]
    [InlineData(typeof(gpio_v2_line_info), "consumer", 32)]
    [InlineData(typeof(gpio_v2_line_info), "offset", 64)]
    [InlineData(typeof(gpio_v2_line_info), "num_attrs", 68)]
    [InlineData(typeof(gpio_v2_line_info), "flags", 72)]
    [InlineData(typeof(gpio_v2_line_info), "attrs", 80)]
    [InlineData(typeof(gpio_v2_line_info), "padding", 240)]
    [InlineData(typeof(gpio_v2_line_values), "bits", 0)]
    [InlineData(typeof(gpio_v2_line_values), "mask", 8)]
    [InlineData(typeof(gpio_v2_line_event), "timestamp_ns", 0)]
    [InlineData(typeof(gpio_v2_line_event), "id", 8)]
    [InlineData(typeof(gpio_v2_line_event), "offset", 12)]
    [InlineData(typeof(gpio_v2_line_event), "seqno", 16)]
    [InlineData(typeof(gpio_v2_line_event), "line_seqno", 20)]
    [InlineData(typeof(gpio_v2_line_event), "padding", 24)]
    public void Gpio_v2_fields_sit_at_the_kernel_offsets(Type type, string field, int offset)
        => Assert.Equal(offset, (int)Marshal.OffsetOf(type, field));

    [Fact]
    public void The_second_attribute_slot_of_a_config_starts_24_bytes_after_the_first()
    {
        var config = default(gpio_v2_line_config);
        var start = (byte*)&config;
        Assert.Equal(32, (int)((byte*)Unsafe.AsPointer(ref config.attrs[0]) - start));
        Assert.Equal(56, (int)((byte*)Unsafe.AsPointer(ref config.attrs[1]) - start));
        Assert.Equal(248, (int)((byte*)Unsafe.AsPointer(ref config.attrs[9]) - start));

        var info = default(gpio_v2_line_info);
        Assert.Equal(80 + (9 * 16), (int)((byte*)Unsafe.AsPointer(ref info.attrs[9]) - (byte*)&info));
    }

    [Fact]
    public void Gpio_request_codes_computed_from_the_struct_sizes_are_the_headers_values()
    {
        Assert.Equal(0x8044B401u, GpioUapi.GPIO_GET_CHIPINFO_IOCTL);
        Assert.Equal(0xC100B405u, GpioUapi.GPIO_V2_GET_LINEINFO_IOCTL);
        Assert.Equal(0xC250B407u, GpioUapi.GPIO_V2_GET_LINE_IOCTL);
        Assert.Equal(0xC110B40Du, GpioUapi.GPIO_V2_LINE_SET_CONFIG_IOCTL);
        Assert.Equal(0xC010B40Eu, GpioUapi.GPIO_V2_LINE_GET_VALUES_IOCTL);
        Assert.Equal(0xC010B40Fu, GpioUapi.GPIO_V2_LINE_SET_VALUES_IOCTL);
    }

    [Fact]
    public void Ioc_encodes_direction_size_type_and_number_as_asm_generic_does()
    {
        Assert.Equal(0x8044B401u, Ioctl._IOR(0xB4, 0x01, 68));
        Assert.Equal(0x4004B40Cu, Ioctl._IOW(0xB4, 0x0C, 4));
        Assert.Equal(0xC010B40Eu, Ioctl._IOWR(0xB4, 0x0E, 16));
        Assert.Equal(0x0000B400u, Ioctl._IOC(Ioctl._IOC_NONE, 0xB4, 0, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => Ioctl._IOWR(0xB4, 0x07, 1 << 14)); // size has 14 bits
    }

    [Fact]
    public void Gpio_flag_bits_attribute_ids_and_event_ids_are_the_headers_values()
    {
        ulong[] bits =
        [
            (ulong)gpio_v2_line_flag.GPIO_V2_LINE_FLAG_USED, (ulong)gpio_v2_line_flag.GPIO_V2_LINE_FLAG_ACTIVE_LOW,
            (ulong)gpio_v2_line_flag.GPIO_V2_LINE_FLAG_INPUT, (ulong)gpio_v2_line_flag.GPIO_V2_LINE_FLAG_OUTPUT,
            (ulong)gpio_v2_line_flag.GPIO_V2_LINE_FLAG_EDGE_RISING, (ulong)gpio_v2_line_flag.GPIO_V2_LINE_FLAG_EDGE_FALLING,
            (ulong)gpio_v2_line_flag.GPIO_V2_LINE_FLAG_OPEN_DRAIN, (ulong)gpio_v2_line_flag.GPIO_V2_LINE_FLAG_OPEN_SOURCE,
            (ulong)gpio_v2_line_flag.GPIO_V2_LINE_FLAG_BIAS_PULL_UP, (ulong)gpio_v2_line_flag.GPIO_V2_LINE_FLAG_BIAS_PULL_DOWN,
            (ulong)gpio_v2_line_flag.GPIO_V2_LINE_FLAG_BIAS_DISABLED, (ulong)gpio_v2_line_flag.GPIO_V2_LINE_FLAG_EVENT_CLOCK_REALTIME,
        ];
        for (var bit = 0; bit < bits.Length; bit++)
        {
            Assert.Equal(1UL << bit, bits[bit]);
        }

        Assert.Equal(1u, (uint)gpio_v2_line_attr_id.GPIO_V2_LINE_ATTR_ID_FLAGS);
        Assert.Equal(2u, (uint)gpio_v2_line_attr_id.GPIO_V2_LINE_ATTR_ID_OUTPUT_VALUES);
        Assert.Equal(3u, (uint)gpio_v2_line_attr_id.GPIO_V2_LINE_ATTR_ID_DEBOUNCE);
        Assert.Equal(1u, (uint)gpio_v2_line_event_id.GPIO_V2_LINE_EVENT_RISING_EDGE);
        Assert.Equal(2u, (uint)gpio_v2_line_event_id.GPIO_V2_LINE_EVENT_FALLING_EDGE);
    }

    [Fact]
    public void I2c_request_numbers_flags_and_limits_are_the_headers_values()
    {
        Assert.Equal(0x0701u, I2cDev.I2C_RETRIES);
        Assert.Equal(0x0702u, I2cDev.I2C_TIMEOUT);
        Assert.Equal(0x0703u, I2cDev.I2C_SLAVE);
        Assert.Equal(0x0704u, I2cDev.I2C_TENBIT);
        Assert.Equal(0x0705u, I2cDev.I2C_FUNCS);
        Assert.Equal(0x0706u, I2cDev.I2C_SLAVE_FORCE);
        Assert.Equal(0x0707u, I2cDev.I2C_RDWR);
        Assert.Equal(0x0708u, I2cDev.I2C_PEC);
        Assert.Equal(0x0720u, I2cDev.I2C_SMBUS);
        Assert.Equal(0x0001, I2cDev.I2C_M_RD);
        Assert.Equal(0x0010, I2cDev.I2C_M_TEN);
        Assert.Equal(0x0400, I2cDev.I2C_M_RECV_LEN);
        Assert.Equal(0x4000, I2cDev.I2C_M_NOSTART);
        Assert.Equal(0x8000, I2cDev.I2C_M_STOP);
        Assert.Equal(0x1UL, I2cDev.I2C_FUNC_I2C);
        Assert.Equal(42, I2cDev.I2C_RDWR_IOCTL_MAX_MSGS);
    }

    [Fact]
    public void I2c_msg_has_its_buffer_pointer_at_8_and_is_16_bytes_with_8_byte_pointers()
    {
        Assert.Equal(0, (int)Marshal.OffsetOf<i2c_msg>(nameof(i2c_msg.addr)));
        Assert.Equal(2, (int)Marshal.OffsetOf<i2c_msg>(nameof(i2c_msg.flags)));
        Assert.Equal(4, (int)Marshal.OffsetOf<i2c_msg>(nameof(i2c_msg.len)));
        Assert.Equal(8, (int)Marshal.OffsetOf<i2c_msg>(nameof(i2c_msg.buf))); // pinned explicitly: 8 on arm32 as well

        // buf at 8 plus a pointer: 16 bytes on 64-bit (this machine, arm64); the same rule gives arm32's 12.
        Assert.Equal(8 + IntPtr.Size, sizeof(i2c_msg));
        if (IntPtr.Size == 8)
        {
            Assert.Equal(16, sizeof(i2c_msg));
        }
    }

    [Fact]
    public void I2c_rdwr_ioctl_data_puts_the_count_after_the_pointer()
    {
        Assert.Equal(0, (int)Marshal.OffsetOf<i2c_rdwr_ioctl_data>(nameof(i2c_rdwr_ioctl_data.msgs)));
        Assert.Equal(IntPtr.Size, (int)Marshal.OffsetOf<i2c_rdwr_ioctl_data>(nameof(i2c_rdwr_ioctl_data.nmsgs)));
        Assert.Equal(IntPtr.Size == 8 ? 16 : 8, sizeof(i2c_rdwr_ioctl_data));
    }

    [Fact]
    public void Pollfd_is_8_bytes_with_events_at_4()
    {
        Assert.Equal(8, sizeof(Libc.pollfd));
        Assert.Equal(4, (int)Marshal.OffsetOf<Libc.pollfd>(nameof(Libc.pollfd.events)));
        Assert.Equal(6, (int)Marshal.OffsetOf<Libc.pollfd>(nameof(Libc.pollfd.revents)));
    }
}
