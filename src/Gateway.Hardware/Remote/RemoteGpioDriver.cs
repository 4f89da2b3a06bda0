using System.Collections.Concurrent;
using System.Device.Gpio;
using Gateway.Hardware.Gpio;

namespace Gateway.Hardware.Remote;

/// <summary>
/// A GPIO chip of a firmware-sim process, as a System.Device.Gpio <see cref="GpioDriver"/>. Edges arrive as pushed
/// events (<see cref="GpioLineEventArgs"/>, with the simulator's timestamps and sequence numbers). After a reconnect the
/// open lines, their modes and edge subscriptions are re-established, since the simulator forgets a closed
/// connection's lines.
/// </summary>
internal sealed class RemoteGpioDriver : GpioLineDriver
{
    private readonly RemoteConnection _connection;
    private readonly int _chip;
    private readonly string _name;
    private readonly string?[] _lineNames;
    private readonly ConcurrentDictionary<int, (PinMode Mode, PinValue Value)> _open = new();
    private readonly ConcurrentDictionary<int, List<(PinEventTypes Types, PinChangeEventHandler Callback)>> _subscriptions = new();

    public RemoteGpioDriver(RemoteConnection connection, int chip)
    {
        _connection = connection;
        _chip = chip;
        _name = $"firmware-sim gpiochip{chip}";
        var info = _connection.Call(new RemoteRequest { Op = RemoteOps.GpioInfo, Chip = chip }, _name);
        _lineNames = [.. info.Items ?? []];
        _connection.EventReceived += OnEvent;
        _connection.Reconnected += Restore;
    }

    public override string ChipName => _name;

    protected override int PinCount => _lineNames.Length;

    public override string? GetLineName(int pinNumber)
    {
        GpioLines.CheckPin(pinNumber, _lineNames.Length, _name);
        return _lineNames[pinNumber];
    }

    // Claimed as it is (gpio.open without a mode); the simulator answers with the line's mode and level.
    protected override void OpenPin(int pinNumber)
    {
        GpioLines.CheckPin(pinNumber, _lineNames.Length, _name);
        var answer = Call(RemoteOps.GpioOpen, pinNumber);
        var mode = Enum.TryParse<PinMode>(answer.Text, ignoreCase: true, out var m) ? m : PinMode.Input;
        _open[pinNumber] = (mode, answer.Value == 1 ? PinValue.High : PinValue.Low);
    }

    // Best effort: a simulator that is gone has released the line with the connection.
    protected override void ClosePin(int pinNumber)
    {
        _open.TryRemove(pinNumber, out _);
        _subscriptions.TryRemove(pinNumber, out _);
        try
        {
            Call(RemoteOps.GpioClose, pinNumber);
        }
        catch (HardwareException)
        {
        }
    }

    protected override void SetPinMode(int pinNumber, PinMode mode) =>
        SetPinMode(pinNumber, mode, _open.TryGetValue(pinNumber, out var state) ? state.Value : PinValue.Low);

    protected override void SetPinMode(int pinNumber, PinMode mode, PinValue initialValue)
    {
        Call(RemoteOps.GpioMode, pinNumber, r => r with { Mode = mode.ToString(), Value = (int)initialValue });
        _open[pinNumber] = (mode, initialValue);
    }

    protected override PinMode GetPinMode(int pinNumber) => State(pinNumber).Mode;

    protected override bool IsPinModeSupported(int pinNumber, PinMode mode) =>
        mode is PinMode.Input or PinMode.Output or PinMode.InputPullUp or PinMode.InputPullDown;

    protected override PinValue Read(int pinNumber) => Call(RemoteOps.GpioRead, pinNumber).Value == 1 ? PinValue.High : PinValue.Low;

    protected override void Write(int pinNumber, PinValue value)
    {
        GpioLines.CheckWritable(State(pinNumber).Mode, pinNumber, _name);
        Call(RemoteOps.GpioWrite, pinNumber, r => r with { Value = (int)value });
        _open[pinNumber] = (PinMode.Output, value);
    }

