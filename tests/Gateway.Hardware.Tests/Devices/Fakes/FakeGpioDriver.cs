using System.Device.Gpio;
using Gateway.Hardware.Gpio;

namespace Gateway.Hardware.Tests.Devices.Fakes;

/// <summary>
/// A System.Device.Gpio driver that records what is asked of it ("open 22", "mode 22 Output High", "write 22 Low",
/// "debounce 17 20ms", "close 22")
/// and lets a test raise edges with kernel timestamps and sequence numbers. Like the Linux driver, an edge goes
/// to the callbacks registered for its kind, and, like the gateway's drivers, the fake copies a line's callbacks before
/// calling them (outside its lock): an edge may come from another thread (as from a driver's event thread) while a
/// callback is added or removed, e.g. by <see cref="GpioLineDriver"/>'s WaitForEvent as soon as the edge wakes it.
/// </summary>
internal sealed class FakeGpioDriver : GpioLineDriver
{
    private readonly Lock _gate = new();
    private readonly Dictionary<int, List<(PinEventTypes Types, PinChangeEventHandler Callback)>> _callbacks = [];

    public List<string> Calls { get; } = [];

    public Dictionary<int, PinValue> Levels { get; } = [];

    public Dictionary<int, PinMode> Modes { get; } = [];

    /// <summary>Lines another user holds.</summary>
    public HashSet<int> Busy { get; } = [];

    /// <summary>Thrown by Write while set.</summary>
    public HardwareException? WriteFault { get; set; }

    /// <summary>Thrown by AddCallbackForPinValueChangedEvent while set.</summary>
    public HardwareException? SubscribeFault { get; set; }

    /// <summary>
    /// Whether an edge goes only to the callbacks registered for its kind (as the Linux driver does) or to every
    /// callback of the line (as a driver that passes on the line request's events unfiltered would).
    /// </summary>
    public bool FilterByKind { get; set; } = true;

    public int CallbackCount(int pin)
    {
        lock (_gate)
        {
            return _callbacks.TryGetValue(pin, out var list) ? list.Count : 0;
        }
    }

    /// <summary>An edge on <paramref name="pin"/>: sets the level and calls the callbacks registered for its kind.</summary>
    public void Raise(int pin, PinEventTypes type, long timestampNanoseconds, uint sequence)
    {
        (PinEventTypes Types, PinChangeEventHandler Callback)[] callbacks;
        lock (_gate)
        {
            Levels[pin] = type == PinEventTypes.Rising ? PinValue.High : PinValue.Low;
            callbacks = [.. _callbacks.GetValueOrDefault(pin) ?? []];
        }

        var args = new GpioLineEventArgs(type, pin, timestampNanoseconds, sequence);
        foreach (var (types, callback) in callbacks)
        {
            if (!FilterByKind || (types & type) != 0)
            {
                callback(this, args);
            }
        }
    }

    public override string ChipName => "gpiochip-fake";

    protected override int PinCount => 32;

    public override string? GetLineName(int pinNumber) => $"GPIO{pinNumber}";

    protected override void OpenPin(int pinNumber)
    {
        GpioLines.CheckPin(pinNumber, 32, ChipName);
        if (Busy.Contains(pinNumber))
        {
            throw new DeviceBusyException($"gpiochip-fake line {pinNumber} is busy", $"gpiochip-fake line {pinNumber}");
        }

        Calls.Add($"open {pinNumber}");
        Modes[pinNumber] = PinMode.Input;
    }

    protected override void ClosePin(int pinNumber)
    {
        Calls.Add($"close {pinNumber}");
        Modes.Remove(pinNumber);
    }

    protected override void SetPinMode(int pinNumber, PinMode mode)
    {
        Calls.Add($"mode {pinNumber} {mode}");
        Modes[pinNumber] = mode;
    }

    protected override void SetPinMode(int pinNumber, PinMode mode, PinValue initialValue)
    {
        Calls.Add(mode == PinMode.Output ? $"mode {pinNumber} {mode} {initialValue}" : $"mode {pinNumber} {mode}");
        Modes[pinNumber] = mode;
        if (mode == PinMode.Output)
        {
            Levels[pinNumber] = initialValue;
        }
    }

    protected override PinMode GetPinMode(int pinNumber) => Modes[pinNumber];

    protected override bool IsPinModeSupported(int pinNumber, PinMode mode) => true;

    protected override PinValue Read(int pinNumber) => Levels.GetValueOrDefault(pinNumber);

    protected override void Write(int pinNumber, PinValue value)
    {
        if (WriteFault is { } fault)
        {
            throw fault;
        }

        Calls.Add($"write {pinNumber} {value}");
        Levels[pinNumber] = value;
    }

    public override void SetDebounce(int pinNumber, TimeSpan period) => Calls.Add($"debounce {pinNumber} {period.TotalMilliseconds}ms");

    protected override void AddCallbackForPinValueChangedEvent(int pinNumber, PinEventTypes eventTypes, PinChangeEventHandler callback)
    {
        if (SubscribeFault is { } fault)
        {
            throw fault;
        }

        lock (_gate)
        {
            Calls.Add($"edges {pinNumber} {eventTypes}");
            if (!_callbacks.TryGetValue(pinNumber, out var list))
            {
                _callbacks[pinNumber] = list = [];
            }

            list.Add((eventTypes, callback));
        }
    }

    protected override void RemoveCallbackForPinValueChangedEvent(int pinNumber, PinChangeEventHandler callback)
    {
        lock (_gate)
        {
            Calls.Add($"unsubscribe {pinNumber}");
            _callbacks.GetValueOrDefault(pinNumber)?.RemoveAll(c => c.Callback == callback);
        }
    }
}
