using Gateway.Configuration;
using Microsoft.Extensions.Configuration;

namespace Gateway.Tests.Configuration;

/// <summary>Catalogue sensors (Iot.Device.Bindings) are configured with the same keys as ours, checked against their datasheets.</summary>
public sealed class CatalogueSensorOptionsTests
{
    private static GatewayOptionsReader.Result Read(params (string Key, string Value)[] settings)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value)).Append(new("Gateway:DeviceId", "pi-01")))
            .Build();
        return GatewayOptionsReader.Read(configuration, "/work");
    }

    [Theory]
    [InlineData("Mcp9808", "0x18")]
    [InlineData("mcp9808", "0x1F")]
    [InlineData("Sht4x", "0x46")]
    [InlineData("Lm75", "0x4F")]
    [InlineData("Aht20", "0x38")]
    [InlineData("Aht10", "0x39")]
    [InlineData("Bmp280", "0x77")]
    [InlineData("Max44009", "0x4B")]
    [InlineData("Mlx90614", "0x5A")]
    [InlineData("Mlx90614", "0x2B")]
    [InlineData("Si7021", "0x40")]
    [InlineData("Shtc3", "0x70")]
    public void A_catalogue_sensor_takes_type_bus_address_interval_and_deadband_like_ours(string type, string address)
    {
        var result = Read(
            ("Gateway:Sensors:x:Type", type), ("Gateway:Sensors:x:Bus", "3"), ("Gateway:Sensors:x:Address", address),
            ("Gateway:Sensors:x:Interval", "30s"), ("Gateway:Sensors:x:Deadband:temperature", "0.2"));

        Assert.Empty(result.Problems);
        var sensor = Assert.Single(result.Options.Sensors);
        Assert.Equal((3, Convert.ToInt32(address, 16), TimeSpan.FromSeconds(30), 0.2), (sensor.Bus, sensor.Address, sensor.Interval, sensor.Deadbands["temperature"]));
        Assert.Contains(sensor.Type, SensorTypes.Catalogue);
    }

    [Theory]
    [InlineData("Mcp9808", "0x20", "the Mcp9808 address 0x18 or 0x19 or 0x1A or 0x1B or 0x1C or 0x1D or 0x1E or 0x1F")]
    [InlineData("Sht4x", "0x47", "the Sht4x address 0x44 or 0x45 or 0x46")]
    [InlineData("Aht20", "0x39", "the Aht20 address 0x38")]
    [InlineData("Si7021", "0x41", "the Si7021 address 0x40")]
    [InlineData("Shtc3", "0x71", "the Shtc3 address 0x70")]
    [InlineData("Mlx90614", "0x78", "the Mlx90614 address 0x5A (its default) or another 0x08–0x77 programmed into it")]
    public void A_catalogue_sensor_at_an_address_its_datasheet_does_not_allow_is_refused_naming_the_key(string type, string address, string allowed)
    {
        var problem = Assert.Single(Read(("Gateway:Sensors:x:Type", type), ("Gateway:Sensors:x:Address", address)).Problems);

        Assert.Equal("Gateway:Sensors:x:Address", problem.Key);
        Assert.Equal(address, problem.Value);
        Assert.Contains(allowed, problem.Allowed, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unknown_type_is_refused_naming_the_key_and_listing_the_catalogue_types()
    {
        var problem = Assert.Single(Read(("Gateway:Sensors:x:Type", "Bme681"), ("Gateway:Sensors:x:Address", "0x76")).Problems);

        Assert.Equal("Gateway:Sensors:x:Type", problem.Key);
        Assert.Contains("Mcp9808, Sht4x, Lm75, Aht20, Aht10, Bmp280, Max44009, Mlx90614, Si7021, Shtc3, CpuTemperature", problem.Allowed, StringComparison.Ordinal);
    }

    [Fact]
    public void A_catalogue_chip_and_one_of_ours_on_the_same_bus_address_are_refused()
    {
        var problem = Assert.Single(Read(
            ("Gateway:Sensors:adc:Type", "Ads1115"), ("Gateway:Sensors:adc:Address", "0x48"), ("Gateway:Sensors:adc:Channels:0", "soil"),
            ("Gateway:Sensors:t:Type", "Lm75"), ("Gateway:Sensors:t:Address", "0x48")).Problems);

        Assert.Equal("Gateway:Sensors:t", problem.Key);
        Assert.Contains("sensor 'adc' already uses i2c-1@0x48", problem.Allowed, StringComparison.Ordinal);
    }

    [Fact]
    public void The_CPU_temperature_needs_no_bus_or_address_and_only_one_can_be_configured()
    {
        var one = Read(("Gateway:Sensors:cpu:Type", "CpuTemperature"), ("Gateway:Sensors:cpu:Interval", "1m"));
        Assert.Empty(one.Problems);
        Assert.Equal("cpu thermal_zone0", Assert.Single(one.Options.Sensors).Location);

        var two = Read(("Gateway:Sensors:cpu:Type", "CpuTemperature"), ("Gateway:Sensors:cpu2:Type", "CpuTemperature"));
        Assert.Equal("Gateway:Sensors:cpu2", Assert.Single(two.Problems).Key);
    }
}
