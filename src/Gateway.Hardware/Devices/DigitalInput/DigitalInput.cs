using System.Device.Gpio;
using Gateway.Hardware.Gpio;
using Gateway.Hardware.Sensors;

namespace Gateway.Hardware.Devices.DigitalInput;

/// <summary>
/// A GPIO input such as a door contact or a flow meter's pulse output: opened with the configured bias, debounced
/// by the kernel (or the simulator), counting the configured edges from their kernel events. A read reports the
/// line's state, the total count and the pulse rate over the window since the previous read (from the edges' kernel
/// timestamps, see <see cref="PulseRateCalculator"/>). Gaps in the kernel's per-line sequence numbers (its event
/// buffer overflowed) are counted as <see cref="DroppedEdges"/>.
/// </summary>
public sealed class DigitalInput : ISensor
{
    private readonly GpioController _gpio;
    private readonly int _pin;
    private readonly PinEventTypes _edges;
    private readonly TimeProvider _time;
    private readonly PinChangeEventHandler _handler;
    private readonly PulseRateCalculator _rate = new();
    private readonly Lock _lock = new();
    private long _count;
    private long _dropped;
    private uint _lastSequence;
    private long _windowStart;
    private bool _disposed;

    /// <summary>Opens the line as an input, sets its debounce period and starts counting edges.</summary>
    /// <param name="gpio">The chip's controller (shared with other lines, not owned; the line is). Debounce needs a
    /// <see cref="GpioChipController"/>; edges from one carry the kernel's timestamps and sequence numbers
    /// (<see cref="GpioLineEventArgs"/>), otherwise they are timed on <paramref name="time"/> on arrival.</param>
    /// <param name="pin">The line.</param>
    /// <param name="mode">Input, InputPullUp or InputPullDown.</param>
    /// <param name="debounce">Edges closer together than this are ignored; zero for none.</param>
    /// <param name="edges">Which edges to count (None counts both).</param>
    /// <param name="time">Clock for the length of a rate window.</param>
    /// <exception cref="DeviceBusyException">Another user holds the line.</exception>
    /// <exception cref="InvalidOperationException">The line is already open in this controller.</exception>
    /// <exception cref="NotSupportedException">A debounce period on a controller without one.</exception>
    public DigitalInput(GpioController gpio, int pin, PinMode mode, TimeSpan debounce, PinEventTypes edges, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(gpio);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentOutOfRangeException.ThrowIfLessThan(debounce, TimeSpan.Zero);
        if (mode is not (PinMode.Input or PinMode.InputPullUp or PinMode.InputPullDown))
        {
            throw new ArgumentException($"a digital input needs Input, InputPullUp or InputPullDown, not {mode}", nameof(mode));
        }

        _gpio = gpio;
        _pin = pin;
        _edges = edges == PinEventTypes.None ? PinEventTypes.Rising | PinEventTypes.Falling : edges;
        _time = time;
        var chip = gpio as GpioChipController;
        Description = $"digital input at {chip?.ChipName ?? "GPIO"} line {pin}";
        if (gpio.IsPinOpen(pin))
        {
            // GpioController.OpenPin would quietly reconfigure the line under its first user.
            throw new InvalidOperationException($"{Description} is already open");
        }

        if (debounce > TimeSpan.Zero && chip is null)
        {
            throw new NotSupportedException($"{Description}: debounce needs a {nameof(GpioChipController)} (the gateway's drivers)");
        }

        _handler = OnEdge;
        gpio.OpenPin(pin, mode);
        try
        {
            if (debounce > TimeSpan.Zero)
            {
                chip!.SetDebounce(pin, debounce);
            }

            gpio.RegisterCallbackForPinValueChangedEvent(pin, _edges, _handler);
        }
        catch
        {
            gpio.ClosePin(pin);
            throw;
        }

        _windowStart = time.GetTimestamp();
    }

    /// <inheritdoc/>
    public string Description { get; }

    /// <summary>Raised for every counted edge, on the driver's event thread: keep handlers short.</summary>
    public event EventHandler<DigitalInputChangedEventArgs>? Changed;

    /// <summary>Which edges are counted.</summary>
    public PinEventTypes CountedEdges => _edges;

    /// <summary>Edges counted since the input was opened (not including <see cref="DroppedEdges"/>).</summary>
    public long Count => Interlocked.Read(ref _count);

    /// <summary>
    /// Edges the kernel reported as lost (gaps in its per-line sequence numbers): they happened, but were not seen.
    /// Exact while this binding is the line's only watcher, which it is as it opened the line itself (another callback
    /// registered on the same line for other edges would widen the line's request and show up here as gaps).
    /// </summary>
    public long DroppedEdges => Interlocked.Read(ref _dropped);

    /// <summary>The line's current level.</summary>
    public bool IsHigh
    {
        get
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return _gpio.Read(_pin) == PinValue.High;
        }
    }

    /// <summary>
    /// Reads <c>state</c> (0/1), <c>count</c> (edges since opening) and <c>rate</c> (Hz over the window since the
    /// previous read), and starts the next rate window.
    /// </summary>
    public ValueTask<IReadOnlyList<Measurement>> ReadAsync(CancellationToken cancellationToken)
    {
        var state = IsHigh ? 1.0 : 0.0;
        long count;
        double rate;
        lock (_lock)
        {
            var now = _time.GetTimestamp();
            rate = _rate.TakeRate(_time.GetElapsedTime(_windowStart, now));
            _windowStart = now;
            count = _count;
        }

        return ValueTask.FromResult<IReadOnlyList<Measurement>>(
            [new("state", state, Units.None), new("count", count, Units.Count), new("rate", rate, Units.Hertz)]);
    }

    /// <summary>Stops counting and releases the line.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        try
        {
            _gpio.UnregisterCallbackForPinValueChangedEvent(_pin, _handler);
            _gpio.ClosePin(_pin);
        }
        catch (Exception ex) when (ex is HardwareException or InvalidOperationException or ObjectDisposedException)
        {
            // The controller (or the chip behind it) is already gone, and the line with it.
        }
    }

    private void OnEdge(object sender, PinValueChangedEventArgs e)
    {
        DigitalInputChangedEventArgs args;
        lock (_lock)
        {
            // line_seqno numbers every event of the line's request (gpio_v2_line_event); a jump forward means the
            // kernel's buffer overflowed and dropped the ones in between. A jump back is a new request: start over.
            // A driver without kernel events (not one of the gateway's) gives neither: the edge is timed on arrival.
            var line = e as GpioLineEventArgs;
            var sequence = line?.LineSequence ?? 0;
            var timestamp = line?.TimestampNanoseconds ?? (long)(_time.GetTimestamp() * (1e9 / _time.TimestampFrequency));
            long dropped = 0;
            if (_lastSequence != 0 && sequence > _lastSequence + 1)
            {
                dropped = sequence - _lastSequence - 1;
                _dropped += dropped;
            }

            _lastSequence = sequence;
            if ((e.ChangeType & _edges) == 0)
            {
                return;
            }

            _count++;
            _rate.Record(timestamp, dropped);
            args = new DigitalInputChangedEventArgs(e.ChangeType, timestamp, _count);
        }

        Changed?.Invoke(this, args);
    }
}
