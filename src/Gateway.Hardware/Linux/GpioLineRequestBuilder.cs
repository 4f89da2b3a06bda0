using System.Text;
using System.Device.Gpio;
using Gateway.Hardware.Interop;

namespace Gateway.Hardware.Linux;

/// <summary>
/// Fills the uAPI v2 structs for one line from <see cref="GpioLineSettings"/> (include/uapi/linux/gpio.h;
/// Documentation/userspace-api/gpio/gpio-v2-get-line-ioctl.rst). Pure: no system calls. The rules the kernel
/// enforces (gpio_v2_line_flags_validate in drivers/gpio/gpiolib-cdev.c) are checked here first, so a mistake is a
/// clear exception rather than a bare EINVAL.
/// </summary>
internal static unsafe class GpioLineRequestBuilder
{
    /// <summary>Bit 0 of a mask: the request's only line, offsets[0].</summary>
    private const ulong OnlyLine = 1;

    /// <summary>
    /// The line flags: INPUT or OUTPUT, a bias flag only together with INPUT (bias needs a direction; an input
    /// without one keeps the bias the board has), and edge flags only on inputs.
    /// </summary>
    /// <exception cref="ArgumentException">Edges were asked for on an output.</exception>
    public static gpio_v2_line_flag Flags(PinMode mode, PinEventTypes edges)
    {
        var flags = mode switch
        {
            PinMode.Input => gpio_v2_line_flag.GPIO_V2_LINE_FLAG_INPUT,
            PinMode.InputPullUp => gpio_v2_line_flag.GPIO_V2_LINE_FLAG_INPUT | gpio_v2_line_flag.GPIO_V2_LINE_FLAG_BIAS_PULL_UP,
            PinMode.InputPullDown => gpio_v2_line_flag.GPIO_V2_LINE_FLAG_INPUT | gpio_v2_line_flag.GPIO_V2_LINE_FLAG_BIAS_PULL_DOWN,
            PinMode.Output => gpio_v2_line_flag.GPIO_V2_LINE_FLAG_OUTPUT,
            _ => throw new ArgumentOutOfRangeException(nameof(mode), mode, "not a GPIO line mode"),
        };
        if ((edges & ~(PinEventTypes.Rising | PinEventTypes.Falling)) != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(edges), edges, "Rising, Falling or both");
        }

        if (edges != PinEventTypes.None && mode == PinMode.Output)
        {
            throw new ArgumentException("edge detection needs an input line (the kernel refuses EDGE_* flags without INPUT)", nameof(edges));
        }

        if ((edges & PinEventTypes.Rising) != 0)
        {
            flags |= gpio_v2_line_flag.GPIO_V2_LINE_FLAG_EDGE_RISING;
        }

        if ((edges & PinEventTypes.Falling) != 0)
        {
            flags |= gpio_v2_line_flag.GPIO_V2_LINE_FLAG_EDGE_FALLING;
        }

        return flags;
    }

    /// <summary>
    /// A debounce period in whole microseconds (debounce_period_us), rounded up so a short period never becomes
    /// "none", and capped at the field's maximum.
    /// </summary>
    public static uint DebounceMicroseconds(TimeSpan period)
    {
        if (period <= TimeSpan.Zero)
        {
            return 0;
        }

        var micros = (period.Ticks / TimeSpan.TicksPerMicrosecond) + (period.Ticks % TimeSpan.TicksPerMicrosecond == 0 ? 0 : 1);
        return (uint)Math.Min(micros, uint.MaxValue);
    }

    /// <summary>
    /// The line config: the flags, plus for an output its value as an OUTPUT_VALUES attribute (so the line starts at
    /// that value: no glitch through the other level), or for an input its debounce period as a DEBOUNCE attribute.
    /// Every attribute's mask is bit 0, the request's one line. Everything else, padding included, is zero.
    /// </summary>
    public static gpio_v2_line_config Config(in GpioLineSettings settings)
    {
        var config = new gpio_v2_line_config { flags = (ulong)Flags(settings.Mode, settings.Edges) };
        if (settings.Mode == PinMode.Output)
        {
            Add(ref config, new gpio_v2_line_attribute
            {
                id = (uint)gpio_v2_line_attr_id.GPIO_V2_LINE_ATTR_ID_OUTPUT_VALUES,
                values = settings.OutputValue == PinValue.High ? OnlyLine : 0,
            });
        }
        else if (DebounceMicroseconds(settings.Debounce) is var micros and > 0)
        {
            Add(ref config, new gpio_v2_line_attribute
            {
                id = (uint)gpio_v2_line_attr_id.GPIO_V2_LINE_ATTR_ID_DEBOUNCE,
                debounce_period_us = micros,
            });
        }

        return config;
    }

    /// <summary>The request for one line at <paramref name="offset"/>, held by <paramref name="consumer"/>.</summary>
    /// <param name="offset">The line's offset on the chip.</param>
    /// <param name="settings">How to configure it.</param>
    /// <param name="consumer">The name line info shows as the holder (ASCII, at most 31 characters).</param>
    /// <param name="eventBufferSize">Edge events the kernel keeps for this request; 0 for its default.</param>
    public static gpio_v2_line_request Request(int offset, in GpioLineSettings settings, string consumer, uint eventBufferSize)
    {
        var request = RequestAsIs(offset, consumer, eventBufferSize);
        request.config = Config(settings);
        return request;
    }

    /// <summary>
    /// The request for one line at <paramref name="offset"/> as it is: no flags and no attributes, so the kernel
    /// changes neither its direction nor its level (linereq_create in gpiolib-cdev.c sets a direction only for INPUT
    /// or OUTPUT; libgpiod calls this GPIOD_LINE_DIRECTION_AS_IS).
    /// </summary>
    /// <param name="offset">The line's offset on the chip.</param>
    /// <param name="consumer">The name line info shows as the holder (ASCII, at most 31 characters).</param>
    /// <param name="eventBufferSize">Edge events the kernel keeps for this request; 0 for its default.</param>
    public static gpio_v2_line_request RequestAsIs(int offset, string consumer, uint eventBufferSize)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentException.ThrowIfNullOrEmpty(consumer);
        if (consumer.Length >= GpioUapi.GPIO_MAX_NAME_SIZE || !Ascii.IsValid(consumer))
        {
            throw new ArgumentException($"the consumer name is ASCII of at most {GpioUapi.GPIO_MAX_NAME_SIZE - 1} characters", nameof(consumer));
        }

        var request = new gpio_v2_line_request
        {
            num_lines = 1,
            event_buffer_size = eventBufferSize,
        };
        request.offsets[0] = (uint)offset;
        Encoding.ASCII.GetBytes(consumer, new Span<byte>(request.consumer, GpioUapi.GPIO_MAX_NAME_SIZE - 1));
        return request;
    }

    private static void Add(ref gpio_v2_line_config config, gpio_v2_line_attribute attribute)
    {
        config.attrs[(int)config.num_attrs] = new gpio_v2_line_config_attribute { attr = attribute, mask = OnlyLine };
        config.num_attrs++;
    }
}
