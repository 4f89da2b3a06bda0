using System.Device.Gpio;
using System.Text;
using Gateway.Hardware.Interop;

namespace Gateway.Hardware.Linux;

/// <summary>The bias the kernel reports for a line (GPIO_V2_LINE_FLAG_BIAS_*).</summary>
public enum LinuxGpioBias
{
    /// <summary>No bias flag: whatever the board or firmware set.</summary>
    AsIs,

    /// <summary>Pull-up.</summary>
    PullUp,

    /// <summary>Pull-down.</summary>
    PullDown,

    /// <summary>Bias disabled.</summary>
    Disabled,
}

/// <summary>
/// What the kernel reports about one line (GPIO_V2_GET_LINEINFO_IOCTL, Documentation/userspace-api/gpio/
/// gpio-v2-get-lineinfo-ioctl.rst): its name, who holds it and how it is configured. For diagnostics and tests; it is
/// the kernel's view, so it shows other processes' requests too.
/// </summary>
/// <param name="Offset">The line's offset on the chip.</param>
/// <param name="Name">The line's name, or null when it has none.</param>
/// <param name="Consumer">Who holds the line (e.g. "gateway"), or null.</param>
/// <param name="IsUsed">Whether the line is held (by a process or by the kernel).</param>
/// <param name="IsOutput">Whether it is configured as an output (otherwise an input).</param>
/// <param name="IsActiveLow">Whether values are inverted by the kernel.</param>
/// <param name="Bias">The bias.</param>
/// <param name="Edges">The edges the holder asked to be told about.</param>
/// <param name="Debounce">The debounce period (zero for none).</param>
public sealed record LinuxGpioLineInfo(
    int Offset, string? Name, string? Consumer, bool IsUsed, bool IsOutput, bool IsActiveLow, LinuxGpioBias Bias, PinEventTypes Edges, TimeSpan Debounce)
{
    /// <summary>
    /// The line's configuration as a System.Device.Gpio mode: an output, or an input with its pull (an input whose bias
    /// is as-is or disabled is <see cref="PinMode.Input"/>).
    /// </summary>
    public PinMode Mode => IsOutput ? PinMode.Output
        : Bias switch
        {
            LinuxGpioBias.PullUp => PinMode.InputPullUp,
            LinuxGpioBias.PullDown => PinMode.InputPullDown,
            _ => PinMode.Input,
        };

    /// <summary>Decodes the kernel's struct. Pure.</summary>
    internal static unsafe LinuxGpioLineInfo From(in gpio_v2_line_info info)
    {
        var flags = (gpio_v2_line_flag)info.flags;
        bool Has(gpio_v2_line_flag flag) => (flags & flag) != 0;
        var bias = Has(gpio_v2_line_flag.GPIO_V2_LINE_FLAG_BIAS_PULL_UP) ? LinuxGpioBias.PullUp
            : Has(gpio_v2_line_flag.GPIO_V2_LINE_FLAG_BIAS_PULL_DOWN) ? LinuxGpioBias.PullDown
            : Has(gpio_v2_line_flag.GPIO_V2_LINE_FLAG_BIAS_DISABLED) ? LinuxGpioBias.Disabled
            : LinuxGpioBias.AsIs;
        var edges = (Has(gpio_v2_line_flag.GPIO_V2_LINE_FLAG_EDGE_RISING) ? PinEventTypes.Rising : PinEventTypes.None)
            | (Has(gpio_v2_line_flag.GPIO_V2_LINE_FLAG_EDGE_FALLING) ? PinEventTypes.Falling : PinEventTypes.None);

        // The debounce period is reported as a DEBOUNCE attribute (gpiolib-cdev.c, gpio_desc_to_lineinfo).
        var debounce = TimeSpan.Zero;
        var count = Math.Min(info.num_attrs, (uint)GpioUapi.GPIO_V2_LINE_NUM_ATTRS_MAX);
        for (var i = 0; i < count; i++)
        {
            if (info.attrs[i].id == (uint)gpio_v2_line_attr_id.GPIO_V2_LINE_ATTR_ID_DEBOUNCE)
            {
                debounce = TimeSpan.FromMicroseconds(info.attrs[i].debounce_period_us);
            }
        }

        fixed (byte* name = info.name)
        fixed (byte* consumer = info.consumer)
        {
            return new LinuxGpioLineInfo(
                (int)info.offset,
                CString(name),
                CString(consumer),
                Has(gpio_v2_line_flag.GPIO_V2_LINE_FLAG_USED),
                Has(gpio_v2_line_flag.GPIO_V2_LINE_FLAG_OUTPUT),
                Has(gpio_v2_line_flag.GPIO_V2_LINE_FLAG_ACTIVE_LOW),
                bias,
                edges,
                debounce);
        }
    }

    private static unsafe string? CString(byte* bytes)
    {
        var span = new ReadOnlySpan<byte>(bytes, GpioUapi.GPIO_MAX_NAME_SIZE);
        var length = span.IndexOf((byte)0);
        return length == 0 ? null : Encoding.UTF8.GetString(length < 0 ? span : span[..length]);
    }
}
