using System.Runtime.InteropServices;

namespace Gateway.Hardware.Interop;

/// <summary>
/// struct gpio_v2_line_config (include/uapi/linux/gpio.h), 272 bytes: the flags of every line unless an attribute
/// overrides them, and up to ten attributes. Given in a line request and to GPIO_V2_LINE_SET_CONFIG_IOCTL.
/// </summary>
[StructLayout(LayoutKind.Explicit, Size = 272)]
internal unsafe struct gpio_v2_line_config
{
    /// <summary>Flags (<see cref="gpio_v2_line_flag"/>) for the lines no FLAGS attribute covers.</summary>
    [FieldOffset(0)]
    public ulong flags;

    /// <summary>How many of <see cref="attrs"/> are used.</summary>
    [FieldOffset(8)]
    public uint num_attrs;

    /// <summary>Must be zero (the kernel refuses the config otherwise).</summary>
    [FieldOffset(12)]
    public fixed uint padding[5];

    /// <summary>The attributes.</summary>
    [FieldOffset(32)]
    public gpio_v2_line_config_attribute_array attrs;
}