    public override void SetDebounce(int pinNumber, TimeSpan period)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(period, TimeSpan.Zero);
        GpioLines.CheckInput(State(pinNumber).Mode, pinNumber, _name);
        Call(RemoteOps.GpioDebounce, pinNumber, r => r with { DebounceUs = (long)period.TotalMicroseconds });
    }

    protected override void AddCallbackForPinValueChangedEvent(int pinNumber, PinEventTypes eventTypes, PinChangeEventHandler callback)
    {
        GpioLines.CheckInput(State(pinNumber).Mode, pinNumber, _name);
        var callbacks = _subscriptions.GetOrAdd(pinNumber, _ => []);
        PinEventTypes types;
        lock (callbacks)
        {
            callbacks.Add((eventTypes, callback));
            types = Wanted(callbacks);
        }

        Call(RemoteOps.GpioSubscribe, pinNumber, r => r with { Edges = EdgesName(types) });
    }

    protected override void RemoveCallbackForPinValueChangedEvent(int pinNumber, PinChangeEventHandler callback)
    {
        if (!_subscriptions.TryGetValue(pinNumber, out var callbacks))
        {
            return;
        }

        PinEventTypes before, after;
        lock (callbacks)
        {
            before = Wanted(callbacks);
            callbacks.RemoveAll(c => c.Callback == callback);
            after = Wanted(callbacks);
        }

        if (after == PinEventTypes.None)
        {
            _subscriptions.TryRemove(pinNumber, out _);
            Call(RemoteOps.GpioUnsubscribe, pinNumber);
        }
        else if (after != before)
        {
            Call(RemoteOps.GpioSubscribe, pinNumber, r => r with { Edges = EdgesName(after) });
        }
    }

    protected override void Dispose(bool disposing)
    {
        _connection.EventReceived -= OnEvent;
        _connection.Reconnected -= Restore;
        base.Dispose(disposing);
    }

    // The edge kinds a line's callbacks ask for together: what the simulator is asked to send. Called under the list's lock.
    private static PinEventTypes Wanted(List<(PinEventTypes Types, PinChangeEventHandler Callback)> callbacks) =>
        callbacks.Aggregate(PinEventTypes.None, (edges, c) => edges | c.Types);

    private static string EdgesName(PinEventTypes types) => types switch
    {
        PinEventTypes.Rising => "rising",
        PinEventTypes.Falling => "falling",
        _ => "both",
    };

    private (PinMode Mode, PinValue Value) State(int pinNumber) => _open.TryGetValue(pinNumber, out var state)
        ? state
        : throw new InvalidOperationException($"{_name} line {pinNumber} is not open");

    private RemoteResponse Call(string op, int pin, Func<RemoteRequest, RemoteRequest>? fill = null)
    {
        var request = new RemoteRequest { Op = op, Chip = _chip, Pin = pin };
        return _connection.Call(fill is null ? request : fill(request), $"{_name} line {pin}");
    }

    private void OnEvent(RemoteResponse message)
    {
        if (message.Event != "edge" || message.Chip != _chip || message.Pin is not { } pin
            || !_subscriptions.TryGetValue(pin, out var subscribed))
        {
            return;
        }

        // Each callback gets the kinds it asked for, not every kind the line's callbacks want together.
        var type = message.Edge == "rising" ? PinEventTypes.Rising : PinEventTypes.Falling;
        PinChangeEventHandler[] callbacks;
        lock (subscribed)
        {
            callbacks = [.. subscribed.Where(c => (c.Types & type) != 0).Select(c => c.Callback)];
        }

        var args = new GpioLineEventArgs(type, pin, message.Ts ?? 0, message.Seq ?? 0);
        foreach (var callback in callbacks)
        {
            InvokeCallback(callback, args); // one callback's exception stays with it (GpioLineDriver), the connection's reader carries on
        }
    }

    private void Restore()
    {
        try
        {
            foreach (var (pin, state) in _open)
            {
                Call(RemoteOps.GpioOpen, pin, r => r with { Mode = state.Mode.ToString(), Value = (int)state.Value });
            }

            foreach (var (pin, callbacks) in _subscriptions)
            {
                PinEventTypes types;
                lock (callbacks)
                {
                    types = Wanted(callbacks);
                }

                Call(RemoteOps.GpioSubscribe, pin, r => r with { Edges = EdgesName(types) });
            }
        }
        catch (Exception ex) when (ex is HardwareException or ArgumentException)
        {
            // The next operation on a line reports the problem to its caller; nothing to do here.
        }
    }
}
