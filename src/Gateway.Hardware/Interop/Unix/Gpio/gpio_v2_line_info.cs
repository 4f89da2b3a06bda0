using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Gateway.Hardware.Interop;

/// <summary>
/// struct gpio_v2_line_info (include/uapi/linux/gpio.h), 256 bytes: GPIO_V2_GET_LINEINFO_IOCTL's argument; the
/// caller sets <see cref="offset"/> and leaves everything else zero (the kernel refuses non-zero padding).
/// </summary>
[StructLayout(LayoutKind.Explicit, Size = 256)]
internal unsafe struct gpio_v2_line_info
{
    /// <summary>The line's name (e.g. "GPIO17"), possibly empty.</summary>
    [FieldOffset(0)]
    public fixed byte name[GpioUapi.GPIO_MAX_NAME_SIZE];

    /// <summary>Who holds the line, possibly empty.</summary>
    [FieldOffset(32)]
    public fixed byte consumer[GpioUapi.GPIO_MAX_NAME_SIZE];

    /// <summary>The line's offset on the chip.</summary>
    [FieldOffset(64)]
    public uint offset;

    /// <summary>How many of <see cref="attrs"/> are used.</summary>
    [FieldOffset(68)]
    public uint num_attrs;

    /// <summary>The line's flags (<see cref="gpio_v2_line_flag"/>).</summary>
    [FieldOffset(72)]
    public ulong flags;

    /// <summary>Attributes such as the debounce period.</summary>
    [FieldOffset(80)]
    public gpio_v2_line_attribute_array attrs;

    /// <summary>Must be zero.</summary>
    [FieldOffset(240)]
    public fixed uint padding[4];
}

/// <summary>attrs[GPIO_V2_LINE_NUM_ATTRS_MAX] of a line info, 160 bytes.</summary>
[InlineArray(GpioUapi.GPIO_V2_LINE_NUM_ATTRS_MAX)]
internal struct gpio_v2_line_attribute_array
{
    private gpio_v2_line_attribute _element0;
}
