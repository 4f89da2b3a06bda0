using System.Device.Gpio;

namespace Gateway.Hardware.Devices.DigitalInput;

/// <summary>One counted edge of a <see cref="DigitalInput"/>.</summary>
public sealed class DigitalInputChangedEventArgs : EventArgs
{
    /// <summary>Creates the event.</summary>
    /// <param name="changeType">Rising or falling.</param>
    /// <param name="timestampNanoseconds">When the edge happened (the kernel's CLOCK_MONOTONIC).</param>
    /// <param name="count">The input's edge count including this edge.</param>
    public DigitalInputChangedEventArgs(PinEventTypes changeType, long timestampNanoseconds, long count)
    {
        ChangeType = changeType;
        TimestampNanoseconds = timestampNanoseconds;
        Count = count;
    }

    /// <summary>Rising or falling.</summary>
    public PinEventTypes ChangeType { get; }

    /// <summary>The level after the edge: high after a rising edge.</summary>
    public bool IsHigh => ChangeType == PinEventTypes.Rising;

    /// <summary>When the edge happened, CLOCK_MONOTONIC nanoseconds (the kernel's default event clock).</summary>
    public long TimestampNanoseconds { get; }

    /// <summary>The input's edge count including this edge.</summary>
    public long Count { get; }
}
