using System.Diagnostics.CodeAnalysis;

namespace Gateway.Hardware.Interop;

/// <summary>
/// The GPIO character device uAPI v2 (include/uapi/linux/gpio.h, Linux ≥ 5.10; Documentation/userspace-api/gpio/):
/// sizes, request codes computed from the structs, line flags, attribute and event ids.
/// </summary>
internal static unsafe class GpioUapi
{
    /// <summary>GPIO_MAX_NAME_SIZE: names, labels and consumers are NUL-padded char[32].</summary>
    internal const int GPIO_MAX_NAME_SIZE = 32;

    /// <summary>GPIO_V2_LINES_MAX: most lines in one request.</summary>
    internal const int GPIO_V2_LINES_MAX = 64;

    /// <summary>GPIO_V2_LINE_NUM_ATTRS_MAX: most attributes in one line config.</summary>
    internal const int GPIO_V2_LINE_NUM_ATTRS_MAX = 10;

    /// <summary>The ioctl type of the GPIO character device.</summary>
    internal const uint GPIO_IOCTL_TYPE = 0xB4;

    /// <summary>GPIO_GET_CHIPINFO_IOCTL = _IOR(0xB4, 0x01, struct gpiochip_info), on the chip fd.</summary>
    internal static readonly uint GPIO_GET_CHIPINFO_IOCTL = Ioctl._IOR(GPIO_IOCTL_TYPE, 0x01, sizeof(gpiochip_info));

    /// <summary>GPIO_V2_GET_LINEINFO_IOCTL = _IOWR(0xB4, 0x05, struct gpio_v2_line_info), on the chip fd.</summary>
    internal static readonly uint GPIO_V2_GET_LINEINFO_IOCTL = Ioctl._IOWR(GPIO_IOCTL_TYPE, 0x05, sizeof(gpio_v2_line_info));

    /// <summary>GPIO_V2_GET_LINE_IOCTL = _IOWR(0xB4, 0x07, struct gpio_v2_line_request), on the chip fd; fills <c>fd</c>.</summary>
    internal static readonly uint GPIO_V2_GET_LINE_IOCTL = Ioctl._IOWR(GPIO_IOCTL_TYPE, 0x07, sizeof(gpio_v2_line_request));

    /// <summary>GPIO_V2_LINE_SET_CONFIG_IOCTL = _IOWR(0xB4, 0x0D, struct gpio_v2_line_config), on the request fd.</summary>
    internal static readonly uint GPIO_V2_LINE_SET_CONFIG_IOCTL = Ioctl._IOWR(GPIO_IOCTL_TYPE, 0x0D, sizeof(gpio_v2_line_config));

    /// <summary>GPIO_V2_LINE_GET_VALUES_IOCTL = _IOWR(0xB4, 0x0E, struct gpio_v2_line_values), on the request fd.</summary>
    internal static readonly uint GPIO_V2_LINE_GET_VALUES_IOCTL = Ioctl._IOWR(GPIO_IOCTL_TYPE, 0x0E, sizeof(gpio_v2_line_values));

    /// <summary>GPIO_V2_LINE_SET_VALUES_IOCTL = _IOWR(0xB4, 0x0F, struct gpio_v2_line_values), on the request fd.</summary>
    internal static readonly uint GPIO_V2_LINE_SET_VALUES_IOCTL = Ioctl._IOWR(GPIO_IOCTL_TYPE, 0x0F, sizeof(gpio_v2_line_values));
}

/// <summary>
/// enum gpio_v2_line_flag. Rules (gpio-v2-get-line-ioctl.rst, enforced by gpio_v2_line_flags_validate in
/// drivers/gpio/gpiolib-cdev.c): INPUT and OUTPUT are exclusive; edges need INPUT; bias and drive need a direction;
/// at most one bias flag. USED appears only in line info.
/// </summary>
[SuppressMessage("Naming", "CA1712", Justification = "The kernel's names, kept so they can be found in include/uapi/linux/gpio.h.")]
[Flags]
internal enum gpio_v2_line_flag : ulong
{
    None = 0,
    GPIO_V2_LINE_FLAG_USED = 1UL << 0,
    GPIO_V2_LINE_FLAG_ACTIVE_LOW = 1UL << 1,
    GPIO_V2_LINE_FLAG_INPUT = 1UL << 2,
    GPIO_V2_LINE_FLAG_OUTPUT = 1UL << 3,
    GPIO_V2_LINE_FLAG_EDGE_RISING = 1UL << 4,
    GPIO_V2_LINE_FLAG_EDGE_FALLING = 1UL << 5,
    GPIO_V2_LINE_FLAG_OPEN_DRAIN = 1UL << 6,
    GPIO_V2_LINE_FLAG_OPEN_SOURCE = 1UL << 7,
    GPIO_V2_LINE_FLAG_BIAS_PULL_UP = 1UL << 8,
    GPIO_V2_LINE_FLAG_BIAS_PULL_DOWN = 1UL << 9,
    GPIO_V2_LINE_FLAG_BIAS_DISABLED = 1UL << 10,
    GPIO_V2_LINE_FLAG_EVENT_CLOCK_REALTIME = 1UL << 11,
}

/// <summary>enum gpio_v2_line_attr_id: which member of the attribute's union is meant.</summary>
[SuppressMessage("Naming", "CA1712", Justification = "The kernel's names, kept so they can be found in include/uapi/linux/gpio.h.")]
internal enum gpio_v2_line_attr_id : uint
{
    /// <summary>GPIO_V2_LINE_ATTR_ID_FLAGS: <c>flags</c> override the config's flags for the masked lines.</summary>
    GPIO_V2_LINE_ATTR_ID_FLAGS = 1,

    /// <summary>GPIO_V2_LINE_ATTR_ID_OUTPUT_VALUES: <c>values</c>, bit i = offsets[i]'s output value.</summary>
    GPIO_V2_LINE_ATTR_ID_OUTPUT_VALUES = 2,

    /// <summary>GPIO_V2_LINE_ATTR_ID_DEBOUNCE: <c>debounce_period_us</c>.</summary>
    GPIO_V2_LINE_ATTR_ID_DEBOUNCE = 3,
}

/// <summary>enum gpio_v2_line_event_id.</summary>
[SuppressMessage("Naming", "CA1712", Justification = "The kernel's names, kept so they can be found in include/uapi/linux/gpio.h.")]
internal enum gpio_v2_line_event_id : uint
{
    /// <summary>GPIO_V2_LINE_EVENT_RISING_EDGE.</summary>
    GPIO_V2_LINE_EVENT_RISING_EDGE = 1,

    /// <summary>GPIO_V2_LINE_EVENT_FALLING_EDGE.</summary>
    GPIO_V2_LINE_EVENT_FALLING_EDGE = 2,
}
