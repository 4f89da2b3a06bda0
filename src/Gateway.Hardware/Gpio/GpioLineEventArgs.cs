using System.Device.Gpio;

namespace Gateway.Hardware.Gpio;

/// <summary>
/// One edge as the gateway's drivers report it: System.Device.Gpio's <see cref="PinValueChangedEventArgs"/> plus the
/// kernel's timestamp and per-line sequence number (struct gpio_v2_line_event, include/uapi/linux/gpio.h), which
/// the standard type lacks. A binding written for System.Device.Gpio sees the base type and works unchanged.
/// </summary>
public sealed class GpioLineEventArgs : PinValueChangedEventArgs
{
    /// <summary>Creates the event.</summary>
    /// <param name="changeType">Rising or falling.</param>
    /// <param name="pinNumber">The line's offset on its chip.</param>
    /// <param name="timestampNanoseconds">When the edge happened, CLOCK_MONOTONIC nanoseconds.</param>
    /// <param name="lineSequence">The line's event number.</param>
    public GpioLineEventArgs(PinEventTypes changeType, int pinNumber, long timestampNanoseconds, uint lineSequence)
        : base(changeType, pinNumber)
    {
        TimestampNanoseconds = timestampNanoseconds;
        LineSequence = lineSequence;
    }

    /// <summary>When the edge happened, CLOCK_MONOTONIC nanoseconds (the kernel's default event clock).</summary>
    public long TimestampNanoseconds { get; }

    /// <summary>Per-line event number; a jump of more than one means the kernel's event buffer dropped edges.</summary>
    public uint LineSequence { get; }
}
