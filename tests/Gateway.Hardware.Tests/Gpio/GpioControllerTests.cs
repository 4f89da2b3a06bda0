using Gateway.Hardware;
using Gateway.Hardware.Gpio;

namespace Gateway.Hardware.Tests.Gpio;

public class GpioControllerTests
{
    [Fact]
    public void A_line_can_be_found_by_number_or_by_its_chip_name()
    {
        using var gpio = new GpioController(new RecordingDriver());
        Assert.Equal(17, gpio.ResolvePin("17"));
        Assert.Equal(17, gpio.ResolvePin("GPIO17"));
        var ex = Assert.Throws<ArgumentException>(() => gpio.ResolvePin("GPIO99"));
        Assert.Contains("has no line named 'GPIO99'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_line_number_outside_the_chip_is_refused_with_the_range()
    {
        using var gpio = new GpioController(new RecordingDriver());
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => gpio.OpenPin(28, PinMode.Input));
        Assert.Contains("lines 0 to 27", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Writing_needs_an_open_output_line()
    {
        using var gpio = new GpioController(new RecordingDriver());
        Assert.Throws<InvalidOperationException>(() => gpio.Write(5, PinValue.High));
        gpio.OpenPin(5, PinMode.Input);
        var ex = Assert.Throws<InvalidOperationException>(() => gpio.Write(5, PinValue.High));
        Assert.Contains("not an output", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Opening_a_line_twice_is_refused_and_closing_frees_it()
    {
        var driver = new RecordingDriver();
        using var gpio = new GpioController(driver);
        gpio.OpenPin(4, PinMode.Output, PinValue.High);
        Assert.Throws<InvalidOperationException>(() => gpio.OpenPin(4, PinMode.Output));
        gpio.ClosePin(4);
        Assert.False(gpio.IsPinOpen(4));
        gpio.OpenPin(4, PinMode.InputPullUp);
        Assert.Equal(PinMode.InputPullUp, gpio.GetPinMode(4));
        Assert.Equal(["open 4 Output High", "close 4", "open 4 InputPullUp Low"], driver.Calls);
    }

    [Fact]
    public void Disposing_closes_every_open_line()
    {
        var driver = new RecordingDriver();
        var gpio = new GpioController(driver);
        gpio.OpenPin(1, PinMode.Input);
        gpio.OpenPin(2, PinMode.Output);
        gpio.Dispose();
        Assert.Contains("close 1", driver.Calls);
        Assert.Contains("close 2", driver.Calls);
        Assert.Throws<ObjectDisposedException>(() => gpio.OpenPin(3, PinMode.Input));
    }

    [Fact]
    public void Edge_callbacks_are_for_inputs_only()
    {
        using var gpio = new GpioController(new RecordingDriver());
        gpio.OpenPin(6, PinMode.Output);
        Assert.Throws<InvalidOperationException>(() =>
            gpio.RegisterCallbackForPinValueChangedEvent(6, PinEventTypes.Rising, (_, _) => { }));
    }

    private sealed class RecordingDriver : GpioDriver
    {
        public List<string> Calls { get; } = [];

        protected internal override int PinCount => 28;

        protected internal override string ChipName => "test-chip";

        protected internal override string? GetPinName(int pinNumber) => $"GPIO{pinNumber}";

        protected internal override void OpenPin(int pinNumber, PinMode mode, PinValue initialValue) => Calls.Add($"open {pinNumber} {mode} {initialValue}");

        protected internal override void ClosePin(int pinNumber) => Calls.Add($"close {pinNumber}");

        protected internal override void SetPinMode(int pinNumber, PinMode mode, PinValue initialValue) => Calls.Add($"mode {pinNumber} {mode}");

        protected internal override bool IsPinModeSupported(int pinNumber, PinMode mode) => true;

        protected internal override PinValue Read(int pinNumber) => PinValue.Low;

        protected internal override void Write(int pinNumber, PinValue value) => Calls.Add($"write {pinNumber} {value}");

        protected internal override void SetDebounce(int pinNumber, TimeSpan period) => Calls.Add($"debounce {pinNumber}");

        protected internal override void AddCallbackForPinValueChangedEvent(int pinNumber, PinEventTypes eventTypes, PinChangeEventHandler callback) => Calls.Add($"callback {pinNumber}");

        protected internal override void RemoveCallbackForPinValueChangedEvent(int pinNumber, PinChangeEventHandler callback) => Calls.Add($"uncallback {pinNumber}");
    }
}
