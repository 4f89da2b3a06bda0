using System.Device.Gpio;
using System.Globalization;

namespace Gateway.Hardware.Gpio;

/// <summary>
/// System.Device.Gpio's <see cref="GpioController"/> for one chip, unchanged, plus what the gateway's drivers add
/// (<see cref="IGpioLineFeatures"/>): lines found by their kernel names, the chip's name for messages, and debounce.
/// Anything that takes a <see cref="GpioController"/> — a dotnet/iot binding, a user's own code — takes this one.
/// </summary>
public sealed class GpioChipController : GpioController
{
    private readonly IGpioLineFeatures? _features;
    private readonly int _pinCount;

    /// <summary>Creates a controller that owns <paramref name="driver"/> (disposing the controller disposes it).</summary>
    /// <param name="driver">Any System.Device.Gpio driver; line names and debounce need one that implements <see cref="IGpioLineFeatures"/>.</param>
    public GpioChipController(GpioDriver driver)
        : base(driver)
    {
        _features = driver as IGpioLineFeatures;
        ChipName = _features?.ChipName ?? driver.GetType().Name;
        _pinCount = PinCount;
    }

    /// <summary>The chip's name for messages, e.g. <c>/dev/gpiochip0 (pinctrl-bcm2711)</c>.</summary>
    public string ChipName { get; }

    /// <summary>
    /// Resolves a line given as a number (<c>"17"</c>) or as the chip's line name (<c>"GPIO17"</c>, case-sensitive as the kernel reports it).
    /// </summary>
    /// <exception cref="ArgumentException">No such line on this chip.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The number is outside the chip.</exception>
    public int ResolvePin(string numberOrName)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(numberOrName);
        if (int.TryParse(numberOrName, NumberStyles.None, CultureInfo.InvariantCulture, out var number))
        {
            GpioLines.CheckPin(number, _pinCount, ChipName);
            return number;
        }

        for (var pin = 0; pin < _pinCount && _features is not null; pin++)
        {
            if (string.Equals(_features.GetLineName(pin), numberOrName, StringComparison.Ordinal))
            {
                return pin;
            }
        }

        throw new ArgumentException($"{ChipName} has no line named '{numberOrName}'", nameof(numberOrName));
    }

    /// <summary>The line's name from the chip, or null.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The number is outside the chip.</exception>
    public string? GetPinName(int pinNumber)
    {
        GpioLines.CheckPin(pinNumber, _pinCount, ChipName);
        return _features?.GetLineName(pinNumber);
    }

    /// <summary>
    /// Raised when one of the chip's edge callbacks threw, at the 1st, 10th, 100th … failure of each line (never for a
    /// driver that is not one of the gateway's). The driver caught the exception; the line's other callbacks and later
    /// edges still ran. See <see cref="GpioLineDriver.CallbackFailed"/>.
    /// </summary>
    public event EventHandler<GpioCallbackFailedEventArgs>? CallbackFailed
    {
        add
        {
            if (_features is not null)
            {
                _features.CallbackFailed += value;
            }
        }

        remove
        {
            if (_features is not null)
            {
                _features.CallbackFailed -= value;
            }
        }
    }

    /// <summary>How many times edge callbacks on the line have thrown (0 for a driver that is not one of the gateway's).</summary>
    public long GetCallbackFailures(int pinNumber) => _features?.GetCallbackFailures(pinNumber) ?? 0;

    /// <summary>Reconfigures an open line; an output starts at <paramref name="initialValue"/> without a glitch.</summary>
    /// <exception cref="InvalidOperationException">The line is not open, or does not support the mode.</exception>
    /// <exception cref="NotSupportedException">The driver is not one of the gateway's (the stock controller would drive the old level first).</exception>
    public void SetPinMode(int pinNumber, PinMode mode, PinValue initialValue)
    {
        if (!IsPinOpen(pinNumber))
        {
            throw new InvalidOperationException($"{ChipName} line {pinNumber} is not open");
        }

        if (!IsPinModeSupported(pinNumber, mode))
        {
            throw new InvalidOperationException($"{ChipName} line {pinNumber} does not support {mode}");
        }

        if (_features is null)
        {
            throw new NotSupportedException($"{ChipName} cannot set a mode with a value (its driver does not implement {nameof(IGpioLineFeatures)})");
        }

        _features.SetPinMode(pinNumber, mode, initialValue);
    }

    /// <summary>Sets the debounce period of an open input line (zero for none).</summary>
    /// <exception cref="InvalidOperationException">The line is not open, or is an output.</exception>
    /// <exception cref="NotSupportedException">The driver has no debounce (not one of the gateway's drivers).</exception>
    public void SetDebounce(int pinNumber, TimeSpan period)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(period, TimeSpan.Zero);
        if (!IsPinOpen(pinNumber))
        {
            throw new InvalidOperationException($"{ChipName} line {pinNumber} is not open");
        }

        if (GetPinMode(pinNumber) == PinMode.Output)
        {
            throw new InvalidOperationException($"{ChipName} line {pinNumber} is an output; debounce applies to inputs");
        }

        if (_features is null)
        {
            throw new NotSupportedException($"{ChipName} has no debounce (its driver does not implement {nameof(IGpioLineFeatures)})");
        }

        _features.SetDebounce(pinNumber, period);
    }
}
