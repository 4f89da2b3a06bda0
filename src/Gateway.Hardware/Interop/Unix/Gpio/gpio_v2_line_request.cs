using System.Runtime.InteropServices;

namespace Gateway.Hardware.Interop;

/// <summary>
/// struct gpio_v2_line_request (include/uapi/linux/gpio.h), 592 bytes: GPIO_V2_GET_LINE_IOCTL's argument. The kernel
/// fills <see cref="fd"/>; the lines are held until that descriptor is closed.
/// </summary>
[StructLayout(LayoutKind.Explicit, Size = 592)]
internal unsafe struct gpio_v2_line_request
{
    /// <summary>The chip's line offsets requested; bit i of masks and values refers to offsets[i].</summary>
    [FieldOffset(0)]
    public fixed uint offsets[GpioUapi.GPIO_V2_LINES_MAX];

    /// <summary>Who holds the lines (shown in line info), NUL-terminated.</summary>
    [FieldOffset(256)]
    public fixed byte consumer[GpioUapi.GPIO_MAX_NAME_SIZE];

    /// <summary>The requested configuration.</summary>
    [FieldOffset(288)]
    public gpio_v2_line_config config;

    /// <summary>How many of <see cref="offsets"/> are used.</summary>
    [FieldOffset(560)]
    public uint num_lines;

    /// <summary>Edge events the kernel buffers before dropping the oldest; 0 = the kernel's default (16 per line).</summary>
    [FieldOffset(564)]
    public uint event_buffer_size;

    /// <summary>Must be zero.</summary>
    [FieldOffset(568)]
    public fixed uint padding[5];

    /// <summary>Filled by the kernel: the request's descriptor.</summary>
    [FieldOffset(588)]
    public int fd;
}
