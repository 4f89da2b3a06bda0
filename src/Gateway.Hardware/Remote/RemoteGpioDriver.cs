using System.Collections.Concurrent;
using Gateway.Hardware.Gpio;

namespace Gateway.Hardware.Remote;

/// <summary>
/// A GPIO chip of a firmware-sim process. Edges arrive as pushed events. After a reconnect the open lines,
/// their modes and edge subscriptions are re-established, since the simulator forgets a closed connection's lines.
/// </summary>
internal sealed class RemoteGpioDriver : GpioDriver
{
    private readonly RemoteConnection _connection;
    private readonly int _chip;
    private readonly string _name;
    private readonly string?[] _lineNames;
    private readonly ConcurrentDictionary<int, (PinMode Mode, PinValue Value)> _open = new();
    private readonly ConcurrentDictionary<int, (PinEventTypes Types, List<PinChangeEventHandler> Callbacks)> _subscriptions = new();

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

    protected internal override int PinCount => _lineNames.Length;

    protected internal override string ChipName => _name;

    protected internal override string? GetPinName(int pinNumber) => _lineNames[pinNumber];

    protected internal override void OpenPin(int pinNumber, PinMode mode, PinValue initialValue)
    {
        Call(RemoteOps.GpioOpen, pinNumber, r => r with { Mode = mode.ToString(), Value = (int)initialValue });
        _open[pinNumber] = (mode, initialValue);
    }

    protected internal override void ClosePin(int pinNumber)
    {
        _open.TryRemove(pinNumber, out _);
        _subscriptions.TryRemove(pinNumber, out _);
        Call(RemoteOps.GpioClose, pinNumber);
    }

    protected internal override void SetPinMode(int pinNumber, PinMode mode, PinValue initialValue)
    {
        Call(RemoteOps.GpioMode, pinNumber, r => r with { Mode = mode.ToString(), Value = (int)initialValue });
        _open[pinNumber] = (mode, initialValue);
    }

    protected internal override bool IsPinModeSupported(int pinNumber, PinMode mode) => true;

    protected internal override PinValue Read(int pinNumber) => Call(RemoteOps.GpioRead, pinNumber).Value == 1 ? PinValue.High : PinValue.Low;

    protected internal override void Write(int pinNumber, PinValue value)
    {
        Call(RemoteOps.GpioWrite, pinNumber, r => r with { Value = (int)value });
        if (_open.TryGetValue(pinNumber, out var state))
        {
            _open[pinNumber] = (state.Mode, value);
        }
    }

    protected internal override void SetDebounce(int pinNumber, TimeSpan period)
        => Call(RemoteOps.GpioDebounce, pinNumber, r => r with { DebounceUs = (long)period.TotalMicroseconds });

    protected internal override void AddCallbackForPinValueChangedEvent(int pinNumber, PinEventTypes eventTypes, PinChangeEventHandler callback)
    {
        var entry = _subscriptions.GetOrAdd(pinNumber, _ => (PinEventTypes.None, []));
        var types = entry.Types | eventTypes;
        lock (entry.Callbacks)
        {
            entry.Callbacks.Add(callback);
        }

        _subscriptions[pinNumber] = (types, entry.Callbacks);
        Call(RemoteOps.GpioSubscribe, pinNumber, r => r with { Edges = EdgesName(types) });
    }

    protected internal override void RemoveCallbackForPinValueChangedEvent(int pinNumber, PinChangeEventHandler callback)
    {
        if (!_subscriptions.TryGetValue(pinNumber, out var entry))
        {
            return;
        }

        bool empty;
        lock (entry.Callbacks)
        {
            entry.Callbacks.Remove(callback);
            empty = entry.Callbacks.Count == 0;
        }

        if (empty)
        {
            _subscriptions.TryRemove(pinNumber, out _);
            Call(RemoteOps.GpioUnsubscribe, pinNumber);
        }
    }

    protected override void Dispose(bool disposing)
    {
        _connection.EventReceived -= OnEvent;
        _connection.Reconnected -= Restore;
        base.Dispose(disposing);
    }

    private static string EdgesName(PinEventTypes types) => types switch
    {
        PinEventTypes.Rising => "rising",
        PinEventTypes.Falling => "falling",
        _ => "both",
    };

    private RemoteResponse Call(string op, int pin, Func<RemoteRequest, RemoteRequest>? fill = null)
    {
        var request = new RemoteRequest { Op = op, Chip = _chip, Pin = pin };
        return _connection.Call(fill is null ? request : fill(request), $"{_name} line {pin}");
    }

    private void OnEvent(RemoteResponse message)
    {
        if (message.Event != "edge" || message.Chip != _chip || message.Pin is not { } pin
            || !_subscriptions.TryGetValue(pin, out var entry))
        {
            return;
        }

        var type = message.Edge == "rising" ? PinEventTypes.Rising : PinEventTypes.Falling;
        if ((entry.Types & type) == 0)
        {
            return;
        }

        var args = new PinValueChangedEventArgs(pin, type, message.Ts ?? 0, message.Seq ?? 0);
        PinChangeEventHandler[] callbacks;
        lock (entry.Callbacks)
        {
            callbacks = [.. entry.Callbacks];
        }

        foreach (var callback in callbacks)
        {
            callback(this, args);
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

            foreach (var (pin, entry) in _subscriptions)
            {
                Call(RemoteOps.GpioSubscribe, pin, r => r with { Edges = EdgesName(entry.Types) });
            }
        }
        catch (Exception ex) when (ex is HardwareException or ArgumentException)
        {
            // The next operation on a line reports the problem to its caller; nothing to do here.
        }
    }
}
