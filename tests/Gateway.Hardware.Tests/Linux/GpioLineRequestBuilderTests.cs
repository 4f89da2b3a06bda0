using System.Device.Gpio;
using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Gateway.Hardware.Interop;
using Gateway.Hardware.Linux;

namespace Gateway.Hardware.Tests.Linux;

/// <summary>The structs the driver hands the kernel, built from a line's settings (gpio-v2-get-line-ioctl.rst rules).</summary>
public class GpioLineRequestBuilderTests
{
    private const ulong Input = 1UL << 2;
    private const ulong Output = 1UL << 3;
    private const ulong EdgeRising = 1UL << 4;
    private const ulong EdgeFalling = 1UL << 5;
    private const ulong PullUp = 1UL << 8;
    private const ulong PullDown = 1UL << 9;

    [Theory]
    [InlineData(PinMode.Output, PinEventTypes.None, Output)]
    [InlineData(PinMode.Input, PinEventTypes.None, Input)] // no bias flag: the board's bias is kept
    [InlineData(PinMode.InputPullUp, PinEventTypes.None, Input | PullUp)] // bias always with a direction
    [InlineData(PinMode.InputPullDown, PinEventTypes.None, Input | PullDown)]
    [InlineData(PinMode.Input, PinEventTypes.Rising, Input | EdgeRising)]
    [InlineData(PinMode.InputPullUp, PinEventTypes.Falling, Input | PullUp | EdgeFalling)]
    [InlineData(PinMode.InputPullDown, PinEventTypes.Rising | PinEventTypes.Falling, Input | PullDown | EdgeRising | EdgeFalling)]
    public void A_mode_and_edges_become_the_uapi_flags(PinMode mode, PinEventTypes edges, ulong expected)
        => Assert.Equal(expected, (ulong)GpioLineRequestBuilder.Flags(mode, edges));

    [Fact]
    public void Edges_on_an_output_are_refused_before_the_kernel_sees_them()
    {
        var ex = Assert.Throws<ArgumentException>(() => GpioLineRequestBuilder.Flags(PinMode.Output, PinEventTypes.Rising));
        Assert.Contains("edge detection needs an input", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1, 1UL)]
    [InlineData(0, 0UL)]
    public void An_output_carries_its_initial_value_as_an_output_values_attribute_for_its_one_line(int level, ulong bits)
    {
        PinValue initial = level;
        var config = GpioLineRequestBuilder.Config(new GpioLineSettings(PinMode.Output, initial, PinEventTypes.None, TimeSpan.FromMilliseconds(5)));

        Assert.Equal(Output, config.flags);
        Assert.Equal(1u, config.num_attrs); // the debounce is an input property: not sent for an output
        Assert.Equal(2u, config.attrs[0].attr.id);
        Assert.Equal(bits, config.attrs[0].attr.values);
        Assert.Equal(1UL, config.attrs[0].mask);
    }

    [Fact]
    public void An_input_with_debounce_carries_the_period_in_microseconds()
    {
        var config = GpioLineRequestBuilder.Config(new GpioLineSettings(PinMode.InputPullUp, PinValue.Low, PinEventTypes.Falling, TimeSpan.FromMilliseconds(20)));

        Assert.Equal(Input | PullUp | EdgeFalling, config.flags);
        Assert.Equal(1u, config.num_attrs);
        Assert.Equal(3u, config.attrs[0].attr.id);
        Assert.Equal(20_000u, config.attrs[0].attr.debounce_period_us);
        Assert.Equal(1UL, config.attrs[0].mask);
    }

    [Fact]
    public void An_input_without_debounce_has_no_attributes()
    {
        var config = GpioLineRequestBuilder.Config(new GpioLineSettings(PinMode.Input, PinValue.High, PinEventTypes.Rising, TimeSpan.Zero));

        Assert.Equal(0u, config.num_attrs);
        Assert.All(Bytes(ref config)[8..], b => Assert.Equal(0, b));
    }

    [Theory]
    [InlineData(0L, 0u)]
    [InlineData(-10L, 0u)]
    [InlineData(1L, 1u)] // 100 ns rounds up: a short debounce never becomes none
    [InlineData(10L, 1u)]
    [InlineData(11L, 2u)]
    [InlineData(200_000L, 20_000u)]
    [InlineData(long.MaxValue, uint.MaxValue)]
    public void A_debounce_period_becomes_whole_microseconds_rounded_up(long ticks, uint micros)
        => Assert.Equal(micros, GpioLineRequestBuilder.DebounceMicroseconds(TimeSpan.FromTicks(ticks)));

