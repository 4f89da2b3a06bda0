using Gateway.Hardware.Linux;

namespace Gateway.Hardware.Tests.Linux;

/// <summary>The w1 sysfs reader against a temporary folder shaped like /sys/bus/w1/devices.</summary>
public sealed class SysfsOneWireBusTests : IDisposable
{
    private const string Probe = "28-000005e2fdc3";
    private readonly string _root = Directory.CreateTempSubdirectory("gw-w1-").FullName;
    private readonly string _elsewhere = Directory.CreateTempSubdirectory("gw-w1-devices-").FullName;

    public void Dispose()
    {
        Directory.Delete(_root, recursive: true);
        Directory.Delete(_elsewhere, recursive: true);
    }

    [Fact]
    public void Slaves_are_listed_sorted_and_the_bus_master_and_other_entries_are_not()
    {
        Directory.CreateDirectory(Path.Combine(_root, "w1_bus_master1"));
        Directory.CreateDirectory(Path.Combine(_root, Probe));
        Directory.CreateDirectory(Path.Combine(_root, "10-000801b5a1f2"));
        Directory.CreateDirectory(Path.Combine(_root, "28-00000zzzzzzz"));
        File.WriteAllText(Path.Combine(_root, "uevent"), string.Empty);

        Assert.Equal(["10-000801b5a1f2", Probe], new SysfsOneWireBus(_root).EnumerateDevices());
    }

    [Fact]
    public void Slaves_shown_as_symbolic_links_as_sysfs_does_are_listed()
    {
        var device = Directory.CreateDirectory(Path.Combine(_elsewhere, Probe)).FullName;
        File.CreateSymbolicLink(Path.Combine(_root, Probe), device);

        Assert.Equal([Probe], new SysfsOneWireBus(_root).EnumerateDevices());
    }

    [Fact]
    public void The_family_filter_keeps_only_that_family()
    {
        Directory.CreateDirectory(Path.Combine(_root, Probe));
        Directory.CreateDirectory(Path.Combine(_root, "28-0000075d3a11"));
        Directory.CreateDirectory(Path.Combine(_root, "10-000801b5a1f2"));
        var bus = new SysfsOneWireBus(_root);

        Assert.Equal([Probe, "28-0000075d3a11"], bus.EnumerateDevices(0x28));
        Assert.Equal(["10-000801b5a1f2"], bus.EnumerateDevices(0x10));
        Assert.Empty(bus.EnumerateDevices(0x3A));
    }

    [Fact]
    public async Task A_slaves_file_is_read_whole()
    {
        var text = "72 01 4b 46 7f ff 0e 10 57 : crc=57 YES\n72 01 4b 46 7f ff 0e 10 57 t=23125\n";
        Directory.CreateDirectory(Path.Combine(_root, Probe));
        await File.WriteAllTextAsync(Path.Combine(_root, Probe, "w1_slave"), text, TestContext.Current.CancellationToken);

        Assert.Equal(text, await new SysfsOneWireBus(_root).ReadFileAsync(Probe, "w1_slave", TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task A_missing_slave_is_device_not_found_naming_the_path()
    {
        var ex = await Assert.ThrowsAsync<DeviceNotFoundException>(
            () => new SysfsOneWireBus(_root).ReadFileAsync(Probe, "w1_slave", TestContext.Current.CancellationToken));

        Assert.Equal($"1-Wire slave {Probe} is not present ({Path.Combine(_root, Probe)} does not exist)", ex.Message);
        Assert.Equal(Path.Combine(_root, Probe, "w1_slave"), ex.Device);
    }

    [Fact]
    public async Task A_missing_file_of_a_present_slave_is_device_not_found_naming_the_file()
    {
        Directory.CreateDirectory(Path.Combine(_root, Probe));

        var ex = await Assert.ThrowsAsync<DeviceNotFoundException>(
            () => new SysfsOneWireBus(_root).ReadFileAsync(Probe, "temperature", TestContext.Current.CancellationToken));

        Assert.Contains($"has no file temperature ({Path.Combine(_root, Probe, "temperature")} does not exist)", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_file_that_cannot_be_read_is_a_hardware_error_not_a_missing_device()
    {
        Directory.CreateDirectory(Path.Combine(_root, Probe, "w1_slave")); // a directory where a file should be

        var ex = await Assert.ThrowsAsync<HardwareException>(
            () => new SysfsOneWireBus(_root).ReadFileAsync(Probe, "w1_slave", TestContext.Current.CancellationToken));

        Assert.IsNotType<DeviceNotFoundException>(ex);
        Assert.StartsWith($"reading {Path.Combine(_root, Probe, "w1_slave")} failed", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("../../etc", "passwd")]
    [InlineData("..", "w1_slave")]
    [InlineData("28-000005e2fdc3/..", "w1_slave")]
    [InlineData("/etc", "passwd")]
    [InlineData(Probe, "../../../etc/passwd")]
    [InlineData(Probe, "driver/uevent")]
    [InlineData(Probe, "..")]
    [InlineData(" ", "w1_slave")]
    public async Task Names_that_would_leave_the_slaves_folder_are_refused(string deviceId, string fileName)
    {
        Directory.CreateDirectory(Path.Combine(_root, Probe));

        await Assert.ThrowsAnyAsync<ArgumentException>(
            () => new SysfsOneWireBus(_root).ReadFileAsync(deviceId, fileName, TestContext.Current.CancellationToken));
    }

    [Fact]
    public void A_missing_tree_says_one_wire_is_not_enabled()
    {
        var root = Path.Combine(_root, "absent");

        var ex = Assert.Throws<DeviceNotFoundException>(() => new SysfsOneWireBus(root).EnumerateDevices());

        Assert.Equal(root, ex.Device);
        Assert.StartsWith($"{root} does not exist: is 1-Wire enabled", ex.Message, StringComparison.Ordinal);
    }
}
