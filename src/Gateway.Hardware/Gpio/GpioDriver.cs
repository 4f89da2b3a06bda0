namespace Gateway.Hardware.Gpio;

/// <summary>
/// Does the work behind <see cref="GpioController"/> for one GPIO chip (as System.Device.Gpio's <c>GpioDriver</c>).
/// The controller checks arguments and tracks state; a driver may assume the pin is open and the arguments valid.
/// </summary>
public abstract class GpioDriver : IDisposable
{
    /// <summary>Number of lines on the chip.</summary>
    protected internal abstract int PinCount { get; }

    /// <summary>A human-readable name of the chip, e.g. <c>/dev/gpiochip0 (pinctrl-bcm2711)</c>, used in errors.</summary>
    protected internal abstract string ChipName { get; }

    /// <summary>The line's name from the chip (e.g. "GPIO17"), or null when it has none.</summary>
    protected internal abstract string? GetPinName(int pinNumber);

    /// <summary>Claims the line for this process.</summary>
    /// <exception cref="DeviceBusyException">Another user holds the line.</exception>
    protected internal abstract void OpenPin(int pinNumber, PinMode mode, PinValue initialValue);

    /// <summary>Releases the line.</summary>
    protected internal abstract void ClosePin(int pinNumber);

    /// <summary>Reconfigures an open line.</summary>
    protected internal abstract void SetPinMode(int pinNumber, PinMode mode, PinValue initialValue);

    /// <summary>Whether the chip supports <paramref name="mode"/> on the line.</summary>
    protected internal abstract bool IsPinModeSupported(int pinNumber, PinMode mode);

    /// <summary>Reads the line's level.</summary>
    protected internal abstract PinValue Read(int pinNumber);

    /// <summary>Drives an output line.</summary>
    protected internal abstract void Write(int pinNumber, PinValue value);

    /// <summary>Sets the line's debounce period (zero turns it off); edges shorter than this are ignored.</summary>
    protected internal abstract void SetDebounce(int pinNumber, TimeSpan period);

    /// <summary>Starts reporting the given edges of an input line to <paramref name="callback"/>.</summary>
    protected internal abstract void AddCallbackForPinValueChangedEvent(int pinNumber, PinEventTypes eventTypes, PinChangeEventHandler callback);

    /// <summary>Stops reporting edges to <paramref name="callback"/>.</summary>
    protected internal abstract void RemoveCallbackForPinValueChangedEvent(int pinNumber, PinChangeEventHandler callback);

    /// <summary>Releases every line and the chip.</summary>
    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Releases resources.</summary>
    protected virtual void Dispose(bool disposing)
    {
    }
}
