using System.Text;
using Gateway.Hardware.Gpio;
using Gateway.Hardware.Interop;

namespace Gateway.Hardware.Linux;

/// <summary>
/// A GPIO chip through the character device uAPI v2 (<c>/dev/gpiochipN</c>; include/uapi/linux/gpio.h). Each open
/// line is its own line request (the kernel holds the line while the request fd is open). Edge events are read as
/// whole 48-byte records by one thread per chip that polls the request fds together with an eventfd, which is how
/// closing a line or disposing the chip wakes it.
/// </summary>
public sealed unsafe class LinuxGpioDriver : GpioDriver
{
    private const string Consumer = "gateway";

    private readonly string _path;
    private readonly int _chipFd;
    private readonly int _lineCount;
    private readonly string _label;
    private readonly string?[] _names;
    private readonly Dictionary<int, LineState> _lines = [];
    private readonly Lock _lock = new();
    private readonly int _wakeFd;
    private Thread? _eventThread;
    private volatile bool _stopping;

    /// <summary>Opens the chip at <paramref name="path"/> and reads its line names.</summary>
    /// <exception cref="DeviceNotFoundException">The chip does not exist.</exception>
    public LinuxGpioDriver(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        _path = path;
        _chipFd = Libc.Open(path, Libc.O_RDWR | Libc.O_CLOEXEC);
        if (_chipFd < 0)
        {
            var errno = Libc.Errno;
            throw errno is Libc.ENOENT or Libc.ENODEV
                ? new DeviceNotFoundException($"{path} does not exist: no such GPIO chip on this board", path, errno)
                : Errno.ToException(errno, "open", path);
        }

        GpioV2.GpioChipInfo info;
        if (Libc.Ioctl(_chipFd, GpioV2.GetChipInfo, &info) < 0)
        {
            var error = Errno.ToException(Libc.Errno, "GPIO_GET_CHIPINFO_IOCTL", path);
            Libc.Close(_chipFd);
            throw error;
        }

        _lineCount = (int)info.Lines;
        _label = CString(info.Label, GpioV2.NameSize);
        _names = new string?[_lineCount];
        for (var i = 0; i < _lineCount; i++)
        {
            var lineInfo = new GpioV2.LineInfo { Offset = (uint)i };
            if (Libc.Ioctl(_chipFd, GpioV2.GetLineInfo, &lineInfo) == 0)
            {
                var name = CString(lineInfo.Name, GpioV2.NameSize);
                _names[i] = name.Length == 0 ? null : name;
            }
        }

        _wakeFd = Libc.EventFd(0, Libc.EFD_CLOEXEC | Libc.EFD_NONBLOCK);
        if (_wakeFd < 0)
        {
            var error = Errno.ToException(Libc.Errno, "eventfd", path);
            Libc.Close(_chipFd);
            throw error;
        }
    }

    /// <inheritdoc/>
    protected internal override int PinCount => _lineCount;

    /// <inheritdoc/>
    protected internal override string ChipName => $"{_path} ({_label})";

    /// <inheritdoc/>
    protected internal override string? GetPinName(int pinNumber) => _names[pinNumber];

    /// <inheritdoc/>
    protected internal override void OpenPin(int pinNumber, PinMode mode, PinValue initialValue)
    {
        var request = new GpioV2.LineRequest { NumLines = 1, Config = LineConfigBuilder.Build(mode, initialValue, PinEventTypes.None, TimeSpan.Zero) };
        request.Offsets[0] = (uint)pinNumber;
        var consumer = Encoding.ASCII.GetBytes(Consumer);
        for (var i = 0; i < consumer.Length; i++)
        {
            request.Consumer[i] = consumer[i];
        }

        Errno.ThrowIfFailed(Libc.Ioctl(_chipFd, GpioV2.GetLine, &request), "GPIO_V2_GET_LINE_IOCTL", LineName(pinNumber));
        lock (_lock)
        {
            _lines[pinNumber] = new LineState(request.Fd, mode, initialValue);
        }
    }

    /// <inheritdoc/>
    protected internal override void ClosePin(int pinNumber)
    {
        LineState? line;
        lock (_lock)
        {
            _lines.Remove(pinNumber, out line);
        }

        if (line is not null)
        {
            Wake(); // the event thread drops the fd from its poll set before it is closed
            lock (line)
            {
                line.Closed = true;
                Libc.Close(line.Fd);
            }
        }
    }

    /// <inheritdoc/>
    protected internal override void SetPinMode(int pinNumber, PinMode mode, PinValue initialValue)
    {
        var line = Line(pinNumber);
        line.Mode = mode;
        line.Output = initialValue;
        Apply(pinNumber, line);
    }

    /// <inheritdoc/>
    protected internal override bool IsPinModeSupported(int pinNumber, PinMode mode) => true;

    /// <inheritdoc/>
    protected internal override PinValue Read(int pinNumber)
    {
        var line = Line(pinNumber);
        var values = new GpioV2.LineValues { Mask = 1 };
        Errno.ThrowIfFailed(Libc.Ioctl(line.Fd, GpioV2.GetValues, &values), "GPIO_V2_LINE_GET_VALUES_IOCTL", LineName(pinNumber));
        return (values.Bits & 1) != 0 ? PinValue.High : PinValue.Low;
    }

    /// <inheritdoc/>
    protected internal override void Write(int pinNumber, PinValue value)
    {
        var line = Line(pinNumber);
        var values = new GpioV2.LineValues { Mask = 1, Bits = value == PinValue.High ? 1UL : 0UL };
        Errno.ThrowIfFailed(Libc.Ioctl(line.Fd, GpioV2.SetValues, &values), "GPIO_V2_LINE_SET_VALUES_IOCTL", LineName(pinNumber));
        line.Output = value;
    }

