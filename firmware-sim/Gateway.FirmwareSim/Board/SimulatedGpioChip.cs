using Gateway.FirmwareSim.Environment;
using Gateway.FirmwareSim.Faults;
using Gateway.FirmwareSim.Scenarios;
using Gateway.Hardware;
using Gateway.Hardware.Gpio;

namespace Gateway.FirmwareSim.Board;

/// <summary>
/// The state of one simulated GPIO chip shared by every controller opened on it: 28 lines named GPIO0–GPIO27 like a
/// Raspberry Pi's, who holds each line, modes and output levels, and inputs driven by the environment (a door
/// contact, a flow meter's pulses). A pump on the board's clock turns the environment's level changes into edge
/// events with monotonic nanosecond timestamps and per-line sequence numbers, dropping edges closer together than
/// the line's debounce period.
/// </summary>
internal sealed class SimulatedGpioChip
{
    public const int Lines = 28;

    private readonly int _chip;
    private readonly EnvironmentModel _environment;
    private readonly FaultController _faults;
    private readonly TimeProvider _time;
    private readonly Line[] _lines = new Line[Lines];
    private readonly Lock _lock = new();
    private DateTimeOffset _pumpedTo;

    public SimulatedGpioChip(int chip, IEnumerable<DeviceSpec> devices, EnvironmentModel environment, FaultController faults, TimeProvider time)
    {
        _chip = chip;
        _environment = environment;
        _faults = faults;
        _time = time;
        for (var i = 0; i < Lines; i++)
        {
            _lines[i] = new Line();
        }

        foreach (var d in devices.Where(d => d.Chip == chip && d.Pin is >= 0 and < Lines && d.Type is "Contact" or "PulseTrain"))
        {
            _lines[d.Pin!.Value].Source = d;
        }

        _pumpedTo = time.GetUtcNow();
    }

    public string Name => $"simulated gpiochip{_chip}";

    public PinValue Level(int pin)
    {
        lock (_lock)
        {
            var line = _lines[pin];
            // An output keeps the level last driven, also after it is released (as most SoC GPIO blocks do).
            if (line.Mode == PinMode.Output)
            {
                return line.Output;
            }

            if (line.Source is { } source)
            {
                return _environment.Level(source, _time.GetUtcNow()) ? PinValue.High : PinValue.Low;
            }

            return line.Mode == PinMode.InputPullUp ? PinValue.High : PinValue.Low;
        }
    }

    public void Open(object owner, int pin, PinMode mode, PinValue initial)
    {
        lock (_lock)
        {
            var line = _lines[pin];
            if (_faults.Active(FaultKind.Busy, $"gpio{pin}") || (line.Owner is not null && line.Owner != owner))
            {
                throw new DeviceBusyException($"{Name} line {pin} is busy (held by another user)", $"{Name} line {pin}", 16);
            }

            line.Owner = owner;
            line.Mode = mode;
            line.Output = initial;
        }
    }

    public void Close(object owner, int pin)
    {
        lock (_lock)
        {
            var line = _lines[pin];
            if (line.Owner == owner)
            {
                line.Owner = null;
                line.Callbacks.Clear();
                line.Edges = PinEventTypes.None;
            }
        }
    }

    public void SetMode(int pin, PinMode mode, PinValue initial)
    {
        lock (_lock)
        {
            _lines[pin].Mode = mode;
            _lines[pin].Output = initial;
        }
    }

    public void Write(int pin, PinValue value)
    {
        lock (_lock)
        {
            _lines[pin].Output = value;
        }
    }

    public void SetDebounce(int pin, TimeSpan period)
    {
        lock (_lock)
        {
            _lines[pin].Debounce = period;
        }
    }

    public void Subscribe(int pin, PinEventTypes types, PinChangeEventHandler callback)
    {
        lock (_lock)
        {
            _lines[pin].Edges |= types;
            _lines[pin].Callbacks.Add(callback);
        }
    }

    public void Unsubscribe(int pin, PinChangeEventHandler callback)
    {
        lock (_lock)
        {
            _lines[pin].Callbacks.Remove(callback);
        }
    }

    /// <summary>Delivers every edge of the inputs up to now (called by the board's pump).</summary>
    public void Pump(object sender)
    {
        var events = new List<(PinChangeEventHandler[] Callbacks, PinValueChangedEventArgs Args)>();
        lock (_lock)
        {
            var now = _time.GetUtcNow();
            if (now <= _pumpedTo)
            {
                return;
            }

            for (var pin = 0; pin < Lines; pin++)
            {
                var line = _lines[pin];
                if (line.Source is null || line.Owner is null || line.Callbacks.Count == 0)
                {
                    continue;
                }

                foreach (var (at, high) in _environment.Transitions(line.Source, _pumpedTo, now))
                {
                    if (line.LastEdge is { } last && at - last < line.Debounce)
                    {
                        continue;
                    }

                    line.LastEdge = at;
                    var type = high ? PinEventTypes.Rising : PinEventTypes.Falling;
                    if ((line.Edges & type) == 0)
                    {
                        continue;
                    }

                    line.Sequence++; // line_seqno counts the events the line was asked for (gpio_v2_line_event)

                    var ns = (at - _environment.Start).Ticks * 100;
                    events.Add(([.. line.Callbacks], new PinValueChangedEventArgs(pin, type, ns, line.Sequence)));
                }
            }

            _pumpedTo = now;
        }

        foreach (var (callbacks, args) in events)
        {
            foreach (var callback in callbacks)
            {
                callback(sender, args);
            }
        }
    }

    private sealed class Line
    {
        public object? Owner { get; set; }

        public PinMode Mode { get; set; } = PinMode.Input;

        public PinValue Output { get; set; }

        public DeviceSpec? Source { get; set; }

        public TimeSpan Debounce { get; set; }

        public PinEventTypes Edges { get; set; }

        public List<PinChangeEventHandler> Callbacks { get; } = [];

        public DateTimeOffset? LastEdge { get; set; }

        public uint Sequence { get; set; }
    }
}
