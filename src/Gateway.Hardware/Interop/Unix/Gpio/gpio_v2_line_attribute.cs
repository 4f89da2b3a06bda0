using System.Runtime.InteropServices;

namespace Gateway.Hardware.Interop;

/// <summary>
/// struct gpio_v2_line_attribute (include/uapi/linux/gpio.h), 16 bytes: an id, padding, and a union selected by
/// the id (<see cref="gpio_v2_line_attr_id"/>). The union is 8-aligned on 32-bit too (__aligned_u64).
/// </summary>
[StructLayout(LayoutKind.Explicit, Size = 16)]
internal struct gpio_v2_line_attribute
{
    /// <summary>Which union member is meant.</summary>
    [FieldOffset(0)]
    public uint id;

    /// <summary>Must be zero.</summary>
    [FieldOffset(4)]
    public uint padding;

    /// <summary>For GPIO_V2_LINE_ATTR_ID_FLAGS.</summary>
    [FieldOffset(8)]
    public ulong flags;

    /// <summary>For GPIO_V2_LINE_ATTR_ID_OUTPUT_VALUES: bit i is offsets[i]'s value.</summary>
    [FieldOffset(8)]
    public ulong values;

    /// <summary>For GPIO_V2_LINE_ATTR_ID_DEBOUNCE.</summary>
    [FieldOffset(8)]
    public uint debounce_period_us;
}
