using Gateway.Hardware.Interop;
using Gateway.Hardware.Linux;

namespace Gateway.Hardware.Tests.Linux;

/// <summary>
/// Opening devices on a machine without GPIO or I2C hardware: missing nodes give helpful errors, and a node that is
/// not the right kind of device is refused by the kernel's own ioctl answer (real open(2)/ioctl(2) calls).
/// </summary>
public class LinuxDeviceOpeningTests
{
    [Fact]
    public void Opening_a_missing_gpio_chip_is_device_not_found_naming_the_path()
    {
        using var board = new LinuxBoard();

        var ex = Assert.Throws<DeviceNotFoundException>(() => board.OpenGpioChip(99));

        Assert.Equal("/dev/gpiochip99", ex.Device);
        Assert.Equal(Errno.ENOENT, ex.Errno);
        Assert.StartsWith("/dev/gpiochip99 does not exist: no such GPIO chip on this board", ex.Message, StringComparison.Ordinal);
        Assert.EndsWith("(open: No such file or directory, errno 2)", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_driver_that_failed_to_open_leaves_no_finalizer_that_crashes_the_process_or_closes_a_reused_descriptor()
    {
        // System.Device.Gpio's GpioDriver has a finalizer calling Dispose(false). A constructor that throws leaves a
        // half-made driver; its finalizer dereferenced the event pump it never made (the process died with a
        // NullReferenceException on the finalizer thread) and would close a descriptor number already closed and
        // perhaps reused by then.
        FailToOpen();
        using var reused = File.OpenHandle(Path.GetTempFileName(), FileMode.Open, FileAccess.ReadWrite, FileShare.None, FileOptions.DeleteOnClose);

        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();

        RandomAccess.Write(reused, "still open"u8, 0); // throws if a finalizer closed the descriptor number
        Assert.Equal(10, RandomAccess.GetLength(reused));
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static void FailToOpen()
    {
        for (var i = 0; i < 3; i++)
        {
            Assert.Throws<DeviceNotFoundException>(() => new LinuxGpioDriver("/dev/gpiochip-absent"));
            Assert.ThrowsAny<HardwareException>(() => new LinuxGpioDriver("/dev/null")); // opened, then refused by the ioctl
        }
    }

    [Fact]
    public void Opening_a_missing_i2c_bus_says_how_to_enable_i2c()
    {
        using var board = new LinuxBoard();

        var ex = Assert.Throws<DeviceNotFoundException>(() => board.OpenI2cBus(99));

        Assert.Equal("/dev/i2c-99", ex.Device);
        Assert.Equal(Errno.ENOENT, ex.Errno);
        Assert.StartsWith("/dev/i2c-99 does not exist: is I2C enabled (raspi-config, or dtparam=i2c_arm=on in config.txt)", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_node_that_is_not_a_gpio_chip_is_refused_with_the_kernels_answer_to_the_chip_info_ioctl()
    {
        // /dev/null accepts open() but not GPIO_GET_CHIPINFO_IOCTL: the request reaches the kernel, which says ENOTTY.
        var ex = Assert.Throws<HardwareException>(() => new LinuxGpioDriver("/dev/null"));

        Assert.Equal(Errno.ENOTTY, ex.Errno);
        Assert.Equal("/dev/null", ex.Device);
        Assert.StartsWith("GPIO_GET_CHIPINFO_IOCTL on /dev/null failed: Inappropriate ioctl for device (errno 25)", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_node_that_is_not_an_i2c_adapter_is_refused_with_the_kernels_answer_to_i2c_funcs()
    {
        var ex = Assert.Throws<HardwareException>(() => new LinuxI2cBus(1, "/dev/null"));

        Assert.Equal(Errno.ENOTTY, ex.Errno);
        Assert.StartsWith("I2C_FUNCS on /dev/null failed: Inappropriate ioctl for device (errno 25)", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_failed_open_leaves_no_descriptor_behind()
    {
        var before = OpenDescriptors();
        for (var i = 0; i < 20; i++)
        {
            Assert.ThrowsAny<HardwareException>(() => new LinuxGpioDriver("/dev/null"));
            Assert.ThrowsAny<HardwareException>(() => new LinuxI2cBus(1, "/dev/null"));
            Assert.ThrowsAny<HardwareException>(() => new LinuxGpioDriver("/dev/gpiochip99"));
        }

        // Other tests run in parallel and open files too; a leak here would be 40 descriptors.
        Assert.True(OpenDescriptors() - before < 20, $"{before} descriptors before, {OpenDescriptors()} after");
    }

    [Fact]
    public void The_board_describes_itself_with_its_one_wire_root()
    {
        using var board = new LinuxBoard("/tmp/w1");

        Assert.Equal("Linux (/dev/gpiochipN, /dev/i2c-N, /tmp/w1)", board.Description);
        Assert.Equal("Linux (/dev/gpiochipN, /dev/i2c-N, /sys/bus/w1/devices)", new LinuxBoard().Description);
    }

    [Fact]
    public void A_negative_chip_or_bus_number_is_refused()
    {
        using var board = new LinuxBoard();

        Assert.Throws<ArgumentOutOfRangeException>(() => board.OpenGpioChip(-1));
        Assert.Throws<ArgumentOutOfRangeException>(() => board.OpenI2cBus(-1));
    }

    private static int OpenDescriptors() => Directory.GetFileSystemEntries("/proc/self/fd").Length;
}