    [Fact]
    public void A_line_request_has_the_kernels_bytes_and_zeroes_everywhere_else()
    {
        var request = GpioLineRequestBuilder.Request(17, new GpioLineSettings(PinMode.Output, PinValue.High, PinEventTypes.None, TimeSpan.Zero), "gateway", 64);

        var expected = new byte[592];
        BinaryPrimitives.WriteUInt32LittleEndian(expected.AsSpan(0), 17); // offsets[0]
        "gateway"u8.CopyTo(expected.AsSpan(256)); // consumer, NUL-terminated by the zeroes after it
        BinaryPrimitives.WriteUInt64LittleEndian(expected.AsSpan(288), Output); // config.flags
        BinaryPrimitives.WriteUInt32LittleEndian(expected.AsSpan(296), 1); // config.num_attrs
        BinaryPrimitives.WriteUInt32LittleEndian(expected.AsSpan(320), 2); // attrs[0].attr.id = OUTPUT_VALUES
        BinaryPrimitives.WriteUInt64LittleEndian(expected.AsSpan(328), 1); // attrs[0].attr.values
        BinaryPrimitives.WriteUInt64LittleEndian(expected.AsSpan(336), 1); // attrs[0].mask
        BinaryPrimitives.WriteUInt32LittleEndian(expected.AsSpan(560), 1); // num_lines
        BinaryPrimitives.WriteUInt32LittleEndian(expected.AsSpan(564), 64); // event_buffer_size

        Assert.Equal(expected, Bytes(ref request));
    }

    [Fact]
    public void A_request_as_it_is_has_no_flags_and_no_attributes_so_the_kernel_changes_neither_direction_nor_level()
    {
        var request = GpioLineRequestBuilder.RequestAsIs(17, "gateway", 64);

        var expected = new byte[592];
        BinaryPrimitives.WriteUInt32LittleEndian(expected.AsSpan(0), 17); // offsets[0]
        "gateway"u8.CopyTo(expected.AsSpan(256)); // consumer
        BinaryPrimitives.WriteUInt32LittleEndian(expected.AsSpan(560), 1); // num_lines
        BinaryPrimitives.WriteUInt32LittleEndian(expected.AsSpan(564), 64); // event_buffer_size

        Assert.Equal(expected, Bytes(ref request)); // config.flags 0: neither INPUT nor OUTPUT (linereq_create leaves the direction)
    }

    [Fact]
    public void An_input_config_with_edges_and_debounce_has_the_kernels_bytes()
    {
        var config = GpioLineRequestBuilder.Config(new GpioLineSettings(PinMode.InputPullDown, PinValue.Low, PinEventTypes.Rising | PinEventTypes.Falling, TimeSpan.FromMilliseconds(1)));

        var expected = new byte[272];
        BinaryPrimitives.WriteUInt64LittleEndian(expected.AsSpan(0), Input | PullDown | EdgeRising | EdgeFalling);
        BinaryPrimitives.WriteUInt32LittleEndian(expected.AsSpan(8), 1);
        BinaryPrimitives.WriteUInt32LittleEndian(expected.AsSpan(32), 3); // DEBOUNCE
        BinaryPrimitives.WriteUInt32LittleEndian(expected.AsSpan(40), 1000); // debounce_period_us
        BinaryPrimitives.WriteUInt64LittleEndian(expected.AsSpan(48), 1); // mask

        Assert.Equal(expected, Bytes(ref config));
    }

    [Theory]
    [InlineData("")]
    [InlineData("a consumer name of thirty-two chars")]
    [InlineData("gätëway")]
    public void A_consumer_name_the_kernel_cannot_hold_is_refused(string consumer)
        => Assert.ThrowsAny<ArgumentException>(() => GpioLineRequestBuilder.Request(1, default, consumer, 0));

    private static byte[] Bytes<T>(ref T value)
        where T : unmanaged
        => MemoryMarshal.AsBytes(MemoryMarshal.CreateSpan(ref value, 1)).ToArray();
}
