using System.Device.Gpio;
using System.Device.I2c;
using System.Globalization;
using System.Net.Sockets;
using System.Text.Json;
using Gateway.Hardware.Gpio;

namespace Gateway.Hardware.Remote;

/// <summary>
/// Serves any <see cref="IHardwareBoard"/> over a Unix socket with the firmware-sim protocol, one task per
/// connection, requests answered in order. A connection's GPIO lines are released when it closes. A malformed
/// request gets a <c>badRequest</c> error and the connection stays up.
/// </summary>
public sealed class RemoteBoardServer : IAsyncDisposable
{
    private readonly IHardwareBoard _board;
    private readonly IFaultControl? _faults;
    private readonly string _socketPath;
    private readonly string _identity;
    private readonly Socket _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _connections = [];
    private readonly Lock _lock = new();
    private Task? _acceptLoop;
    private bool _disposed;

    /// <summary>Creates a server; call <see cref="Start"/> to listen.</summary>
    /// <param name="board">The board to serve.</param>
    /// <param name="faults">Live fault control, or null when the board has none.</param>
    /// <param name="socketPath">Where to listen; a stale socket file there is replaced.</param>
    /// <param name="identity">What <c>hello</c> answers, e.g. "firmware-sim 0.1.0 (scenario default, seed 42)".</param>
    public RemoteBoardServer(IHardwareBoard board, IFaultControl? faults, string socketPath, string identity)
    {
        ArgumentNullException.ThrowIfNull(board);
        ArgumentException.ThrowIfNullOrWhiteSpace(socketPath);
        _board = board;
        _faults = faults;
        _socketPath = socketPath;
        _identity = identity;
        _listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
    }

    /// <summary>Binds the socket and starts accepting connections.</summary>
    public void Start()
    {
        if (File.Exists(_socketPath))
        {
            File.Delete(_socketPath); // a socket left by a previous run that did not stop cleanly
        }

        _listener.Bind(new UnixDomainSocketEndPoint(_socketPath));
        _listener.Listen(16);
        _acceptLoop = Task.Run(AcceptLoop);
    }

