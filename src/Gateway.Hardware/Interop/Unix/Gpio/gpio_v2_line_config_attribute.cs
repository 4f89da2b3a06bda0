using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Gateway.Hardware.Interop;

/// <summary>struct gpio_v2_line_config_attribute (include/uapi/linux/gpio.h), 24 bytes: an attribute and the lines it applies to.</summary>
[StructLayout(LayoutKind.Explicit, Size = 24)]
internal struct gpio_v2_line_config_attribute
{
    /// <summary>The attribute.</summary>
    [FieldOffset(0)]
    public gpio_v2_line_attribute attr;

    /// <summary>Bit i set: the attribute applies to offsets[i] of the request.</summary>
    [FieldOffset(16)]
    public ulong mask;
}

/// <summary>attrs[GPIO_V2_LINE_NUM_ATTRS_MAX] of a line config (C# has no fixed buffers of structs), 240 bytes.</summary>
[InlineArray(GpioUapi.GPIO_V2_LINE_NUM_ATTRS_MAX)]
internal struct gpio_v2_line_config_attribute_array
{
    private gpio_v2_line_config_attribute _element0;
}
