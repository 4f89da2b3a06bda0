using Gateway.Hardware.Devices.Ds18b20;
using Gateway.Hardware.Sensors;
using Gateway.Hardware.Tests.Devices.Fakes;

namespace Gateway.Hardware.Tests.Devices;

/// <summary>The DS18B20 binding: the w1_slave parser on real-format samples, and reads through a 1-Wire bus fake.</summary>
public class Ds18b20Tests
{
    private const string Id = "28-000005e2fdc3";
    private const string Good = "72 01 4b 46 7f ff 0e 10 57 : crc=57 YES\n72 01 4b 46 7f ff 0e 10 57 t=23125\n";

    [Theory]
    [InlineData(Good, 23.125)]
    [InlineData("5e ff 4b 46 7f ff 02 10 d8 : crc=d8 YES\n5e ff 4b 46 7f ff 02 10 d8 t=-10125\n", -10.125)]
    [InlineData("00 00 4b 46 7f ff 00 10 aa : crc=aa YES\n00 00 4b 46 7f ff 00 10 aa t=0\n", 0.0)]
    [InlineData("72 01 4b 46 7f ff 0e 10 57 : crc=57 YES\r\n72 01 4b 46 7f ff 0e 10 57 t=23125\r\n", 23.125)]
    [InlineData("d0 07 4b 46 1f ff 10 10 72 : crc=72 YES\n d0 07 4b 46 1f ff 10 10 72 t=125000", 125.0)] // 9-bit config 0x1F, top of range
    public void A_file_the_kernel_checked_reads_as_its_millidegrees(string content, double celsius)
        => Assert.Equal(celsius, Ds18b20.ParseW1Slave(content, Id));

    [Fact]
    public void A_crc_NO_is_a_checksum_error_quoting_the_verdict()
    {
        var ex = Assert.Throws<ChecksumException>(() =>
            Ds18b20.ParseW1Slave("72 01 4b 46 7f ff 0e 10 57 : crc=12 NO\n72 01 4b 46 7f ff 0e 10 57 t=23125\n", Id));
        Assert.Equal($"DS18B20 at 1-Wire {Id}: the kernel's CRC check of the scratchpad failed (crc=12 NO)", ex.Message);
        Assert.Equal(Id, ex.Device);
    }

    [Theory]
    [InlineData(85000, "85 °C, the power-on reset value")]
    [InlineData(127937, "127.937 °C, the power fault value")]
    [InlineData(-55125, "outside the DS18B20's range")]
    [InlineData(125063, "outside the DS18B20's range")]
    public void Power_on_power_fault_and_out_of_range_values_are_implausible(int milli, string what)
    {
        var ex = Assert.Throws<ImplausibleReadingException>(() =>
            Ds18b20.ParseW1Slave($"50 05 4b 46 7f ff 0c 10 1c : crc=1c YES\n50 05 4b 46 7f ff 0c 10 1c t={milli}\n", Id));
        Assert.Contains(what, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_all_zero_scratchpad_that_passes_the_crc_is_refused_as_a_probe_that_did_not_answer()
    {
        // Eight zero bytes have CRC 0, so w1_therm says YES and t=0 when the probe's data line reads low.
        var ex = Assert.Throws<ImplausibleReadingException>(() =>
            Ds18b20.ParseW1Slave("00 00 00 00 00 00 00 00 00 : crc=00 YES\n00 00 00 00 00 00 00 00 00 t=0\n", Id));
        Assert.Contains("configuration byte is 0x00", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("", "has 0 line(s), expected 2")]
    [InlineData("72 01 4b 46 7f ff 0e 10 57 : crc=57 YES", "has 1 line(s), expected 2")]
    [InlineData("72 01 4b 46 7f ff 0e 10 57 no verdict\n72 01 t=1000", "line 1 has no ': crc=XX YES|NO' verdict")]
    [InlineData("72 01 4b 46 7f ff 0e 10 57 : crc=57 MAYBE\nx t=1000", "ends in neither YES nor NO")]
    [InlineData("72 01 : crc=57 YES\n72 01 t=1000", "does not start with the 9 scratchpad bytes")]
    [InlineData("72 01 4b 46 7f ff 0e 10 zz : crc=57 YES\nx t=1000", "does not start with the 9 scratchpad bytes")]
    [InlineData("72 01 4b 46 7f ff 0e 10 57 : crc=57 YES\n72 01 4b 46 7f ff 0e 10 57 t=warm", "line 2 has no 't=<millidegrees>'")]
    public void A_malformed_file_is_a_hardware_error_saying_what_is_wrong(string content, string what)
    {
        var ex = Assert.Throws<HardwareException>(() => Ds18b20.ParseW1Slave(content, Id));
        Assert.StartsWith($"DS18B20 at 1-Wire {Id}: w1_slave", ex.Message, StringComparison.Ordinal);
        Assert.Contains(what, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_read_reports_temperature_in_celsius()
    {
        var bus = new FakeOneWireBus { Files = { [$"{Id}/w1_slave"] = Good } };
        using ISensor ds = new Ds18b20(bus, Id);

        var m = await ds.ReadAsync(CancellationToken.None);

        Assert.Equal([new Measurement("temperature", 23.125, Units.Celsius)], m);
        Assert.Equal($"DS18B20 at 1-Wire {Id}", ds.Description);
    }

    [Fact]
    public async Task A_missing_probe_is_the_buses_device_not_found_error_naming_the_probe_and_it_reads_again_when_back()
    {
        var bus = new FakeOneWireBus();
        using var ds = new Ds18b20(bus, Id);

        var ex = await Assert.ThrowsAsync<DeviceNotFoundException>(() => ds.ReadTemperatureAsync(CancellationToken.None).AsTask());
        Assert.Equal($"1-Wire slave {Id} is not present; DS18B20 at 1-Wire {Id} was reading w1_slave", ex.Message);
        Assert.Equal($"/sys/bus/w1/devices/{Id}/w1_slave", ex.Device);

        bus.Files[$"{Id}/w1_slave"] = Good;
        Assert.Equal(23.125, await ds.ReadTemperatureAsync(CancellationToken.None));
    }

    [Fact]
    public async Task A_crc_failure_on_the_bus_is_a_checksum_error_and_the_next_good_read_succeeds()
    {
        var bus = new FakeOneWireBus { Files = { [$"{Id}/w1_slave"] = Good.Replace("YES", "NO", StringComparison.Ordinal) } };
        using var ds = new Ds18b20(bus, Id);

        await Assert.ThrowsAsync<ChecksumException>(() => ds.ReadTemperatureAsync(CancellationToken.None).AsTask());
        bus.Files[$"{Id}/w1_slave"] = Good;
        Assert.Equal(23.125, await ds.ReadTemperatureAsync(CancellationToken.None));
    }
}
