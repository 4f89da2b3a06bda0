using Gateway.Configuration;
using Microsoft.Extensions.Configuration;

namespace Gateway.Tests.Configuration;

public class SensorOptionsReaderTests
{
    private static GatewayOptionsReader.Result Read(params (string Key, string Value)[] settings)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value)).Append(new("Gateway:DeviceId", "pi-01")))
            .Build();
        return GatewayOptionsReader.Read(configuration, "/work");
    }

    [Fact]
    public void The_repository_default_board_is_valid_and_has_one_of_each_of_our_own_kinds_and_no_catalogue_sensor()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "appsettings.json");
        var configuration = new ConfigurationBuilder().AddJsonFile(path).Build();

        var result = GatewayOptionsReader.Read(configuration, "/work");

        Assert.Empty(result.Problems);
        Assert.Empty(result.UnknownKeys);
        Assert.Equal(Enum.GetValues<SensorType>().Where(t => !SensorTypes.Catalogue.Contains(t)).Order(), result.Options.Sensors.Select(s => s.Type).Distinct().Order());
        Assert.Contains(result.Options.Outputs, o => o.Id == "relay");
        Assert.Contains(result.Options.Outputs, o => o.Id == "led");
    }

    [Fact]
    public void An_I2C_sensor_reads_bus_address_in_hex_or_decimal_and_inherits_the_default_interval()
    {
        var result = Read(
            ("Gateway:Sampling:Interval", "7s"),
            ("Gateway:Sensors:env:Type", "Bme280"), ("Gateway:Sensors:env:Address", "0x77"),
            ("Gateway:Sensors:rh:Type", "sht3x"), ("Gateway:Sensors:rh:Address", "68"), ("Gateway:Sensors:rh:Bus", "3"), ("Gateway:Sensors:rh:Interval", "1s"));

        Assert.Empty(result.Problems);
        var env = Assert.Single(result.Options.Sensors, s => s.Id == "env");
        Assert.Equal((1, 0x77, TimeSpan.FromSeconds(7)), (env.Bus, env.Address, env.Interval));
        var rh = Assert.Single(result.Options.Sensors, s => s.Id == "rh");
        Assert.Equal((3, 0x44, TimeSpan.FromSeconds(1), "i2c-3@0x44"), (rh.Bus, rh.Address, rh.Interval, rh.Location));
    }

    [Theory]
    [InlineData("Gateway:Sensors:x:Type", "Bme281", "Gateway:Sensors:x:Type", "one of Bme280, Sht3x, Bh1750, Ads1115, Ds18b20, DigitalInput")]
    [InlineData("Gateway:Sensors:x:Address", "0x40", "Gateway:Sensors:x:Address", "the Bme280 address 0x76 or 0x77")]
    [InlineData("Gateway:Sensors:x:Address", "0x1FF", "Gateway:Sensors:x:Address", "the Bme280 address 0x76 or 0x77")]
    [InlineData("Gateway:Sensors:x:Interval", "-1s", "Gateway:Sensors:x:Interval", "a duration from 10ms to 1d")]
    [InlineData("Gateway:Sensors:x:Bus", "-1", "Gateway:Sensors:x:Bus", "a whole number from 0 to 255")]
    public void A_bad_sensor_value_names_the_full_key_and_what_is_allowed(string key, string value, string problemKey, string allowed)
    {
        var settings = new Dictionary<string, string> { ["Gateway:Sensors:x:Type"] = "Bme280", ["Gateway:Sensors:x:Address"] = "0x76" };
        settings[key] = value;

        var problem = Assert.Single(Read([.. settings.Select(kv => (kv.Key, kv.Value))]).Problems);

        Assert.Equal(problemKey, problem.Key);
        Assert.Contains(allowed, problem.Allowed, StringComparison.Ordinal);
    }

    [Fact]
    public void A_sensor_without_a_type_is_a_problem()
    {
        var problem = Assert.Single(Read(("Gateway:Sensors:x:Address", "0x76")).Problems);
        Assert.Equal("Gateway:Sensors:x:Type", problem.Key);
        Assert.Null(problem.Value);
    }

    [Fact]
    public void Two_sensors_on_one_bus_address_are_refused()
    {
        var problem = Assert.Single(Read(
            ("Gateway:Sensors:a:Type", "Bme280"), ("Gateway:Sensors:a:Address", "0x76"),
            ("Gateway:Sensors:b:Type", "Bme280"), ("Gateway:Sensors:b:Address", "0x76")).Problems);

        Assert.Equal("Gateway:Sensors:b", problem.Key);
        Assert.Contains("sensor 'a' already uses i2c-1@0x76", problem.Allowed, StringComparison.Ordinal);
    }

    [Fact]
    public void An_input_and_an_output_on_one_GPIO_line_are_refused()
    {
        var problem = Assert.Single(Read(
            ("Gateway:Sensors:door:Type", "DigitalInput"), ("Gateway:Sensors:door:Pin", "GPIO17"),
            ("Gateway:Outputs:relay:Pin", "GPIO17")).Problems);

        Assert.Equal("Gateway:Outputs:relay:Pin", problem.Key);
        Assert.Contains("Gateway:Sensors:door:Pin already uses gpiochip0 GPIO17", problem.Allowed, StringComparison.Ordinal);
    }

    [Fact]
    public void A_digital_input_reads_pull_debounce_and_edges()
    {
        var result = Read(
            ("Gateway:Sensors:flow:Type", "DigitalInput"), ("Gateway:Sensors:flow:Pin", "27"),
            ("Gateway:Sensors:flow:Pull", "Down"), ("Gateway:Sensors:flow:Debounce", "2ms"), ("Gateway:Sensors:flow:Edges", "Rising"));

        Assert.Empty(result.Problems);
        var flow = Assert.Single(result.Options.Sensors);
        Assert.Equal(("27", PullMode.Down, TimeSpan.FromMilliseconds(2), EdgeKind.Rising), (flow.Pin, flow.Pull, flow.Debounce, flow.Edges));
    }

    [Fact]
    public void ADS1115_channels_map_channel_numbers_to_quantities()
    {
        var result = Read(
            ("Gateway:Sensors:adc:Type", "Ads1115"), ("Gateway:Sensors:adc:Address", "0x48"),
            ("Gateway:Sensors:adc:Channels:0", "soil_moisture"), ("Gateway:Sensors:adc:Channels:3", "battery"),
            ("Gateway:Sensors:adc:FullScale", "2.048"));

        Assert.Empty(result.Problems);
        var adc = Assert.Single(result.Options.Sensors);
        Assert.Equal("soil_moisture", adc.Channels[0]);
        Assert.Equal("battery", adc.Channels[3]);
        Assert.Equal(2.048, adc.FullScale);
    }

    [Theory]
    [InlineData("Gateway:Sensors:adc:Channels:4", "x", "a channel 0, 1, 2 or 3")]
    [InlineData("Gateway:Sensors:adc:FullScale", "5", "one of the ADS1115 ranges")]
    public void ADS1115_channels_and_ranges_outside_the_datasheet_are_refused(string key, string value, string allowed)
    {
        var result = Read(("Gateway:Sensors:adc:Type", "Ads1115"), ("Gateway:Sensors:adc:Address", "0x48"), ("Gateway:Sensors:adc:Channels:0", "a"), (key, value));
        Assert.Contains(result.Problems, p => p.Allowed.Contains(allowed, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("28-000005e2fdc3", true)]
    [InlineData("28-000005e2fdc", false)]
    [InlineData("28_000005e2fdc3", false)]
    [InlineData("../../etc/passwd", false)]
    public void A_DS18B20_needs_a_well_formed_1_wire_id(string device, bool valid)
    {
        var result = Read(("Gateway:Sensors:t:Type", "Ds18b20"), ("Gateway:Sensors:t:Device", device));
        Assert.Equal(valid, result.Problems.Count == 0);
    }

    [Fact]
    public void An_output_reads_its_safe_state_and_polarity()
    {
        var result = Read(("Gateway:Outputs:pump:Pin", "GPIO5"), ("Gateway:Outputs:pump:ActiveLow", "true"), ("Gateway:Outputs:pump:SafeState", "on"));

        Assert.Empty(result.Problems);
        var pump = Assert.Single(result.Options.Outputs);
        Assert.True(pump.ActiveLow);
        Assert.True(pump.SafeOn);
    }

    [Fact]
    public void An_output_with_a_bad_safe_state_is_refused()
    {
        var problem = Assert.Single(Read(("Gateway:Outputs:pump:Pin", "GPIO5"), ("Gateway:Outputs:pump:SafeState", "maybe")).Problems);
        Assert.Equal("Gateway:Outputs:pump:SafeState", problem.Key);
    }

    [Fact]
    public void Deadbands_are_read_per_quantity_with_a_max_silence()
    {
        var result = Read(
            ("Gateway:Sensors:env:Type", "Bme280"), ("Gateway:Sensors:env:Address", "0x76"),
            ("Gateway:Sensors:env:Deadband:temperature", "0.2"), ("Gateway:Sensors:env:Deadband:Pressure", "50"),
            ("Gateway:Sensors:env:MaxSilence", "10m"));

        Assert.Empty(result.Problems);
        var env = Assert.Single(result.Options.Sensors);
        Assert.Equal(0.2, env.Deadbands["temperature"]);
        Assert.Equal(50, env.Deadbands["pressure"]);
        Assert.Equal(TimeSpan.FromMinutes(10), env.MaxSilence);
    }

    [Theory]
    [InlineData("-1")]
    [InlineData("lots")]
    [InlineData("NaN")]
    public void A_negative_or_non_numeric_deadband_is_refused(string value)
    {
        var problem = Assert.Single(Read(
            ("Gateway:Sensors:env:Type", "Bme280"), ("Gateway:Sensors:env:Address", "0x76"),
            ("Gateway:Sensors:env:Deadband:temperature", value)).Problems);
        Assert.Equal("Gateway:Sensors:env:Deadband:temperature", problem.Key);
    }
}