    /// <inheritdoc/>
    protected internal override void SetDebounce(int pinNumber, TimeSpan period)
    {
        var line = Line(pinNumber);
        line.Debounce = period;
        Apply(pinNumber, line);
    }

    /// <inheritdoc/>
    protected internal override void AddCallbackForPinValueChangedEvent(int pinNumber, PinEventTypes eventTypes, PinChangeEventHandler callback)
    {
        var line = Line(pinNumber);
        lock (line)
        {
            line.Callbacks.Add((eventTypes, callback));
            line.Edges |= eventTypes;
        }

        Apply(pinNumber, line);
        EnsureEventThread();
        Wake();
    }

    /// <inheritdoc/>
    protected internal override void RemoveCallbackForPinValueChangedEvent(int pinNumber, PinChangeEventHandler callback)
    {
        var line = Line(pinNumber);
        lock (line)
        {
            line.Callbacks.RemoveAll(c => c.Callback == callback);
            line.Edges = line.Callbacks.Aggregate(PinEventTypes.None, (e, c) => e | c.Types);
        }

        Apply(pinNumber, line);
        Wake();
    }

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        _stopping = true;
        Wake();
        _eventThread?.Join(TimeSpan.FromSeconds(5));
        lock (_lock)
        {
            foreach (var line in _lines.Values)
            {
                Libc.Close(line.Fd);
            }

            _lines.Clear();
        }

        Libc.Close(_wakeFd);
        Libc.Close(_chipFd);
        base.Dispose(disposing);
    }

    private void Apply(int pinNumber, LineState line)
    {
        var config = LineConfigBuilder.Build(line.Mode, line.Output, line.Edges, line.Debounce);
        Errno.ThrowIfFailed(Libc.Ioctl(line.Fd, GpioV2.SetConfig, &config), "GPIO_V2_LINE_SET_CONFIG_IOCTL", LineName(pinNumber));
    }

    private LineState Line(int pinNumber)
    {
        lock (_lock)
        {
            return _lines.TryGetValue(pinNumber, out var line) ? line : throw new InvalidOperationException($"{LineName(pinNumber)} is not open");
        }
    }

    private void EnsureEventThread()
    {
        lock (_lock)
        {
            if (_eventThread is not null)
            {
                return;
            }

            _eventThread = new Thread(EventLoop) { IsBackground = true, Name = $"gpio events {_path}" };
            _eventThread.Start();
        }
    }

    private void Wake()
    {
        ulong one = 1;
        Libc.Write(_wakeFd, &one, sizeof(ulong));
    }

    private void EventLoop()
    {
        var buffer = stackalloc GpioV2.LineEvent[16];
        while (!_stopping)
        {
            List<(int Pin, LineState Line)> watched;
            lock (_lock)
            {
                watched = [.. _lines.Where(l => l.Value.Edges != PinEventTypes.None).Select(l => (l.Key, l.Value))];
            }

            var pollFds = new Libc.PollFd[watched.Count + 1];
            fixed (Libc.PollFd* fds = pollFds)
            {
                fds[0] = new Libc.PollFd { Fd = _wakeFd, Events = Libc.POLLIN };
                for (var i = 0; i < watched.Count; i++)
                {
                    fds[i + 1] = new Libc.PollFd { Fd = watched[i].Line.Fd, Events = Libc.POLLIN };
                }

                if (Libc.Poll(fds, (nuint)(watched.Count + 1), -1) < 0 && Libc.Errno != Libc.EINTR)
                {
                    return;
                }

                if ((fds[0].Revents & Libc.POLLIN) != 0)
                {
                    ulong count;
                    Libc.Read(_wakeFd, &count, sizeof(ulong)); // the set of lines changed, or we are stopping
                    continue;
                }

                for (var i = 0; i < watched.Count; i++)
                {
                    if ((fds[i + 1].Revents & Libc.POLLIN) == 0)
                    {
                        continue;
                    }

                    var (pin, line) = watched[i];
                    nint n;
                    lock (line)
                    {
                        if (line.Closed)
                        {
                            continue;
                        }

                        n = Libc.Read(line.Fd, buffer, (nuint)(16 * sizeof(GpioV2.LineEvent)));
                    }

                    for (var e = 0; e < n / sizeof(GpioV2.LineEvent); e++)
                    {
                        Deliver(pin, line, buffer[e]);
                    }
                }
            }
        }
    }

    private void Deliver(int pin, LineState line, GpioV2.LineEvent ev)
    {
        var type = ev.Id == (uint)GpioV2.EventId.RisingEdge ? PinEventTypes.Rising : PinEventTypes.Falling;
        var args = new PinValueChangedEventArgs(pin, type, (long)ev.TimestampNs, ev.LineSeqno);
        (PinEventTypes Types, PinChangeEventHandler Callback)[] callbacks;
        lock (line)
        {
            callbacks = [.. line.Callbacks];
        }

        foreach (var (types, callback) in callbacks)
        {
            if ((types & type) != 0)
            {
                callback(this, args);
            }
        }
    }

    private string LineName(int pin) => $"{_path} line {pin}";

    private static string CString(byte* bytes, int max)
    {
        var length = 0;
        while (length < max && bytes[length] != 0)
        {
            length++;
        }

        return Encoding.ASCII.GetString(bytes, length);
    }

    private sealed class LineState(int fd, PinMode mode, PinValue output)
    {
        public int Fd { get; } = fd;

        public PinMode Mode { get; set; } = mode;

        public PinValue Output { get; set; } = output;

        public TimeSpan Debounce { get; set; }

        public PinEventTypes Edges { get; set; }

        public bool Closed { get; set; }

        public List<(PinEventTypes Types, PinChangeEventHandler Callback)> Callbacks { get; } = [];
    }
}
