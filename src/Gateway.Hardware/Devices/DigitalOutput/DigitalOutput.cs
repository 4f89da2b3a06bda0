using Gateway.Hardware.Gpio;
using Gateway.Hardware.Sensors;

namespace Gateway.Hardware.Devices.DigitalOutput;

/// <summary>
/// A named GPIO output such as a relay or an LED, with a defined safe state: the line is opened already in the
/// safe state (no glitch) and driven back to it before it is released at shutdown. Active-low outputs (most relay
/// boards) are handled here, so "on" always means on.
/// </summary>
public sealed class DigitalOutput : ISensor
{
    private readonly GpioController _gpio;
    private readonly int _pin;
    private readonly bool _activeLow;
    private readonly bool _safeOn;
    private bool _on;

    /// <summary>Opens the line as an output in its safe state.</summary>
    /// <param name="name">The output's name (used by commands and readings).</param>
    /// <param name="gpio">The chip's controller (not owned).</param>
    /// <param name="pin">The line.</param>
    /// <param name="activeLow">When true, "on" drives the line low.</param>
    /// <param name="safeOn">The safe state: on or off.</param>
    public DigitalOutput(string name, GpioController gpio, int pin, bool activeLow, bool safeOn)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(gpio);
        Name = name;
        _gpio = gpio;
        _pin = pin;
        _activeLow = activeLow;
        _safeOn = safeOn;
        _on = safeOn;
        Description = $"output {name} ({gpio.ChipName} line {pin})";
        gpio.OpenPin(pin, PinMode.Output, Level(safeOn));
    }

    /// <summary>The output's name.</summary>
    public string Name { get; }

    /// <inheritdoc/>
    public string Description { get; }

    /// <summary>Whether the output is on.</summary>
    public bool IsOn => _on;

    /// <summary>The safe state.</summary>
    public bool SafeOn => _safeOn;

    /// <summary>The line level that means <paramref name="on"/> for this output.</summary>
    public PinValue Level(bool on) => on ^ _activeLow ? PinValue.High : PinValue.Low;

    /// <summary>Switches the output.</summary>
    public void Set(bool on)
    {
        _gpio.Write(_pin, Level(on));
        _on = on;
    }

    /// <inheritdoc/>
    public ValueTask<IReadOnlyList<Measurement>> ReadAsync(CancellationToken cancellationToken)
        => ValueTask.FromResult<IReadOnlyList<Measurement>>([new("state", _on ? 1 : 0, Units.None)]);

    /// <summary>Drives the safe state, then releases the line.</summary>
    public void Dispose()
    {
        try
        {
            Set(_safeOn);
            _gpio.ClosePin(_pin);
        }
        catch (Exception ex) when (ex is HardwareException or InvalidOperationException or ObjectDisposedException)
        {
            // the controller is already gone; the kernel releases the line with the process
        }
    }
}
