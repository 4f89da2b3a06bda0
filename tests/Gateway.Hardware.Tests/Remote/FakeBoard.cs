using System.Collections.Concurrent;
using System.Device.Gpio;
using System.Device.I2c;
using Gateway.Hardware;
using Gateway.Hardware.Gpio;
using Gateway.Hardware.I2c;
using Gateway.Hardware.OneWire;
using Gateway.Hardware.Remote;

namespace Gateway.Hardware.Tests.Remote;

/// <summary>A minimal in-memory board for protocol tests: one register-pointer I2C chip, 8 GPIO lines, a 1-Wire file.</summary>
internal sealed class FakeBoard : IHardwareBoard, IFaultControl
{
    public byte[] Registers { get; } = new byte[256];

    public volatile bool Nack;

    public FakeGpioDriver Gpio { get; } = new();

    public string Description => "fake";

    public IOneWireBus OneWire { get; } = new FakeOneWire();

    public GpioChipController OpenGpioChip(int chip) => chip == 0
        ? new GpioChipController(Gpio)
        : throw new DeviceNotFoundException($"no gpiochip{chip}", $"gpiochip{chip}");

    public I2cBus OpenI2cBus(int busId) => new FakeBus(this, busId);

    public string Inject(string fault) => fault == "nack chip" ? (Nack = true).ToString() : throw new FormatException($"unknown fault '{fault}'");

    public string Clear(string target)
    {
        Nack = false;
        return "cleared " + target;
    }

    public IReadOnlyList<string> ActiveFaults => Nack ? ["nack chip"] : [];

    public void Dispose()
    {
    }

    private sealed class FakeBus(FakeBoard board, int busId) : I2cBus
    {
        public override I2cDevice CreateDevice(int deviceAddress) => new FakeDevice(board, I2cAddresses.Settings(busId, deviceAddress));

        public override void RemoveDevice(int deviceAddress)
        {
        }
    }

    private sealed class FakeDevice(FakeBoard board, I2cConnectionSettings settings) : I2cDevice
    {
        private int _pointer;

        public override I2cConnectionSettings ConnectionSettings => settings;

        public override void Read(Span<byte> buffer)
        {
            Check();
            for (var i = 0; i < buffer.Length; i++)
            {
                buffer[i] = board.Registers[(_pointer + i) & 0xFF];
            }
        }

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            Check();
            _pointer = buffer[0];
            for (var i = 1; i < buffer.Length; i++)
            {
                board.Registers[(_pointer + i - 1) & 0xFF] = buffer[i];
            }
        }

        public override void WriteRead(ReadOnlySpan<byte> writeBuffer, Span<byte> readBuffer)
        {
            Write(writeBuffer);
            Read(readBuffer);
        }

        private void Check()
        {
            if (board.Nack || settings.DeviceAddress != 0x76)
            {
                throw new BusNackException($"no ack from {I2cAddresses.Describe(settings)}", I2cAddresses.Describe(settings));
            }
        }
    }

    private sealed class FakeOneWire : IOneWireBus
    {
        public IReadOnlyList<string> EnumerateDevices(byte? family = null) => ["28-000005e2fdc3"];

        public Task<string> ReadFileAsync(string deviceId, string fileName, CancellationToken cancellationToken)
            => deviceId == "28-000005e2fdc3"
                ? Task.FromResult("t=23125\n")
                : throw new DeviceNotFoundException($"no {deviceId}", deviceId);
    }
}

/// <summary>Eight lines named L0..L7 (a System.Device.Gpio driver); writes to outputs and test-driven edges on inputs.</summary>
internal sealed class FakeGpioDriver : GpioLineDriver
{
    private readonly ConcurrentDictionary<int, PinValue> _values = new();
    private readonly ConcurrentDictionary<int, PinChangeEventHandler> _callbacks = new();
    private readonly ConcurrentDictionary<int, PinMode> _open = new();
    private uint _seq;

    public int OpenCount => _open.Count;

    public override string ChipName => "fakechip";

    protected override int PinCount => 8;

    public PinValue ValueOf(int pin) => _values.GetValueOrDefault(pin);

    public void Edge(int pin, PinEventTypes type)
    {
        _values[pin] = type == PinEventTypes.Rising ? PinValue.High : PinValue.Low;
        if (_callbacks.TryGetValue(pin, out var cb))
        {
            cb(this, new GpioLineEventArgs(type, pin, 1_000_000L * ++_seq, _seq));
        }
    }

    public override string? GetLineName(int pinNumber) => $"L{pinNumber}";

    public override void SetDebounce(int pinNumber, TimeSpan period)
    {
    }

    protected override void OpenPin(int pinNumber)
    {
        GpioLines.CheckPin(pinNumber, 8, ChipName);
        if (!_open.TryAdd(pinNumber, PinMode.Input))
        {
            throw new DeviceBusyException($"line {pinNumber} busy", "fakechip");
        }
    }

    protected override void ClosePin(int pinNumber)
    {
        _open.TryRemove(pinNumber, out _);
        _callbacks.TryRemove(pinNumber, out _);
    }

    protected override void SetPinMode(int pinNumber, PinMode mode) => _open[pinNumber] = mode;

    protected override void SetPinMode(int pinNumber, PinMode mode, PinValue initialValue)
    {
        _open[pinNumber] = mode;
        if (mode == PinMode.Output)
        {
            _values[pinNumber] = initialValue;
        }
    }

    protected override PinMode GetPinMode(int pinNumber) => _open[pinNumber];

    protected override bool IsPinModeSupported(int pinNumber, PinMode mode) => true;

    protected override PinValue Read(int pinNumber) => _values.GetValueOrDefault(pinNumber);

    protected override void Write(int pinNumber, PinValue value) => _values[pinNumber] = value;

    protected override void AddCallbackForPinValueChangedEvent(int pinNumber, PinEventTypes eventTypes, PinChangeEventHandler callback)
        => _callbacks[pinNumber] = callback;

    protected override void RemoveCallbackForPinValueChangedEvent(int pinNumber, PinChangeEventHandler callback)
        => _callbacks.TryRemove(pinNumber, out _);
}
