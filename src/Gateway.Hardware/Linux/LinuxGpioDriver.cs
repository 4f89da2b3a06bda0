using System.Device.Gpio;
using System.Text;
using Gateway.Hardware.Gpio;
using Gateway.Hardware.Interop;

namespace Gateway.Hardware.Linux;

/// <summary>
/// A GPIO chip through the Linux character device uAPI v2, as a System.Device.Gpio <see cref="GpioDriver"/> (<c>/dev/gpiochipN</c>; include/uapi/linux/gpio.h,
/// Documentation/userspace-api/gpio/chardev.rst, Linux ≥ 5.10).
/// <para>
/// Each open line is its own line request, held by the consumer "gateway" while the request's descriptor is open.
/// <see cref="GpioController"/> opens a line without a mode and sets the mode next, so a line is requested as it is
/// (no direction flag: gpiolib-cdev.c changes the direction only for INPUT or OUTPUT) and an output then gets its
/// initial value in the same configuration as its direction (an OUTPUT_VALUES attribute), so it never shows the
/// other level first. Mode, debounce and edge changes re-send the whole configuration with GPIO_V2_LINE_SET_CONFIG_IOCTL;
/// values go through GPIO_V2_LINE_GET/SET_VALUES_IOCTL. Edges are reported by one <see cref="GpioEventPump"/>
/// thread per chip, which polls the request descriptors of lines with callbacks together with an eventfd that
/// closing a line or disposing the chip uses to wake it. Edges are <see cref="GpioLineEventArgs"/> with the kernel's
/// timestamp and line sequence number; debounce and line names come through <see cref="IGpioLineFeatures"/>.
/// </para>
/// </summary>
public sealed unsafe class LinuxGpioDriver : GpioLineDriver
{
    /// <summary>The consumer name line info shows for lines this process holds.</summary>
    internal const string Consumer = "gateway";

    /// <summary>
    /// Edge events the kernel keeps per request before it drops the oldest (its default is 16 per line): room for
    /// bursts from a pulse counter while a callback runs. Drops show as gaps in the line sequence number.
    /// </summary>
    internal const uint EventBufferSize = 64;

    private readonly string _path;
    private readonly string _label;
    private readonly string?[] _names;
    private readonly object _gate = new();
    private readonly Dictionary<int, Line> _lines = [];
    private readonly GpioEventPump _events;
    private readonly int _chipFd;
    private bool _disposed;

    /// <summary>Opens the chip at <paramref name="path"/> and reads its label and line names.</summary>
    /// <param name="path">The chip's device node, e.g. <c>/dev/gpiochip0</c>.</param>
    /// <exception cref="DeviceNotFoundException">The chip does not exist.</exception>
    /// <exception cref="HardwareException">It is not a GPIO chip, the kernel lacks uAPI v2, or access is denied.</exception>
    public LinuxGpioDriver(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        _path = path;
        _chipFd = DeviceFile.Open(path, "no such GPIO chip on this board (ls /dev/gpiochip* lists them; the kernel needs CONFIG_GPIO_CDEV)");
        try
        {
            gpiochip_info info = default;
            if (Libc.ioctl(_chipFd, GpioUapi.GPIO_GET_CHIPINFO_IOCTL, &info) < 0)
            {
                throw Errno.ToException(Errno.Last, "GPIO_GET_CHIPINFO_IOCTL", path, "is it a GPIO character device?");
            }

            _label = CString(info.label);
            _names = new string?[info.lines];
            for (var offset = 0; offset < _names.Length; offset++)
            {
                var lineInfo = LineInfo(offset);
                var name = CString(lineInfo.name);
                _names[offset] = name.Length == 0 ? null : name;
            }

            _events = new GpioEventPump(path);
        }
        catch
        {
            DeviceFile.Close(_chipFd);
            throw;
        }
    }

    /// <summary>The chip's device node, e.g. <c>/dev/gpiochip0</c>.</summary>
    public string DevicePath => _path;

    /// <summary>The chip's label from GPIO_GET_CHIPINFO_IOCTL, e.g. <c>pinctrl-bcm2711</c> (possibly empty).</summary>
    public string Label => _label;

    /// <inheritdoc/>
    public override string ChipName => _label.Length == 0 ? _path : $"{_path} ({_label})";

    /// <inheritdoc/>
    protected override int PinCount => _names.Length;

    /// <inheritdoc/>
    public override string? GetLineName(int pinNumber)
    {
        GpioLines.CheckPin(pinNumber, _names.Length, ChipName);
        return _names[pinNumber];
    }

