using System.Device.Gpio;
using Gateway.Hardware.Gpio;

namespace Gateway.FirmwareSim.Board;

/// <summary>
/// One user's view of a simulated GPIO chip: a System.Device.Gpio <see cref="GpioDriver"/>, so the stock
/// <see cref="GpioController"/> and any dotnet/iot binding drive the simulated lines, plus the gateway's line features
/// (names GPIO0–GPIO27, debounce, edges with timestamps and sequence numbers as <see cref="GpioLineEventArgs"/>).
/// </summary>
internal sealed class SimulatedGpioDriver : GpioLineDriver
{
    private readonly SimulatedGpioChip _chip;
    private readonly HashSet<int> _open = [];
    private readonly Lock _lock = new();

    public SimulatedGpioDriver(SimulatedGpioChip chip) => _chip = chip;

    public override string ChipName => _chip.Name;

    protected override int PinCount => SimulatedGpioChip.Lines;

    public override string? GetLineName(int pinNumber)
    {
        GpioLines.CheckPin(pinNumber, SimulatedGpioChip.Lines, ChipName);
        return $"GPIO{pinNumber}";
    }

    // Claimed as it is, like the Linux driver: the mode comes next (GpioController.OpenPin(pin, mode) calls SetPinMode).
    protected override void OpenPin(int pinNumber)
    {
        GpioLines.CheckPin(pinNumber, SimulatedGpioChip.Lines, ChipName);
        _chip.Open(this, pinNumber);
        lock (_lock)
        {
            _open.Add(pinNumber);
        }
    }

    protected override void ClosePin(int pinNumber)
    {
        _chip.Close(this, pinNumber);
        lock (_lock)
        {
            _open.Remove(pinNumber);
        }
    }

    protected override void SetPinMode(int pinNumber, PinMode mode) => _chip.SetMode(pinNumber, mode, null);

    protected override void SetPinMode(int pinNumber, PinMode mode, PinValue initialValue) => _chip.SetMode(pinNumber, mode, initialValue);

    protected override PinMode GetPinMode(int pinNumber) => _chip.Mode(pinNumber);

    protected override bool IsPinModeSupported(int pinNumber, PinMode mode) =>
        mode is PinMode.Input or PinMode.Output or PinMode.InputPullUp or PinMode.InputPullDown;

    protected override PinValue Read(int pinNumber) => _chip.Level(pinNumber);

    protected override void Write(int pinNumber, PinValue value)
    {
        GpioLines.CheckWritable(_chip.Mode(pinNumber), pinNumber, ChipName);
        _chip.Write(pinNumber, value);
    }

    public override void SetDebounce(int pinNumber, TimeSpan period)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(period, TimeSpan.Zero);
        GpioLines.CheckInput(_chip.Mode(pinNumber), pinNumber, ChipName);
        _chip.SetDebounce(pinNumber, period);
    }

    protected override void AddCallbackForPinValueChangedEvent(int pinNumber, PinEventTypes eventTypes, PinChangeEventHandler callback)
    {
        GpioLines.CheckInput(_chip.Mode(pinNumber), pinNumber, ChipName);
        _chip.Subscribe(pinNumber, eventTypes, callback);
    }

    protected override void RemoveCallbackForPinValueChangedEvent(int pinNumber, PinChangeEventHandler callback)
        => _chip.Unsubscribe(pinNumber, callback);

    /// <summary>Calls each of a line's callbacks with one edge (from the chip's pump); what one throws stays with it.</summary>
    internal void Deliver(PinChangeEventHandler[] callbacks, GpioLineEventArgs args)
    {
        foreach (var callback in callbacks)
        {
            InvokeCallback(callback, args);
        }
    }

    protected override void Dispose(bool disposing)
    {
        int[] open;
        lock (_lock)
        {
            open = [.. _open];
            _open.Clear();
        }

        foreach (var pin in open)
        {
            _chip.Close(this, pin);
        }

        base.Dispose(disposing);
    }
}
