using System.Device.Gpio;
using Gateway.Hardware.Gpio;
using Gateway.Hardware.Tests.Devices.Fakes;

namespace Gateway.Hardware.Tests.Gpio;

/// <summary>
/// System.Device.Gpio's controller with the gateway's line features on top, over a recording driver: what the stock
/// controller asks of a driver is what the gateway's drivers are built for.
/// </summary>
public class GpioChipControllerTests
{
    [Fact]
    public void A_line_can_be_found_by_number_or_by_its_chip_name()
    {
        using var gpio = new GpioChipController(new FakeGpioDriver());
        Assert.Equal(17, gpio.ResolvePin("17"));
        Assert.Equal(17, gpio.ResolvePin("GPIO17"));
        var ex = Assert.Throws<ArgumentException>(() => gpio.ResolvePin("GPIO99"));
        Assert.Contains("has no line named 'GPIO99'", ex.Message, StringComparison.Ordinal);
        var range = Assert.Throws<ArgumentOutOfRangeException>(() => gpio.ResolvePin("40"));
        Assert.Contains("lines 0 to 31", range.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_stock_controller_opens_a_line_as_it_is_then_sets_an_output_with_its_value_in_one_step()
    {
        var driver = new FakeGpioDriver();
        using var gpio = new GpioChipController(driver);

        gpio.OpenPin(4, PinMode.Output, PinValue.High);
        gpio.OpenPin(5, PinMode.InputPullUp);

        Assert.Equal(["open 4", "mode 4 Output High", "open 5", "mode 5 InputPullUp"], driver.Calls);
        Assert.Equal(PinMode.Output, gpio.GetPinMode(4));
    }

    [Fact]
    public void Setting_a_mode_with_a_value_reaches_the_driver_without_a_write_first()
    {
        var driver = new FakeGpioDriver();
        using var gpio = new GpioChipController(driver);
        gpio.OpenPin(4, PinMode.Input);

        gpio.SetPinMode(4, PinMode.Output, PinValue.High);

        Assert.Equal(["open 4", "mode 4 Input", "mode 4 Output High"], driver.Calls);
        Assert.Throws<InvalidOperationException>(() => gpio.SetPinMode(6, PinMode.Output, PinValue.High));
    }

    [Fact]
    public void Debounce_is_for_open_inputs()
    {
        var driver = new FakeGpioDriver();
        using var gpio = new GpioChipController(driver);
        Assert.Throws<InvalidOperationException>(() => gpio.SetDebounce(6, TimeSpan.FromMilliseconds(5)));
        gpio.OpenPin(6, PinMode.Output);
        var ex = Assert.Throws<InvalidOperationException>(() => gpio.SetDebounce(6, TimeSpan.FromMilliseconds(5)));
        Assert.Contains("is an output", ex.Message, StringComparison.Ordinal);
        gpio.OpenPin(7, PinMode.Input);
        gpio.SetDebounce(7, TimeSpan.FromMilliseconds(5));
        Assert.Equal("debounce 7 5ms", driver.Calls[^1]);
    }

    [Fact]
    public void Disposing_closes_every_open_line_and_the_driver()
    {
        var driver = new FakeGpioDriver();
        var gpio = new GpioChipController(driver);
        gpio.OpenPin(1, PinMode.Input);
        gpio.OpenPin(2, PinMode.Output);

        gpio.Dispose();

        Assert.Contains("close 1", driver.Calls);
        Assert.Contains("close 2", driver.Calls);
    }

    [Fact]
    public void WaitForEvent_returns_the_first_edge_of_the_asked_kind_or_times_out()
    {
        var driver = new FakeGpioDriver();
        using var gpio = new GpioChipController(driver);
        gpio.OpenPin(3, PinMode.Input);

        var timedOut = gpio.WaitForEvent(3, PinEventTypes.Rising, TimeSpan.FromMilliseconds(20));
        Assert.True(timedOut.TimedOut);
        Assert.Equal(0, driver.CallbackCount(3));

        using var raised = new Timer(_ => driver.Raise(3, PinEventTypes.Rising, 1, 1), null, 50, Timeout.Infinite);
        var result = gpio.WaitForEvent(3, PinEventTypes.Rising, TimeSpan.FromSeconds(30));
        Assert.False(result.TimedOut);
        Assert.Equal(PinEventTypes.Rising, result.EventTypes);
        Assert.Equal(0, driver.CallbackCount(3));
    }
}
