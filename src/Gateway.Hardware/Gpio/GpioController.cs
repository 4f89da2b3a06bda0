namespace Gateway.Hardware.Gpio;

/// <summary>
/// The public face of one GPIO chip (as System.Device.Gpio's <c>GpioController</c>): checks arguments, tracks
/// which lines are open and in which mode, and delegates to a <see cref="GpioDriver"/> (Linux or simulated).
/// Thread-safe.
/// </summary>
public sealed class GpioController : IDisposable
{
    private readonly GpioDriver _driver;
    private readonly Dictionary<int, PinMode> _open = [];
    private readonly Lock _lock = new();
    private bool _disposed;

    /// <summary>Creates a controller that owns <paramref name="driver"/>.</summary>
    public GpioController(GpioDriver driver)
    {
        ArgumentNullException.ThrowIfNull(driver);
        _driver = driver;
    }

    /// <summary>Number of lines on the chip.</summary>
    public int PinCount => _driver.PinCount;

    /// <summary>The chip's name for messages.</summary>
    public string ChipName => _driver.ChipName;

    /// <summary>
    /// Resolves a line given as a number (<c>"17"</c>) or as the chip's line name (<c>"GPIO17"</c>, case-sensitive as the kernel reports it).
    /// </summary>
    /// <exception cref="ArgumentException">No such line on this chip.</exception>
    public int ResolvePin(string numberOrName)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(numberOrName);
        if (int.TryParse(numberOrName, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var number))
        {
            CheckPinNumber(number);
            return number;
        }

        for (var pin = 0; pin < _driver.PinCount; pin++)
        {
            if (string.Equals(_driver.GetPinName(pin), numberOrName, StringComparison.Ordinal))
            {
                return pin;
            }
        }

        throw new ArgumentException($"{ChipName} has no line named '{numberOrName}'", nameof(numberOrName));
    }

    /// <summary>The line's name from the chip, or null.</summary>
    public string? GetPinName(int pinNumber)
    {
        CheckPinNumber(pinNumber);
        return _driver.GetPinName(pinNumber);
    }

    /// <summary>Whether the line is open in this controller.</summary>
    public bool IsPinOpen(int pinNumber)
    {
        lock (_lock)
        {
            return _open.ContainsKey(pinNumber);
        }
    }

    /// <summary>Opens a line in <paramref name="mode"/>; outputs start at <paramref name="initialValue"/> without a glitch.</summary>
    /// <exception cref="InvalidOperationException">The line is already open in this controller.</exception>
    /// <exception cref="DeviceBusyException">Another user holds the line.</exception>
    public void OpenPin(int pinNumber, PinMode mode, PinValue initialValue = PinValue.Low)
    {
        CheckPinNumber(pinNumber);
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_open.ContainsKey(pinNumber))
            {
                throw new InvalidOperationException($"{ChipName} line {pinNumber} is already open");
            }

            if (!_driver.IsPinModeSupported(pinNumber, mode))
            {
                throw new NotSupportedException($"{ChipName} line {pinNumber} does not support {mode}");
            }

            _driver.OpenPin(pinNumber, mode, initialValue);
            _open[pinNumber] = mode;
        }
    }

    /// <summary>Closes a line, releasing it for other users.</summary>
    public void ClosePin(int pinNumber)
    {
        lock (_lock)
        {
            RequireOpen(pinNumber);
            _driver.ClosePin(pinNumber);
            _open.Remove(pinNumber);
        }
    }

    /// <summary>The mode the line was opened or last set in.</summary>
    public PinMode GetPinMode(int pinNumber)
    {
        lock (_lock)
        {
            return RequireOpen(pinNumber);
        }
    }

    /// <summary>Reconfigures an open line.</summary>
    public void SetPinMode(int pinNumber, PinMode mode, PinValue initialValue = PinValue.Low)
    {
        lock (_lock)
        {
            RequireOpen(pinNumber);
            if (!_driver.IsPinModeSupported(pinNumber, mode))
            {
                throw new NotSupportedException($"{ChipName} line {pinNumber} does not support {mode}");
            }

            _driver.SetPinMode(pinNumber, mode, initialValue);
            _open[pinNumber] = mode;
        }
    }

    /// <summary>Reads an open line.</summary>
    public PinValue Read(int pinNumber)
    {
        lock (_lock)
        {
            RequireOpen(pinNumber);
            return _driver.Read(pinNumber);
        }
    }

    /// <summary>Drives an open output line.</summary>
    /// <exception cref="InvalidOperationException">The line is not an output.</exception>
    public void Write(int pinNumber, PinValue value)
    {
        lock (_lock)
        {
            if (RequireOpen(pinNumber) != PinMode.Output)
            {
                throw new InvalidOperationException($"{ChipName} line {pinNumber} is not an output");
            }

            _driver.Write(pinNumber, value);
        }
    }

    /// <summary>Sets the debounce period of an open input line.</summary>
    public void SetDebounce(int pinNumber, TimeSpan period)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(period, TimeSpan.Zero);
        lock (_lock)
        {
            if (RequireOpen(pinNumber) == PinMode.Output)
            {
                throw new InvalidOperationException($"{ChipName} line {pinNumber} is an output; debounce applies to inputs");
            }

            _driver.SetDebounce(pinNumber, period);
        }
    }

    /// <summary>Reports edges of an open input line to <paramref name="callback"/> (on the driver's event thread).</summary>
    public void RegisterCallbackForPinValueChangedEvent(int pinNumber, PinEventTypes eventTypes, PinChangeEventHandler callback)
    {
        ArgumentNullException.ThrowIfNull(callback);
        if (eventTypes == PinEventTypes.None)
        {
            throw new ArgumentException("choose Rising, Falling or both", nameof(eventTypes));
        }

        lock (_lock)
        {
            if (RequireOpen(pinNumber) == PinMode.Output)
            {
                throw new InvalidOperationException($"{ChipName} line {pinNumber} is an output; edges are reported for inputs");
            }

            _driver.AddCallbackForPinValueChangedEvent(pinNumber, eventTypes, callback);
        }
    }

    /// <summary>Stops reporting edges to <paramref name="callback"/>.</summary>
    public void UnregisterCallbackForPinValueChangedEvent(int pinNumber, PinChangeEventHandler callback)
    {
        ArgumentNullException.ThrowIfNull(callback);
        lock (_lock)
        {
            RequireOpen(pinNumber);
            _driver.RemoveCallbackForPinValueChangedEvent(pinNumber, callback);
        }
    }

    /// <summary>Closes every open line and the driver.</summary>
    public void Dispose()
    {
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            foreach (var pin in _open.Keys)
            {
                try
                {
                    _driver.ClosePin(pin);
                }
                catch (HardwareException)
                {
                    // Best effort: the chip (or the simulator behind it) is gone, so the line is released anyway.
                }
            }

            _open.Clear();
        }

        _driver.Dispose();
    }

    private PinMode RequireOpen(int pinNumber)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return _open.TryGetValue(pinNumber, out var mode)
            ? mode
            : throw new InvalidOperationException($"{ChipName} line {pinNumber} is not open");
    }

    private void CheckPinNumber(int pinNumber)
    {
        if (pinNumber < 0 || pinNumber >= _driver.PinCount)
        {
            throw new ArgumentOutOfRangeException(nameof(pinNumber), pinNumber, $"{ChipName} has lines 0 to {_driver.PinCount - 1}");
        }
    }
}
