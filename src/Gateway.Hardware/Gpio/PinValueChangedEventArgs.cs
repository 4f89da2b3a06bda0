namespace Gateway.Hardware.Gpio;

/// <summary>One edge on a line (as System.Device.Gpio's <c>PinValueChangedEventArgs</c>, plus kernel timestamp and sequence).</summary>
public sealed class PinValueChangedEventArgs : EventArgs
{
    /// <summary>Creates the event.</summary>
    public PinValueChangedEventArgs(int pinNumber, PinEventTypes changeType, long timestampNanoseconds, uint lineSequence)
    {
        PinNumber = pinNumber;
        ChangeType = changeType;
        TimestampNanoseconds = timestampNanoseconds;
        LineSequence = lineSequence;
    }

    /// <summary>The line's offset on its chip.</summary>
    public int PinNumber { get; }

    /// <summary>Rising or falling.</summary>
    public PinEventTypes ChangeType { get; }

    /// <summary>When the edge happened, CLOCK_MONOTONIC nanoseconds (the kernel's default event clock).</summary>
    public long TimestampNanoseconds { get; }

    /// <summary>Per-line event number; a jump of more than one means the kernel's event buffer dropped edges.</summary>
    public uint LineSequence { get; }
}

/// <summary>Receives edges of a line; called on the driver's event thread, so keep it short.</summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1711", Justification = "The name System.Device.Gpio uses, so bindings port across unchanged.")]
public delegate void PinChangeEventHandler(object sender, PinValueChangedEventArgs args);
