namespace Gateway.Hardware.Gpio;

/// <summary>
/// What the gateway's GPIO drivers offer beyond System.Device.Gpio's <see cref="System.Device.Gpio.GpioDriver"/>:
/// the chip's name for messages, the kernel's line names and the line's debounce period (GPIO uAPI v2,
/// GPIO_V2_LINE_ATTR_ID_DEBOUNCE). Every edge they report is a <see cref="GpioLineEventArgs"/> with the kernel's
/// timestamp and per-line sequence number. <see cref="GpioChipController"/> gives these to callers.
/// </summary>
public interface IGpioLineFeatures
{
    /// <summary>
    /// Reconfigures an open line; an output starts at <paramref name="initialValue"/> in the same configuration (no
    /// glitch). The driver's own <c>SetPinMode(pin, mode, value)</c>, which System.Device.Gpio 4.2.0's controller reaches
    /// only from <c>OpenPin(pin, mode, value)</c>.
    /// </summary>
    /// <param name="pinNumber">An open line.</param>
    /// <param name="mode">The new mode.</param>
    /// <param name="initialValue">The level an output drives.</param>
    void SetPinMode(int pinNumber, System.Device.Gpio.PinMode mode, System.Device.Gpio.PinValue initialValue);

    /// <summary>A human-readable name of the chip, e.g. <c>/dev/gpiochip0 (pinctrl-bcm2711)</c>, used in errors.</summary>
    string ChipName { get; }

    /// <summary>The line's name from the chip (e.g. "GPIO17"), or null when it has none.</summary>
    /// <param name="pinNumber">The line's offset, 0 to PinCount − 1.</param>
    string? GetLineName(int pinNumber);

    /// <summary>Sets the debounce period of an open input line (zero turns it off); edges closer together are dropped.</summary>
    /// <param name="pinNumber">An open input line.</param>
    /// <param name="period">The period; zero for none.</param>
    void SetDebounce(int pinNumber, TimeSpan period);

    /// <summary>
    /// Raised when an edge callback threw, at the 1st, 10th, 100th … failure of each line: the driver caught it, and the
    /// line's other callbacks and later edges still ran.
    /// </summary>
    event EventHandler<GpioCallbackFailedEventArgs>? CallbackFailed;

    /// <summary>How many times edge callbacks on the line have thrown since the driver was created.</summary>
    /// <param name="pinNumber">The line's offset.</param>
    long GetCallbackFailures(int pinNumber);
}