    /// <summary>What the kernel reports about line <paramref name="offset"/> now (GPIO_V2_GET_LINEINFO_IOCTL).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The chip has no such line.</exception>
    /// <exception cref="HardwareException">The kernel refused the request.</exception>
    public LinuxGpioLineInfo GetLineInfo(int offset)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(offset, _names.Length);
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var info = LineInfo(offset);
            return LinuxGpioLineInfo.From(info);
        }
    }

    /// <inheritdoc/>
    /// <remarks>
    /// Claims the line as it is (GPIO_V2_GET_LINE_IOCTL without a direction flag) and takes its mode, and an output's
    /// level, from the kernel; <see cref="SetPinMode(int, PinMode, PinValue)"/> configures it.
    /// </remarks>
    /// <exception cref="DeviceBusyException">Another user holds the line.</exception>
    protected override void OpenPin(int pinNumber)
    {
        GpioLines.CheckPin(pinNumber, _names.Length, ChipName);
        var request = GpioLineRequestBuilder.RequestAsIs(pinNumber, Consumer, EventBufferSize);
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_lines.ContainsKey(pinNumber))
            {
                throw new InvalidOperationException($"{LineName(pinNumber)} is already open");
            }

            if (Libc.ioctl(_chipFd, GpioUapi.GPIO_V2_GET_LINE_IOCTL, &request) < 0)
            {
                var errno = Errno.Last;
                throw Errno.ToException(errno, "GPIO_V2_GET_LINE_IOCTL", LineName(pinNumber), errno == Errno.EBUSY ? HeldBy(pinNumber) : null);
            }

            try
            {
                var mode = LinuxGpioLineInfo.From(LineInfo(pinNumber)).Mode;
                var line = new Line(pinNumber, request.fd, new GpioLineSettings(mode, PinValue.Low, PinEventTypes.None, TimeSpan.Zero));
                if (mode == PinMode.Output)
                {
                    line.Settings = line.Settings with { OutputValue = ReadValue(line) };
                }

                _lines.Add(pinNumber, line);
            }
            catch
            {
                DeviceFile.Close(request.fd);
                throw;
            }
        }
    }

    /// <inheritdoc/>
    /// <remarks>Never throws for a line that is gone: closing the request's descriptor releases it whatever the chip's state.</remarks>
    protected override void ClosePin(int pinNumber)
    {
        Line? line;
        lock (_gate)
        {
            if (!_lines.Remove(pinNumber, out line))
            {
                return;
            }

            line.Closed = true; // its callbacks go with it
        }

        Release(line);
    }

    /// <inheritdoc/>
    /// <remarks>An output keeps the level it drives.</remarks>
    protected override void SetPinMode(int pinNumber, PinMode mode)
    {
        lock (_gate)
        {
            SetPinMode(pinNumber, mode, RequireLine(pinNumber).Settings.OutputValue);
        }
    }

    /// <inheritdoc/>
    /// <remarks>An output starts at <paramref name="initialValue"/>, sent with the direction in one configuration (no glitch).</remarks>
    /// <exception cref="InvalidOperationException">An output was asked for while edge callbacks are registered.</exception>
    protected override void SetPinMode(int pinNumber, PinMode mode, PinValue initialValue)
    {
        lock (_gate)
        {
            var line = RequireLine(pinNumber);
            if (mode == PinMode.Output && line.Settings.Edges != PinEventTypes.None)
            {
                throw new InvalidOperationException($"{LineName(pinNumber)} reports edges to callbacks; unregister them before making it an output (edge detection needs an input)");
            }

            Apply(line, line.Settings with { Mode = mode, OutputValue = initialValue });
        }
    }

    /// <inheritdoc/>
    protected override PinMode GetPinMode(int pinNumber)
    {
        lock (_gate)
        {
            return RequireLine(pinNumber).Settings.Mode;
        }
    }

    /// <inheritdoc/>
    /// <remarks>The chardev cannot tell whether a bias is supported until it is requested; a refusal comes from SetPinMode.</remarks>
    protected override bool IsPinModeSupported(int pinNumber, PinMode mode) =>
        mode is PinMode.Input or PinMode.Output or PinMode.InputPullUp or PinMode.InputPullDown;

    /// <inheritdoc/>
    protected override PinValue Read(int pinNumber)
    {
        lock (_gate)
        {
            return ReadValue(RequireLine(pinNumber));
        }
    }

    /// <inheritdoc/>
    /// <exception cref="InvalidOperationException">The line is not an output.</exception>
    protected override void Write(int pinNumber, PinValue value)
    {
        lock (_gate)
        {
            var line = RequireLine(pinNumber);
            GpioLines.CheckWritable(line.Settings.Mode, pinNumber, ChipName);
            var values = new gpio_v2_line_values { mask = 1, bits = value == PinValue.High ? 1UL : 0UL };
            if (Libc.ioctl(line.Fd, GpioUapi.GPIO_V2_LINE_SET_VALUES_IOCTL, &values) < 0)
            {
                throw Errno.ToException(Errno.Last, "GPIO_V2_LINE_SET_VALUES_IOCTL", LineName(pinNumber));
            }

            line.Settings = line.Settings with { OutputValue = value };
        }
    }

    /// <inheritdoc/>
    /// <exception cref="InvalidOperationException">The line is not open, or is an output.</exception>
    public override void SetDebounce(int pinNumber, TimeSpan period)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(period, TimeSpan.Zero);
        lock (_gate)
        {
            var line = RequireLine(pinNumber);
            if (line.Settings.Mode == PinMode.Output)
            {
                throw new InvalidOperationException($"{LineName(pinNumber)} is an output; debounce applies to inputs");
            }

            Apply(line, line.Settings with { Debounce = period });
        }
    }

    /// <inheritdoc/>
    protected override void AddCallbackForPinValueChangedEvent(int pinNumber, PinEventTypes eventTypes, PinChangeEventHandler callback)
    {
        ArgumentNullException.ThrowIfNull(callback);
        lock (_gate)
        {
            var line = RequireLine(pinNumber);
            if (line.Settings.Mode == PinMode.Output)
            {
                throw new InvalidOperationException($"{LineName(pinNumber)} is an output; edges are reported for inputs");
            }

            var before = line.Settings;
            line.Callbacks.Add((eventTypes, callback));
            try
            {
                if (line.WantedEdges != before.Edges)
                {
                    Apply(line, before with { Edges = line.WantedEdges });
                }

                if (!line.Watched)
                {
                    _events.Watch(line.Fd, e => Deliver(line, e));
                    line.Watched = true;
                }
            }
            catch
            {
                line.Callbacks.RemoveAt(line.Callbacks.Count - 1);
                if (line.Settings != before)
                {
                    TryApply(line, before);
                }

                throw;
            }
        }
    }

    /// <inheritdoc/>
    protected override void RemoveCallbackForPinValueChangedEvent(int pinNumber, PinChangeEventHandler callback)
    {
        ArgumentNullException.ThrowIfNull(callback);
        lock (_gate)
        {
            var line = RequireLine(pinNumber);
            line.Callbacks.RemoveAll(c => c.Callback == callback);
            var edges = line.WantedEdges;
            if (edges == PinEventTypes.None && line.Watched)
            {
                _events.Unwatch(line.Fd);
                line.Watched = false;
                try
                {
                    Apply(line, line.Settings with { Edges = PinEventTypes.None });
                }
                catch (DeviceNotFoundException)
                {
                    // The chip is gone (unplugged, overlay removed: ENODEV on every request ioctl), so there is no edge
                    // detection left to turn off. Unregistering must still succeed, or a binding's Dispose stops before
                    // it closes the line, and the line cannot be opened again when the chip comes back.
                    line.Settings = line.Settings with { Edges = PinEventTypes.None };
                    return;
                }

                DiscardQueuedEvents(line); // so edges turned on again later do not report these stale ones
            }
            else if (edges != line.Settings.Edges)
            {
                Apply(line, line.Settings with { Edges = edges });
            }
        }
    }

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        Line[] lines;
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            lines = [.. _lines.Values];
            foreach (var line in lines)
            {
                line.Closed = true;
            }

            _lines.Clear();
        }

        // Stopped first: after this the thread reads no line's descriptor, so closing them cannot race with it.
        _events.Dispose();
        foreach (var line in lines)
        {
            DeviceFile.Close(line.Fd);
        }

        DeviceFile.Close(_chipFd);
        base.Dispose(disposing);
    }

    private static string CString(byte* bytes)
    {
        var span = new ReadOnlySpan<byte>(bytes, GpioUapi.GPIO_MAX_NAME_SIZE);
        var length = span.IndexOf((byte)0);
        return Encoding.UTF8.GetString(length < 0 ? span : span[..length]);
    }

    private PinValue ReadValue(Line line)
    {
        var values = new gpio_v2_line_values { mask = 1 };
        if (Libc.ioctl(line.Fd, GpioUapi.GPIO_V2_LINE_GET_VALUES_IOCTL, &values) < 0)
        {
            throw Errno.ToException(Errno.Last, "GPIO_V2_LINE_GET_VALUES_IOCTL", LineName(line.Pin));
        }

        return (values.bits & 1) != 0 ? PinValue.High : PinValue.Low;
    }

    private void Release(Line line)
    {
        if (line.Watched)
        {
            _events.Unwatch(line.Fd);
            line.Watched = false;
        }

        DeviceFile.Close(line.Fd);
    }

    private void Apply(Line line, GpioLineSettings settings)
    {
        var config = GpioLineRequestBuilder.Config(settings);
        if (Libc.ioctl(line.Fd, GpioUapi.GPIO_V2_LINE_SET_CONFIG_IOCTL, &config) < 0)
        {
            var errno = Errno.Last;
            var needsInterrupt = settings.Edges != PinEventTypes.None || (settings.Mode != PinMode.Output && settings.Debounce > TimeSpan.Zero);
            if (needsInterrupt && errno is Errno.ENXIO or Errno.ENODEV)
            {
                // gpiolib-cdev.c: edge detection and software debounce need the line's interrupt; without one the
                // kernel answers ENXIO (ENODEV before 6.2). Not an I2C NACK, not a missing device.
                throw new HardwareException(
                    $"GPIO_V2_LINE_SET_CONFIG_IOCTL on {LineName(line.Pin)} failed: the line has no interrupt, so the kernel cannot report its edges or debounce it (errno {errno})",
                    LineName(line.Pin),
                    errno);
            }

            throw Errno.ToException(errno, "GPIO_V2_LINE_SET_CONFIG_IOCTL", LineName(line.Pin));
        }

        line.Settings = settings;
    }

    private void TryApply(Line line, GpioLineSettings settings)
    {
        try
        {
            Apply(line, settings);
        }
        catch (HardwareException)
        {
            // Restoring the previous configuration after a failure is best effort; the first error is what is reported.
        }
    }

    private void DiscardQueuedEvents(Line line)
    {
        // The descriptor is non-blocking since it was watched: read until EAGAIN.
        var buffer = stackalloc byte[8 * GpioLineEvent.Size];
        for (var i = 0; i < 64 && Libc.read(line.Fd, buffer, (nuint)(8 * GpioLineEvent.Size)) > 0; i++)
        {
        }
    }

    private void Deliver(Line line, GpioLineEvent e)
    {
        var type = e.EdgeType;
        if (type == PinEventTypes.None)
        {
            return;
        }

        (PinEventTypes Types, PinChangeEventHandler Callback)[] callbacks;
        lock (_gate)
        {
            if (line.Closed)
            {
                return;
            }

            callbacks = [.. line.Callbacks];
        }

        var args = e.ToEventArgs(line.Pin);
        foreach (var (types, callback) in callbacks)
        {
            if ((types & type) != 0)
            {
                InvokeCallback(callback, args); // one callback's exception stays with it (GpioLineDriver)
            }
        }
    }

    private Line RequireLine(int pinNumber)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return _lines.TryGetValue(pinNumber, out var line)
            ? line
            : throw new InvalidOperationException($"{LineName(pinNumber)} is not open");
    }

    private gpio_v2_line_info LineInfo(int offset)
    {
        var info = new gpio_v2_line_info { offset = (uint)offset };
        if (Libc.ioctl(_chipFd, GpioUapi.GPIO_V2_GET_LINEINFO_IOCTL, &info) < 0)
        {
            throw Errno.ToException(Errno.Last, "GPIO_V2_GET_LINEINFO_IOCTL", LineName(offset), "the GPIO uAPI v2 needs Linux 5.10 or later");
        }

        return info;
    }

    private string HeldBy(int offset)
    {
        try
        {
            var lineInfo = LineInfo(offset);
            var consumer = CString(lineInfo.consumer);
            return consumer.Length == 0 ? "another user holds the line" : $"the line is held by '{consumer}'";
        }
        catch (HardwareException)
        {
            return "another user holds the line";
        }
    }

    private string LineName(int offset) =>
        _names is not null && offset >= 0 && offset < _names.Length && _names[offset] is { } name
            ? $"{_path} line {offset} ({name})"
            : $"{_path} line {offset}";

    private sealed class Line(int pin, int fd, GpioLineSettings settings)
    {
        public int Pin { get; } = pin;

        public int Fd { get; } = fd;

        public GpioLineSettings Settings { get; set; } = settings;

        public List<(PinEventTypes Types, PinChangeEventHandler Callback)> Callbacks { get; } = [];

        public PinEventTypes WantedEdges => Callbacks.Aggregate(PinEventTypes.None, (edges, c) => edges | c.Types);

        public bool Watched { get; set; }

        public bool Closed { get; set; }
    }
}
