using Gateway.Hardware.Gpio;
using Gateway.Hardware.Sensors;

namespace Gateway.Hardware.Devices.DigitalInput;

/// <summary>
/// A GPIO input such as a door contact or a flow meter's pulse output: debounced (by the kernel, or the simulator),
/// counting the configured edges from their kernel events, and reporting state, total count, and the pulse rate
/// between two reads. Sequence gaps in the kernel's events (its buffer overflowed) are counted as dropped edges.
/// </summary>
public sealed class DigitalInput : ISensor
{
    private readonly GpioController _gpio;
    private readonly int _pin;
    private readonly PinEventTypes _edges;
    private readonly TimeProvider _time;
    private readonly PinChangeEventHandler _handler;
    private long _count;
    private long _dropped;
    private uint _lastSequence;
    private long _countAtLastRead;
    private long _lastReadAt;

    /// <summary>Opens the line as an input and starts counting edges.</summary>
    /// <param name="gpio">The chip's controller (not owned: several lines share it).</param>
    /// <param name="pin">The line.</param>
    /// <param name="mode">Input, InputPullUp or InputPullDown.</param>
    /// <param name="debounce">Edges closer together than this are ignored; zero for none.</param>
    /// <param name="edges">Which edges to count.</param>
    /// <param name="time">Clock for the rate.</param>
    public DigitalInput(GpioController gpio, int pin, PinMode mode, TimeSpan debounce, PinEventTypes edges, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(gpio);
        ArgumentNullException.ThrowIfNull(time);
        if (mode == PinMode.Output)
        {
            throw new ArgumentException("a digital input needs an input mode", nameof(mode));
        }

        _gpio = gpio;
        _pin = pin;
        _edges = edges == PinEventTypes.None ? PinEventTypes.Rising | PinEventTypes.Falling : edges;
        _time = time;
        Description = $"input {gpio.ChipName} line {pin}";
        _handler = OnEdge;
        gpio.OpenPin(pin, mode);
        try
        {
            if (debounce > TimeSpan.Zero)
            {
                gpio.SetDebounce(pin, debounce);
            }

            gpio.RegisterCallbackForPinValueChangedEvent(pin, _edges, _handler);
        }
        catch
        {
            gpio.ClosePin(pin);
            throw;
        }

        _lastReadAt = time.GetTimestamp();
    }

    /// <inheritdoc/>
    public string Description { get; }

    /// <summary>Raised for every counted edge (on the driver's event thread).</summary>
    public event EventHandler<PinValueChangedEventArgs>? Changed;

    /// <summary>Edges counted since the input was opened.</summary>
    public long Count => Interlocked.Read(ref _count);

    /// <summary>Edges the kernel reported as lost (gaps in its per-line sequence numbers).</summary>
    public long DroppedEdges => Interlocked.Read(ref _dropped);

    /// <summary>The line's current level.</summary>
    public bool IsHigh => _gpio.Read(_pin) == PinValue.High;

    /// <summary>Pulses per second between two moments: a pure function of counts and elapsed time.</summary>
    public static double Rate(long countBefore, long countAfter, TimeSpan elapsed) =>
        elapsed <= TimeSpan.Zero ? 0 : (countAfter - countBefore) / elapsed.TotalSeconds;

    /// <inheritdoc/>
    public ValueTask<IReadOnlyList<Measurement>> ReadAsync(CancellationToken cancellationToken)
    {
        var state = IsHigh ? 1.0 : 0.0;
        var now = _time.GetTimestamp();
        var count = Count;
        var rate = Rate(_countAtLastRead, count, _time.GetElapsedTime(_lastReadAt, now));
        _countAtLastRead = count;
        _lastReadAt = now;
        return ValueTask.FromResult<IReadOnlyList<Measurement>>(
            [new("state", state, Units.None), new("count", count, Units.Count), new("rate", rate, Units.Hertz)]);
    }

    private void OnEdge(object sender, PinValueChangedEventArgs e)
    {
        if ((e.ChangeType & _edges) == 0)
        {
            return;
        }

        // Line sequence numbers count every edge the kernel saw; a jump means its buffer dropped some.
        if (_lastSequence != 0 && e.LineSequence > _lastSequence + 1)
        {
            Interlocked.Add(ref _dropped, e.LineSequence - _lastSequence - 1);
        }

        _lastSequence = e.LineSequence;
        Interlocked.Increment(ref _count);
        Changed?.Invoke(this, e);
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        try
        {
            _gpio.UnregisterCallbackForPinValueChangedEvent(_pin, _handler);
            _gpio.ClosePin(_pin);
        }
        catch (Exception ex) when (ex is HardwareException or InvalidOperationException or ObjectDisposedException)
        {
            // the controller is already gone
        }
    }
}
