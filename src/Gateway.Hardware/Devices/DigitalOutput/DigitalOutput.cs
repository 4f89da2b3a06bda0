using System.Device.Gpio;
using Gateway.Hardware.Gpio;
using Gateway.Hardware.Sensors;

namespace Gateway.Hardware.Devices.DigitalOutput;

/// <summary>
/// A named GPIO output such as a relay or an LED, with a defined safe state: the line is opened already driving the
/// safe state (as the request's initial value, so there is no glitch), and driven back to it before it is released
/// at shutdown. Active-low outputs (most relay boards) are handled here, so "on" always means on.
/// </summary>
public sealed class DigitalOutput : ISensor
{
    private readonly GpioController _gpio;
    private readonly int _pin;
    private readonly Lock _lock = new();
    private bool _on;
    private bool _disposed;

    /// <summary>Opens the line as an output in its safe state.</summary>
    /// <param name="name">The output's name (used by commands and readings).</param>
    /// <param name="gpio">The chip's controller (shared, not owned; the line is).</param>
    /// <param name="pin">The line.</param>
    /// <param name="activeLow">When true, "on" drives the line low.</param>
    /// <param name="safeOn">The safe state: on or off (usually off).</param>
    /// <exception cref="DeviceBusyException">Another user holds the line.</exception>
    /// <exception cref="InvalidOperationException">The line is already open in this controller.</exception>
    public DigitalOutput(string name, GpioController gpio, int pin, bool activeLow, bool safeOn)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(gpio);
        Name = name;
        _gpio = gpio;
        _pin = pin;
        ActiveLow = activeLow;
        SafeOn = safeOn;
        Description = $"output {name} at {(gpio as GpioChipController)?.ChipName ?? "GPIO"} line {pin}";
        if (gpio.IsPinOpen(pin))
        {
            // GpioController.OpenPin would quietly take the line from its first user.
            throw new InvalidOperationException($"{Description} is already open");
        }

        // GpioController.OpenPin(pin, Output, value): the driver claims the line as it is, then sets it to an output
        // driving the safe level in one configuration, so the line never shows the other level.
        gpio.OpenPin(pin, PinMode.Output, Level(safeOn));
        _on = safeOn;
    }

    /// <summary>The output's name.</summary>
    public string Name { get; }

    /// <inheritdoc/>
    public string Description { get; }

    /// <summary>Whether "on" drives the line low.</summary>
    public bool ActiveLow { get; }

    /// <summary>The safe state: whether the output is on when the gateway starts and after it stops.</summary>
    public bool SafeOn { get; }

    /// <summary>Whether the output is on (as last driven).</summary>
    public bool IsOn
    {
        get
        {
            lock (_lock)
            {
                return _on;
            }
        }
    }

    /// <summary>The line level that means <paramref name="on"/> for this output.</summary>
    public PinValue Level(bool on) => on ^ ActiveLow ? PinValue.High : PinValue.Low;

    /// <summary>Switches the output on or off.</summary>
    /// <exception cref="ObjectDisposedException">The output was released.</exception>
    public void Set(bool on)
    {
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _gpio.Write(_pin, Level(on));
            _on = on;
        }
    }

    /// <summary>Reads <c>state</c>: 1 when on, 0 when off (logical, whatever the line polarity).</summary>
    public ValueTask<IReadOnlyList<Measurement>> ReadAsync(CancellationToken cancellationToken)
        => ValueTask.FromResult<IReadOnlyList<Measurement>>([new("state", IsOn ? 1 : 0, Units.None)]);

    /// <summary>Drives the safe state, then releases the line.</summary>
    public void Dispose()
    {
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            try
            {
                _gpio.Write(_pin, Level(SafeOn));
                _on = SafeOn;
            }
            catch (Exception ex) when (ex is HardwareException or InvalidOperationException or ObjectDisposedException)
            {
                // Best effort: the controller or the chip is gone; the line is still released below.
            }

            try
            {
                _gpio.ClosePin(_pin);
            }
            catch (Exception ex) when (ex is HardwareException or InvalidOperationException or ObjectDisposedException)
            {
                // Same: nothing left to release.
            }
        }
    }
}
