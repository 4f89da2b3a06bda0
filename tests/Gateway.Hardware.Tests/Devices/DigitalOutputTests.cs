using System.Device.Gpio;
using Gateway.Hardware.Devices.DigitalOutput;
using Gateway.Hardware.Gpio;
using Gateway.Hardware.Sensors;
using Gateway.Hardware.Tests.Devices.Fakes;

namespace Gateway.Hardware.Tests.Devices;

/// <summary>The digital output binding against a fake GPIO driver that records every call.</summary>
public sealed class DigitalOutputTests : IDisposable
{
    private readonly FakeGpioDriver _driver = new();
    private readonly GpioChipController _gpio;

    public DigitalOutputTests() => _gpio = new GpioChipController(_driver);

    public void Dispose() => _gpio.Dispose();

    [Theory]
    [InlineData(false, false, "mode 22 Output Low")]  // active-high, safe off
    [InlineData(true, false, "mode 22 Output High")]  // active-low relay board, safe off
    [InlineData(false, true, "mode 22 Output High")]  // active-high, safe on
    [InlineData(true, true, "mode 22 Output Low")]    // active-low, safe on
    public void The_line_is_opened_already_in_its_safe_state_without_a_write_before(bool activeLow, bool safeOn, string mode)
    {
        using var output = new DigitalOutput("relay", _gpio, 22, activeLow, safeOn);

        // GpioController.OpenPin(pin, Output, value): the line is claimed as it is, then made an output at the value.
        Assert.Equal(["open 22", mode], _driver.Calls);
        Assert.Equal(safeOn, output.IsOn);
    }

    [Fact]
    public async Task On_drives_an_active_low_line_low_and_reads_as_state_1()
    {
        using var relay = new DigitalOutput("relay", _gpio, 22, activeLow: true, safeOn: false);

        relay.Set(true);

        Assert.Equal(PinValue.Low, _driver.Levels[22]);
        Assert.True(relay.IsOn);
        Assert.Equal([new Measurement("state", 1, Units.None)], await relay.ReadAsync(CancellationToken.None));

        relay.Set(false);
        Assert.Equal(PinValue.High, _driver.Levels[22]);
        Assert.Equal([new Measurement("state", 0, Units.None)], await relay.ReadAsync(CancellationToken.None));
    }

    [Fact]
    public void Disposing_drives_the_safe_state_then_releases_the_line_once()
    {
        var relay = new DigitalOutput("relay", _gpio, 22, activeLow: true, safeOn: false);
        relay.Set(true);

        relay.Dispose();
        relay.Dispose();

        Assert.Equal(["open 22", "mode 22 Output High", "write 22 Low", "write 22 High", "close 22"], _driver.Calls);
        Assert.False(_gpio.IsPinOpen(22));
        Assert.Throws<ObjectDisposedException>(() => relay.Set(true));
    }

    [Fact]
    public void When_the_safe_state_cannot_be_driven_the_line_is_still_released()
    {
        var relay = new DigitalOutput("relay", _gpio, 22, activeLow: false, safeOn: false);
        _driver.WriteFault = new HardwareException("write failed", "gpiochip-fake line 22");

        relay.Dispose();

        Assert.Equal("close 22", _driver.Calls[^1]);
    }

    [Fact]
    public void A_line_held_by_another_user_is_busy()
    {
        _driver.Busy.Add(22);
        Assert.Throws<DeviceBusyException>(() => new DigitalOutput("relay", _gpio, 22, activeLow: false, safeOn: false));
    }

    [Fact]
    public void The_output_is_named_and_described_by_its_line()
    {
        using var led = new DigitalOutput("status_led", _gpio, 5, activeLow: false, safeOn: false);
        Assert.Equal("status_led", led.Name);
        Assert.Equal("output status_led at gpiochip-fake line 5", led.Description);
        Assert.Equal(PinValue.High, led.Level(true));
        Assert.Equal(PinValue.Low, led.Level(false));
    }
}
