using Gateway.Hardware.Devices;

namespace Gateway.Hardware.Tests.Devices;

public class DeviceErrorsTests
{
    public static TheoryData<HardwareException> BusErrors() =>
    [
        new BusNackException("nack", "i2c-1@0x76", 121),
        new BusTimeoutException("timeout", "i2c-1@0x76", 110),
        new DeviceNotFoundException("gone", "i2c-1@0x76", 19),
        new DeviceBusyException("busy", "i2c-1@0x76", 16),
        new HardwareException("other", "i2c-1@0x76", 5),
    ];

    [Theory]
    [MemberData(nameof(BusErrors))]
    public void A_bus_error_keeps_its_exact_type_device_and_errno_and_gains_the_chip_and_the_step(HardwareException cause)
    {
        var named = DeviceErrors.Named(cause, "BME280 at i2c-1@0x76", "i2c-1@0x76", "reading id (0xD0)");

        Assert.Equal(cause.GetType(), named.GetType());
        Assert.Equal($"{cause.Message}; BME280 at i2c-1@0x76 was reading id (0xD0)", named.Message);
        Assert.Equal(cause.Device, named.Device);
        Assert.Equal(cause.Errno, named.Errno);
    }

    [Fact]
    public void Without_a_device_from_the_bus_the_chips_location_is_used()
        => Assert.Equal("i2c-1@0x44", DeviceErrors.Named(new BusNackException("nack"), "SHT3x at i2c-1@0x44", "i2c-1@0x44", "x").Device);

    [Fact]
    public void An_unknown_subclass_is_passed_on_unchanged()
    {
        var cause = new CustomNack();
        Assert.Same(cause, DeviceErrors.Named(cause, "d", "l", "o"));
    }

    private sealed class CustomNack : BusNackException;
}