    private async Task AcceptLoop()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptAsync(_stop.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            lock (_lock)
            {
                _connections.RemoveAll(t => t.IsCompleted);
                _connections.Add(Task.Run(() => Serve(client)));
            }
        }
    }

    private async Task Serve(Socket client)
    {
        await using var lines = new LineStream(new NetworkStream(client, ownsSocket: true));
        using var session = new Session(_board, lines);
        try
        {
            while (await lines.ReadLineAsync(_stop.Token).ConfigureAwait(false) is { } line)
            {
                if (line.Length == 0)
                {
                    continue;
                }

                var response = Handle(session, line);
                await lines.WriteLineAsync(JsonSerializer.Serialize(response, RemoteJsonContext.Default.RemoteResponse), _stop.Token).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or ObjectDisposedException or InvalidDataException)
        {
            // The peer went away or sent an oversized line; its lines are released below.
        }
    }

    private RemoteResponse Handle(Session session, string line)
    {
        RemoteRequest? request;
        try
        {
            request = RemoteWire.ParseRequest(line);
        }
        catch (InvalidDataException ex)
        {
            return new RemoteResponse { Error = RemoteErrors.BadRequest, Message = ex.Message };
        }

        if (request is null)
        {
            return new RemoteResponse { Error = RemoteErrors.BadRequest, Message = "empty request" };
        }

        try
        {
            return Dispatch(session, request) with { Id = request.Id, Ok = true };
        }
        catch (Exception ex) when (ex is HardwareException or ArgumentException or InvalidOperationException or FormatException or NotSupportedException or InvalidDataException)
        {
            return new RemoteResponse { Id = request.Id, Error = RemoteErrors.KindOf(ex), Message = ex.Message };
        }
    }

    private RemoteResponse Dispatch(Session s, RemoteRequest r) => r.Op switch
    {
        RemoteOps.Hello => new RemoteResponse { Text = _identity },
        RemoteOps.I2cRead => I2c(s, r, (d, w, buf) => d.Read(buf)),
        RemoteOps.I2cWrite => I2c(s, r, (d, w, buf) => d.Write(w)),
        RemoteOps.I2cWriteRead => I2c(s, r, (d, w, buf) => d.WriteRead(w, buf)),
        RemoteOps.GpioInfo => GpioInfo(s, r),
        RemoteOps.GpioOpen => GpioOpen(s, r),
        RemoteOps.GpioClose => Gpio(s, r, (g, pin) => s.Close(g, pin)),
        RemoteOps.GpioMode => Gpio(s, r, (g, pin) => g.SetPinMode(pin, Mode(r), Level(r))),
        RemoteOps.GpioRead => new RemoteResponse { Value = (int)s.Gpio(Need(r.Chip, "chip")).Read(Need(r.Pin, "pin")) },
        RemoteOps.GpioWrite => Gpio(s, r, (g, pin) => g.Write(pin, Level(r))),
        RemoteOps.GpioDebounce => Gpio(s, r, (g, pin) => g.SetDebounce(pin, TimeSpan.FromMicroseconds(Need(r.DebounceUs, "debounceUs")))),
        RemoteOps.GpioSubscribe => Gpio(s, r, (g, pin) => s.Subscribe(Need(r.Chip, "chip"), g, pin, Edges(r.Edges))),
        RemoteOps.GpioUnsubscribe => Gpio(s, r, (g, pin) => s.Unsubscribe(g, pin)),
        RemoteOps.W1List => new RemoteResponse { Items = [.. _board.OneWire.EnumerateDevices(r.Family is { } f ? (byte)f : null)] },
        RemoteOps.W1Read => new RemoteResponse
        {
            Text = _board.OneWire.ReadFileAsync(Need(r.Device, "device"), Need(r.File, "file"), CancellationToken.None).GetAwaiter().GetResult(),
        },
        RemoteOps.FaultInject => new RemoteResponse { Message = Faults().Inject(Need(r.Fault, "fault")) },
        RemoteOps.FaultClear => new RemoteResponse { Message = Faults().Clear(Need(r.Fault, "fault")) },
        RemoteOps.FaultList => new RemoteResponse { Items = [.. Faults().ActiveFaults] },
        RemoteOps.SimLine => new RemoteResponse
        {
            Value = (int)(_board as ILineProbe ?? throw new NotSupportedException("this board cannot show its lines from outside")).LineLevel(Need(r.Chip, "chip"), Need(r.Pin, "pin")),
        },
        _ => throw new ArgumentException($"unknown operation '{r.Op}'"),
    };

    private delegate void I2cAction(I2cDevice device, ReadOnlySpan<byte> write, Span<byte> read);

    private static RemoteResponse I2c(Session s, RemoteRequest r, I2cAction action)
    {
        var device = s.I2c(Need(r.Bus, "bus"), Need(r.Addr, "addr"));
        var write = Hex.Decode(r.Write, "write");
        var length = r.Read ?? 0;
        if (length is < 0 or > 4096)
        {
            throw new ArgumentException($"read length {length} is outside 0..4096");
        }

        var read = new byte[length];
        action(device, write, read);
        return new RemoteResponse { Data = length == 0 ? null : Hex.Encode(read) };
    }

    private static RemoteResponse GpioInfo(Session s, RemoteRequest r)
    {
        var gpio = s.Gpio(Need(r.Chip, "chip"));
        var names = new string?[gpio.PinCount];
        for (var i = 0; i < names.Length; i++)
        {
            names[i] = gpio.GetPinName(i);
        }

        return new RemoteResponse { Value = names.Length, Items = names };
    }

    // Without a mode the line is claimed as it is (GpioController.OpenPin(pin)); the answer says what it is.
    private static RemoteResponse GpioOpen(Session s, RemoteRequest r)
    {
        var gpio = s.Gpio(Need(r.Chip, "chip"));
        var pin = Need(r.Pin, "pin");
        if (gpio.IsPinOpen(pin))
        {
            // GpioController.OpenPin would quietly reconfigure it; a second claim by the same client is a mistake.
            throw new InvalidOperationException($"{gpio.ChipName} line {pin} is already open");
        }

        if (r.Mode is null)
        {
            gpio.OpenPin(pin);
        }
        else
        {
            gpio.OpenPin(pin, Mode(r), Level(r));
        }

        return new RemoteResponse { Text = gpio.GetPinMode(pin).ToString(), Value = (int)gpio.Read(pin) };
    }

    private static RemoteResponse Gpio(Session s, RemoteRequest r, Action<GpioChipController, int> action)
    {
        action(s.Gpio(Need(r.Chip, "chip")), Need(r.Pin, "pin"));
        return new RemoteResponse();
    }

    private IFaultControl Faults() => _faults ?? throw new NotSupportedException("this board has no fault control");

    private static PinMode Mode(RemoteRequest r) => Enum.TryParse<PinMode>(Need(r.Mode, "mode"), ignoreCase: true, out var m) && Enum.IsDefined(m)
        ? m
        : throw new ArgumentException($"mode '{r.Mode}' is not one of {string.Join(", ", Enum.GetNames<PinMode>())}");

    private static PinValue Level(RemoteRequest r) => r.Value switch
    {
        null or 0 => PinValue.Low,
        1 => PinValue.High,
        var v => throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"value {v} is not 0 or 1")),
    };

    private static PinEventTypes Edges(string? edges) => edges switch
    {
        "rising" => PinEventTypes.Rising,
        "falling" => PinEventTypes.Falling,
        "both" or null => PinEventTypes.Rising | PinEventTypes.Falling,
        _ => throw new ArgumentException($"edges '{edges}' is not rising, falling or both"),
    };

    private static T Need<T>(T? value, string name)
        where T : struct => value ?? throw new ArgumentException($"'{name}' is required");

    private static string Need(string? value, string name)
        => string.IsNullOrWhiteSpace(value) ? throw new ArgumentException($"'{name}' is required") : value;

    /// <summary>Stops listening, closes every connection and removes the socket file.</summary>
    public async ValueTask DisposeAsync()
    {
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
        }

        await _stop.CancelAsync().ConfigureAwait(false);
        _listener.Dispose();
        Task[] running;
        lock (_lock)
        {
            running = [.. _connections];
        }

        if (_acceptLoop is not null)
        {
            await _acceptLoop.ConfigureAwait(false);
        }

        await Task.WhenAll(running).WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        _stop.Dispose();
        if (File.Exists(_socketPath))
        {
            File.Delete(_socketPath);
        }
    }

    /// <summary>What one connection holds: its GPIO controllers, I2C devices and edge subscriptions.</summary>
    private sealed class Session : IDisposable
    {
        private readonly IHardwareBoard _board;
        private readonly LineStream _lines;
        private readonly Dictionary<int, GpioChipController> _gpio = [];
        private readonly Dictionary<int, I2cBus> _buses = [];
        private readonly Dictionary<(int, int), I2cDevice> _devices = [];
        private readonly Dictionary<(GpioController, int), PinChangeEventHandler> _subscriptions = [];

        public Session(IHardwareBoard board, LineStream lines)
        {
            _board = board;
            _lines = lines;
        }

        public GpioChipController Gpio(int chip)
        {
            if (!_gpio.TryGetValue(chip, out var controller))
            {
                controller = _board.OpenGpioChip(chip);
                _gpio[chip] = controller;
            }

            return controller;
        }

        public I2cDevice I2c(int bus, int address)
        {
            if (!_devices.TryGetValue((bus, address), out var device))
            {
                if (!_buses.TryGetValue(bus, out var i2c))
                {
                    i2c = _board.OpenI2cBus(bus);
                    _buses[bus] = i2c;
                }

                device = i2c.CreateDevice(address);
                _devices[(bus, address)] = device;
            }

            return device;
        }

        public void Subscribe(int chip, GpioController gpio, int pin, PinEventTypes types)
        {
            Unsubscribe(gpio, pin);
            PinChangeEventHandler handler = (_, e) =>
            {
                var message = new RemoteResponse
                {
                    Event = "edge",
                    Chip = chip,
                    Pin = e.PinNumber,
                    Edge = e.ChangeType == PinEventTypes.Rising ? "rising" : "falling",
                    Ts = (e as GpioLineEventArgs)?.TimestampNanoseconds,
                    Seq = (e as GpioLineEventArgs)?.LineSequence,
                };

                // Fire and forget: a slow or vanished client must not block the board's event thread.
                _ = _lines.WriteLineAsync(JsonSerializer.Serialize(message, RemoteJsonContext.Default.RemoteResponse), CancellationToken.None)
                    .AsTask().ContinueWith(static t => t.Exception?.Handle(static _ => true), TaskScheduler.Default);
            };
            gpio.RegisterCallbackForPinValueChangedEvent(pin, types, handler);
            _subscriptions[(gpio, pin)] = handler;
        }

        public void Unsubscribe(GpioController gpio, int pin)
        {
            if (_subscriptions.Remove((gpio, pin), out var handler))
            {
                gpio.UnregisterCallbackForPinValueChangedEvent(pin, handler);
            }
        }

        public void Close(GpioController gpio, int pin)
        {
            Unsubscribe(gpio, pin);
            gpio.ClosePin(pin);
        }

        public void Dispose()
        {
            foreach (var device in _devices.Values)
            {
                device.Dispose();
            }

            foreach (var bus in _buses.Values)
            {
                bus.Dispose();
            }

            foreach (var controller in _gpio.Values)
            {
                controller.Dispose(); // closes this connection's lines
            }
        }
    }
}
