using System.Device.Gpio;
using System.Diagnostics;
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
    public async Task WaitForEvent_returns_the_first_edge_of_the_asked_kind_or_times_out()
    {
        var driver = new FakeGpioDriver();
        using var gpio = new GpioChipController(driver);
        gpio.OpenPin(3, PinMode.Input);

        var timedOut = gpio.WaitForEvent(3, PinEventTypes.Rising, TimeSpan.FromMilliseconds(20));
        Assert.True(timedOut.TimedOut);
        Assert.Equal(0, driver.CallbackCount(3));

        // The edge comes from another thread, as a driver's event thread delivers it. The thread is a task the test
        // awaits, not a Timer: whatever it throws fails this test instead of ending the test host.
        var raised = Task.Run(() =>
        {
            WaitUntil(() => driver.CallbackCount(3) == 1); // WaitForEvent is listening
            driver.Raise(3, PinEventTypes.Rising, 1, 1);
        }, TestContext.Current.CancellationToken);
        var result = gpio.WaitForEvent(3, PinEventTypes.Rising, TimeSpan.FromSeconds(30));
        await raised;

        Assert.False(result.TimedOut);
        Assert.Equal(PinEventTypes.Rising, result.EventTypes);
        Assert.Equal(0, driver.CallbackCount(3));
    }

    [Fact]
    public async Task WaitForEvent_may_unregister_while_the_edge_that_woke_it_is_still_being_delivered_on_the_event_thread()
    {
        // GpioLineDriver.WaitForEvent unregisters as soon as the edge wakes it, while the thread that raised the edge may
        // still be calling the line's other callbacks. A driver that walked its live callback list then threw "Collection
        // was modified" on its event thread, which ends the process (it did, as an xunit catastrophic failure).
        var driver = new FakeGpioDriver();
        using var gpio = new GpioChipController(driver);
        gpio.OpenPin(3, PinMode.Input);
        var laterCallbacks = 0;

        var delivery = Task.Run(() =>
        {
            WaitUntil(() => driver.CallbackCount(3) == 1); // WaitForEvent is listening
            gpio.RegisterCallbackForPinValueChangedEvent(3, PinEventTypes.Rising, (_, _) =>
            {
                // Called after WaitForEvent's own callback: return only once WaitForEvent has unregistered it.
                WaitUntil(() => driver.CallbackCount(3) == 1);
                Interlocked.Increment(ref laterCallbacks);
            });
            driver.Raise(3, PinEventTypes.Rising, 1, 1);
        }, TestContext.Current.CancellationToken);
        var result = gpio.WaitForEvent(3, PinEventTypes.Rising, TimeSpan.FromSeconds(30));
        await delivery;

        Assert.False(result.TimedOut);
        Assert.Equal(1, Volatile.Read(ref laterCallbacks));
    }

    private static void WaitUntil(Func<bool> condition)
    {
        var deadline = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(5), "condition not reached in time");
            Thread.Sleep(1);
        }
    }
}
