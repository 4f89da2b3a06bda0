using System.Device.Gpio;
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
/// the line's debounce period. The board runs the pump at <see cref="NextDelivery"/>: at the next edge someone
/// listens for, as the kernel wakes a reader of a line request only when an event is queued (gpio-v2 uAPI,
/// Documentation/userspace-api/gpio/gpio-v2-line-event-read.rst), never on a poll.
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
    private readonly Action _listenersChanged;

    /// <summary>Creates chip <paramref name="chip"/> with the inputs of <paramref name="devices"/> on it.</summary>
    /// <param name="chip">The chip's number (gpiochipN).</param>
    /// <param name="devices">The scenario's devices; the contacts and pulse trains on this chip drive its lines.</param>
    /// <param name="environment">What drives the inputs.</param>
    /// <param name="faults">Fault injection (a busy line).</param>
    /// <param name="time">The board's clock.</param>
    /// <param name="listenersChanged">Called (outside the chip's lock) when a line gains an edge callback, so that the board schedules its pump.</param>
    public SimulatedGpioChip(int chip, IEnumerable<DeviceSpec> devices, EnvironmentModel environment, FaultController faults, TimeProvider time, Action listenersChanged)
    {
        _chip = chip;
        _environment = environment;
        _faults = faults;
        _time = time;
        _listenersChanged = listenersChanged;
        for (var i = 0; i < Lines; i++)
        {
            _lines[i] = new Line();
        }

        foreach (var d in devices.Where(d => d.Chip == chip && d.Pin is >= 0 and < Lines && d.Type is "Contact" or "PulseTrain"))
        {
            _lines[d.Pin!.Value].Source = d;
        }
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

    /// <summary>Claims the line for <paramref name="owner"/> as it is (mode and output level unchanged).</summary>
    public void Open(SimulatedGpioDriver owner, int pin)
    {
        lock (_lock)
        {
            var line = _lines[pin];
            if (_faults.Active(FaultKind.Busy, $"gpio{pin}") || (line.Owner is not null && line.Owner != owner))
            {
                throw new DeviceBusyException($"{Name} line {pin} is busy (held by another user)", $"{Name} line {pin}", 16);
            }

            line.Owner = owner;
        }
    }

    public void Close(SimulatedGpioDriver owner, int pin)
    {
        lock (_lock)
        {
            var line = _lines[pin];
            if (line.Owner == owner)
            {
                line.Owner = null;
                line.Callbacks.Clear();
            }
        }
    }

    /// <summary>Sets the line's mode; an output drives <paramref name="initial"/>, or keeps its level when null.</summary>
    public void SetMode(int pin, PinMode mode, PinValue? initial)
    {
        lock (_lock)
        {
            _lines[pin].Mode = mode;
            if (initial is { } level)
            {
                _lines[pin].Output = level;
            }
        }
    }

    public PinMode Mode(int pin)
    {
        lock (_lock)
        {
            return _lines[pin].Mode;
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
            var line = _lines[pin];
            if (line.Callbacks.Count == 0)
            {
                line.PumpedTo = _time.GetUtcNow(); // a new listener hears the edges from now on, none from before
            }

            line.Callbacks.Add((types, callback));
        }

        _listenersChanged();
    }

    public void Unsubscribe(int pin, PinChangeEventHandler callback)
    {
        lock (_lock)
        {
            _lines[pin].Callbacks.RemoveAll(c => c.Callback == callback);
        }
    }

    /// <summary>
    /// Delivers every edge of the inputs up to now (called by the board's pump), each callback through its line owner's
    /// driver, which catches what a callback throws (<see cref="GpioLineDriver"/>): one failing subscriber costs
    /// neither the others their edges nor the board its pump.
    /// </summary>
    public void Pump()
    {
        List<(SimulatedGpioDriver Owner, PinChangeEventHandler[] Callbacks, GpioLineEventArgs Args)>? events = null;
        lock (_lock)
        {
            var now = _time.GetUtcNow();
            for (var pin = 0; pin < Lines; pin++)
            {
                var line = _lines[pin];
                if (!line.Listened || now <= line.PumpedTo)
                {
                    continue;
                }

                var edges = line.Edges;
                foreach (var (at, high) in _environment.Transitions(line.Source!, line.PumpedTo, now))
                {
                    var last = line.LastEdge;
                    var through = LetThrough(line.Debounce, ref last, at);
                    line.LastEdge = last;
                    var type = Type(high);
                    if (!through || (edges & type) == 0)
                    {
                        continue;
                    }

                    line.Sequence++; // line_seqno counts the events the line was asked for (gpio_v2_line_event)

                    var ns = (at - _environment.Start).Ticks * 100;
                    // Each callback gets the kinds it asked for, not every kind the line's callbacks want together.
                    (events ??= []).Add((line.Owner!, line.CallbacksFor(type), new GpioLineEventArgs(type, pin, ns, line.Sequence)));
                }

                line.PumpedTo = now;
            }
        }

        if (events is null)
        {
            return;
        }

        foreach (var (owner, callbacks, args) in events)
        {
            owner.Deliver(callbacks, args);
        }
    }

    /// <summary>
    /// When <see cref="Pump"/> will next have an edge to deliver: the first transition of a listened line after what it
    /// delivered that passes the debounce and is of a type asked for (a flow meter counting rising edges wakes the board
    /// on those alone). Looks two cycles of the line's source ahead (at least 1 s); a line with no such edge in
    /// that span is looked at again at its end. Null when no line has a listener.
    /// </summary>
    public DateTimeOffset? NextDelivery()
    {
        lock (_lock)
        {
            DateTimeOffset? next = null;
            foreach (var line in _lines)
            {
                if (!line.Listened)
                {
                    continue;
                }

                var horizon = line.PumpedTo + TimeSpan.FromSeconds(Math.Max(1, 2 * line.Source!.PeriodSeconds));
                var due = horizon;
                var last = line.LastEdge;
                var edges = line.Edges;
                foreach (var (at, high) in _environment.Transitions(line.Source, line.PumpedTo, horizon))
                {
                    if (LetThrough(line.Debounce, ref last, at) && (edges & Type(high)) != 0)
                    {
                        due = at;
                        break;
                    }
                }

                if (next is null || due < next)
                {
                    next = due;
                }
            }

            return next;
        }
    }

    // The line's debounce (GPIO_V2_LINE_ATTR_ID_DEBOUNCE in gpio_v2_line_config): an edge closer than the period to the
    // last one let through is dropped. Moves `last` to the edge when it is let through, whatever its type.
    private static bool LetThrough(TimeSpan debounce, ref DateTimeOffset? last, DateTimeOffset at)
    {
        if (last is { } previous && at - previous < debounce)
        {
            return false;
        }

        last = at;
        return true;
    }

    private static PinEventTypes Type(bool high) => high ? PinEventTypes.Rising : PinEventTypes.Falling;

    private sealed class Line
    {
        public SimulatedGpioDriver? Owner { get; set; }

        public PinMode Mode { get; set; } = PinMode.Input;

        public PinValue Output { get; set; }

        public DeviceSpec? Source { get; set; }

        public TimeSpan Debounce { get; set; }

        /// <summary>The edge kinds the line's callbacks ask for together (the line request's edge flags).</summary>
        public PinEventTypes Edges
        {
            get
            {
                var edges = PinEventTypes.None;
                foreach (var (types, _) in Callbacks)
                {
                    edges |= types;
                }

                return edges;
            }
        }

        // The callbacks that asked for edges of this type (called for every edge delivered: no LINQ, one array).
        public PinChangeEventHandler[] CallbacksFor(PinEventTypes type)
        {
            var count = 0;
            foreach (var (types, _) in Callbacks)
            {
                count += (types & type) != 0 ? 1 : 0;
            }

            var result = new PinChangeEventHandler[count];
            var i = 0;
            foreach (var (types, callback) in Callbacks)
            {
                if ((types & type) != 0)
                {
                    result[i++] = callback;
                }
            }

            return result;
        }

        public List<(PinEventTypes Types, PinChangeEventHandler Callback)> Callbacks { get; } = [];

        public DateTimeOffset? LastEdge { get; set; }

        /// <summary>The instant up to which this line's edges have been delivered.</summary>
        public DateTimeOffset PumpedTo { get; set; }

        /// <summary>Driven by the environment, held, and with someone listening for its edges.</summary>
        public bool Listened => Source is not null && Owner is not null && Callbacks.Count > 0;

        public uint Sequence { get; set; }
    }
}
