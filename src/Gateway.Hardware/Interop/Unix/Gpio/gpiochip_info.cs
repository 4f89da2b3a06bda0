using System.Runtime.InteropServices;

namespace Gateway.Hardware.Interop;

/// <summary>struct gpiochip_info (include/uapi/linux/gpio.h), 68 bytes: filled by GPIO_GET_CHIPINFO_IOCTL.</summary>
[StructLayout(LayoutKind.Explicit, Size = 68)]
internal unsafe struct gpiochip_info
{
    /// <summary>The chip's kernel name, e.g. "gpiochip0" (NUL-terminated).</summary>
    [FieldOffset(0)]
    public fixed byte name[GpioUapi.GPIO_MAX_NAME_SIZE];

    /// <summary>The chip's functional label, e.g. "pinctrl-bcm2711" (NUL-terminated).</summary>
    [FieldOffset(32)]
    public fixed byte label[GpioUapi.GPIO_MAX_NAME_SIZE];

    /// <summary>Number of lines.</summary>
    [FieldOffset(64)]
    public uint lines;
}
