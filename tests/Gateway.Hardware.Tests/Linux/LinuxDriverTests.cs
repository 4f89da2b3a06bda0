using Gateway.Hardware;
using Gateway.Hardware.Gpio;
using Gateway.Hardware.Interop;
using Gateway.Hardware.Linux;

namespace Gateway.Hardware.Tests.Linux;

/// <summary>What of the Linux drivers is testable without GPIO or I2C hardware: errors, configuration building, 1-Wire sysfs.</summary>
public sealed class LinuxDriverTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("gw-w1-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [InlineData(Libc.ENXIO, typeof(BusNackException))]
    [InlineData(Libc.EREMOTEIO, typeof(BusNackException))]
    [InlineData(Libc.ETIMEDOUT, typeof(BusTimeoutException))]
    [InlineData(Libc.EBUSY, typeof(DeviceBusyException))]
    [InlineData(Libc.ENOENT, typeof(DeviceNotFoundException))]
    [InlineData(Libc.ENODEV, typeof(DeviceNotFoundException))]
    [InlineData(Libc.EINVAL, typeof(HardwareException))]
    public void An_errno_becomes_a_typed_error_naming_the_device_and_the_errno_text(int errno, Type expected)
    {
        var ex = Errno.ToException(errno, "I2C_RDWR", "/dev/i2c-1@0x76");

        Assert.IsType(expected, ex);
        Assert.Equal(errno, ex.Errno);
        Assert.Equal("/dev/i2c-1@0x76", ex.Device);
        Assert.StartsWith("I2C_RDWR on /dev/i2c-1@0x76 failed: ", ex.Message, StringComparison.Ordinal);
        Assert.Contains($"(errno {errno})", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_i2c_adapter_says_how_to_enable_i2c()
    {
        var ex = Assert.Throws<DeviceNotFoundException>(() => new LinuxI2cBus(99));
        Assert.Contains("/dev/i2c-99 does not exist: is I2C enabled", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_gpio_chip_is_a_device_not_found_error()
    {
        var ex = Assert.Throws<DeviceNotFoundException>(() => new LinuxGpioDriver("/dev/gpiochip99"));
        Assert.Equal("/dev/gpiochip99", ex.Device);
    }

    [Theory]
    [InlineData(PinMode.Output, PinEventTypes.Rising, 1UL << 3)] // OUTPUT; edges are never set on outputs
    [InlineData(PinMode.Input, PinEventTypes.None, 1UL << 2)] // INPUT
    [InlineData(PinMode.InputPullUp, PinEventTypes.Falling, (1UL << 2) | (1UL << 8) | (1UL << 5))] // INPUT | BIAS_PULL_UP | EDGE_FALLING
    [InlineData(PinMode.InputPullDown, PinEventTypes.Rising | PinEventTypes.Falling, (1UL << 2) | (1UL << 9) | (1UL << 4) | (1UL << 5))]
    public void Line_flags_follow_the_uapi_rules(PinMode mode, PinEventTypes edges, ulong expected)
        => Assert.Equal(expected, (ulong)LineConfigBuilder.Flags(mode, edges));

    [Fact]
    public void An_output_request_carries_its_initial_value_as_an_attribute()
    {
        var config = LineConfigBuilder.Build(PinMode.Output, PinValue.High, PinEventTypes.None, TimeSpan.Zero);

        Assert.Equal(1u, config.NumAttrs);
        Assert.Equal((uint)GpioV2.AttributeId.OutputValues, config.Attrs[0].Attr.Id);
        Assert.Equal(1UL, config.Attrs[0].Attr.Values);
        Assert.Equal(1UL, config.Attrs[0].Mask);
    }

    [Fact]
    public void An_input_with_debounce_carries_the_period_in_microseconds()
    {
        var config = LineConfigBuilder.Build(PinMode.InputPullUp, PinValue.Low, PinEventTypes.Rising, TimeSpan.FromMilliseconds(20));

        Assert.Equal(1u, config.NumAttrs);
        Assert.Equal((uint)GpioV2.AttributeId.Debounce, config.Attrs[0].Attr.Id);
        Assert.Equal(20_000u, config.Attrs[0].Attr.DebouncePeriodUs);
    }

    [Fact]
    public async Task Sysfs_one_wire_lists_slaves_not_masters_and_reads_their_files()
    {
        Directory.CreateDirectory(Path.Combine(_dir, "w1_bus_master1"));
        Directory.CreateDirectory(Path.Combine(_dir, "28-000005e2fdc3"));
        Directory.CreateDirectory(Path.Combine(_dir, "10-000801b5a1f2"));
        await File.WriteAllTextAsync(Path.Combine(_dir, "28-000005e2fdc3", "w1_slave"), "content", TestContext.Current.CancellationToken);
        var bus = new SysfsOneWireBus(_dir);

        Assert.Equal(["10-000801b5a1f2", "28-000005e2fdc3"], bus.EnumerateDevices());
        Assert.Equal(["28-000005e2fdc3"], bus.EnumerateDevices(0x28));
        Assert.Equal("content", await bus.ReadFileAsync("28-000005e2fdc3", "w1_slave", TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Sysfs_one_wire_reports_a_missing_slave_and_refuses_paths_outside_the_tree()
    {
        var bus = new SysfsOneWireBus(_dir);

        var ex = await Assert.ThrowsAsync<DeviceNotFoundException>(() => bus.ReadFileAsync("28-000005e2fdc3", "w1_slave", TestContext.Current.CancellationToken));
        Assert.Contains("1-Wire slave 28-000005e2fdc3 is not present", ex.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<ArgumentException>(() => bus.ReadFileAsync("../../etc", "passwd", TestContext.Current.CancellationToken));
        await Assert.ThrowsAsync<ArgumentException>(() => bus.ReadFileAsync("28-000005e2fdc3", "../../passwd", TestContext.Current.CancellationToken));
        Assert.Empty(new SysfsOneWireBus(Path.Combine(_dir, "absent")).EnumerateDevices());
    }
}
