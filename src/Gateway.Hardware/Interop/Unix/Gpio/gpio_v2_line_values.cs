using System.Runtime.InteropServices;

namespace Gateway.Hardware.Interop;

/// <summary>
/// struct gpio_v2_line_values (include/uapi/linux/gpio.h), 16 bytes: GET/SET_VALUES' argument. Bit i refers to
/// offsets[i] of the request; only the lines whose mask bit is set are read or written.
/// </summary>
[StructLayout(LayoutKind.Explicit, Size = 16)]
internal struct gpio_v2_line_values
{
    /// <summary>The values (logical: active-low is applied by the kernel).</summary>
    [FieldOffset(0)]
    public ulong bits;

    /// <summary>Which lines.</summary>
    [FieldOffset(8)]
    public ulong mask;
}
