using Gateway.Hardware.Interop;

namespace Gateway.Hardware.Tests.Linux;

public class ErrnoMappingTests
{
    [Theory]
    [InlineData(Errno.ENXIO, typeof(BusNackException), "No such device or address")]
    [InlineData(Errno.EREMOTEIO, typeof(BusNackException), "Remote I/O error")]
    [InlineData(Errno.ETIMEDOUT, typeof(BusTimeoutException), "Connection timed out")]
    [InlineData(Errno.EBUSY, typeof(DeviceBusyException), "Device or resource busy")]
    [InlineData(Errno.ENOENT, typeof(DeviceNotFoundException), "No such file or directory")]
    [InlineData(Errno.ENODEV, typeof(DeviceNotFoundException), "No such device")]
    [InlineData(Errno.EIO, typeof(HardwareException), "Input/output error")]
    [InlineData(Errno.EINVAL, typeof(HardwareException), "Invalid argument")]
    [InlineData(Errno.EOPNOTSUPP, typeof(HardwareException), "Operation not supported")]
    public void An_errno_becomes_a_typed_error_naming_the_operation_the_device_and_the_errno_text(int errno, Type expected, string text)
    {
        var ex = Errno.ToException(errno, "I2C_RDWR", "/dev/i2c-1@0x76");

        Assert.IsType(expected, ex);
        Assert.Equal(errno, ex.Errno);
        Assert.Equal("/dev/i2c-1@0x76", ex.Device);
        Assert.Equal($"I2C_RDWR on /dev/i2c-1@0x76 failed: {text} (errno {errno})", ex.Message);
    }

    [Fact]
    public void A_hint_follows_the_errno_text()
    {
        var ex = Errno.ToException(Errno.EBUSY, "GPIO_V2_GET_LINE_IOCTL", "/dev/gpiochip0 line 17", "the line is held by 'spi0 CS0'");

        Assert.Equal("GPIO_V2_GET_LINE_IOCTL on /dev/gpiochip0 line 17 failed: Device or resource busy (errno 16); the line is held by 'spi0 CS0'", ex.Message);
    }

    [Fact]
    public void The_errno_of_a_failed_call_is_captured_exactly()
    {
        // The import sets SetLastError, so the errno survives until read (a stale or foreign value would show here).
        Assert.True(Libc.open("/nonexistent/gateway-test", Libc.O_RDWR | Libc.O_CLOEXEC) < 0);
        Assert.Equal(Errno.ENOENT, Errno.Last);

        Assert.True(Libc.close(-1) < 0);
        Assert.Equal(9, Errno.Last); // EBADF
    }
}
