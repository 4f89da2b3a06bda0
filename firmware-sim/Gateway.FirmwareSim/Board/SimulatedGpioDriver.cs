using Gateway.Hardware.Gpio;

namespace Gateway.FirmwareSim.Board;

/// <summary>One user's view of a simulated GPIO chip (a <see cref="GpioDriver"/> behind a <see cref="GpioController"/>).</summary>
internal sealed class SimulatedGpioDriver : GpioDriver
{
    private readonly SimulatedGpioChip _chip;
    private readonly HashSet<int> _open = [];

    public SimulatedGpioDriver(SimulatedGpioChip chip) => _chip = chip;

    protected override int PinCount => SimulatedGpioChip.Lines;

    protected override string ChipName => _chip.Name;

    protected override string? GetPinName(int pinNumber) => $"GPIO{pinNumber}";

    protected override void OpenPin(int pinNumber, PinMode mode, PinValue initialValue)
    {
        _chip.Open(this, pinNumber, mode, initialValue);
        _open.Add(pinNumber);
    }

    protected override void ClosePin(int pinNumber)
    {
        _chip.Close(this, pinNumber);
        _open.Remove(pinNumber);
    }

    protected override void SetPinMode(int pinNumber, PinMode mode, PinValue initialValue) => _chip.SetMode(pinNumber, mode, initialValue);

    protected override bool IsPinModeSupported(int pinNumber, PinMode mode) => true;

    protected override PinValue Read(int pinNumber) => _chip.Level(pinNumber);

    protected override void Write(int pinNumber, PinValue value) => _chip.Write(pinNumber, value);

    protected override void SetDebounce(int pinNumber, TimeSpan period) => _chip.SetDebounce(pinNumber, period);

    protected override void AddCallbackForPinValueChangedEvent(int pinNumber, PinEventTypes eventTypes, PinChangeEventHandler callback)
        => _chip.Subscribe(pinNumber, eventTypes, callback);

    protected override void RemoveCallbackForPinValueChangedEvent(int pinNumber, PinChangeEventHandler callback)
        => _chip.Unsubscribe(pinNumber, callback);

    protected override void Dispose(bool disposing)
    {
        foreach (var pin in _open.ToList())
        {
            _chip.Close(this, pin);
        }

        base.Dispose(disposing);
    }
}
