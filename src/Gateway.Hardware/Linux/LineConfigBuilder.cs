using Gateway.Hardware.Gpio;
using Gateway.Hardware.Interop;

namespace Gateway.Hardware.Linux;

/// <summary>
/// Builds the uAPI v2 line configuration for one line (Documentation/userspace-api/gpio/gpio-v2-get-line-ioctl.rst):
/// direction and bias flags (bias needs a direction), edge flags (only on inputs), the output value as an attribute
/// so an output never glitches at request time, and the debounce period as an attribute. Pure.
/// </summary>
internal static class LineConfigBuilder
{
    /// <summary>The flags for a mode and edge selection.</summary>
    public static GpioV2.LineFlags Flags(PinMode mode, PinEventTypes edges)
    {
        var flags = mode switch
        {
            PinMode.Output => GpioV2.LineFlags.Output,
            PinMode.InputPullUp => GpioV2.LineFlags.Input | GpioV2.LineFlags.BiasPullUp,
            PinMode.InputPullDown => GpioV2.LineFlags.Input | GpioV2.LineFlags.BiasPullDown,
            _ => GpioV2.LineFlags.Input,
        };
        if (mode != PinMode.Output)
        {
            if ((edges & PinEventTypes.Rising) != 0)
            {
                flags |= GpioV2.LineFlags.EdgeRising;
            }

            if ((edges & PinEventTypes.Falling) != 0)
            {
                flags |= GpioV2.LineFlags.EdgeFalling;
            }
        }

        return flags;
    }

    /// <summary>The whole config for one line (bit 0 of every mask is the request's only line).</summary>
    public static GpioV2.LineConfig Build(PinMode mode, PinValue initial, PinEventTypes edges, TimeSpan debounce)
    {
        var config = new GpioV2.LineConfig { Flags = (ulong)Flags(mode, edges) };
        uint n = 0;
        if (mode == PinMode.Output)
        {
            config.Attrs[(int)n++] = new GpioV2.LineConfigAttribute
            {
                Attr = new GpioV2.LineAttribute { Id = (uint)GpioV2.AttributeId.OutputValues, Values = initial == PinValue.High ? 1UL : 0UL },
                Mask = 1,
            };
        }
        else if (debounce > TimeSpan.Zero)
        {
            config.Attrs[(int)n++] = new GpioV2.LineConfigAttribute
            {
                Attr = new GpioV2.LineAttribute { Id = (uint)GpioV2.AttributeId.Debounce, DebouncePeriodUs = (uint)Math.Min(debounce.TotalMicroseconds, uint.MaxValue) },
                Mask = 1,
            };
        }

        config.NumAttrs = n;
        return config;
    }
}
