using Gateway.Configuration;
using Gateway.FirmwareSim.Board;
using Gateway.FirmwareSim.Faults;
using Gateway.FirmwareSim.Scenarios;
using Gateway.Hardware;
using Gateway.Hardware.Sensors;
using Gateway.Sampling;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gateway.Tests.Hardware;

/// <summary>
/// Configuration → <see cref="SensorFactory"/> → Iot.Device.Bindings binding → simulated chip model → reading, and a chip
/// fault through the sampler's health machinery. The upstream bindings wait with Thread.Sleep: the board runs on the
/// system clock.
/// </summary>
public sealed class CatalogueSensorFactoryTests : IDisposable
{
    private readonly SimulatedBoard _board = new(ScenarioLoader.Parse(
        """
        { "Name": "catalogue", "Environment": { "TemperatureMean": 18.2, "TemperatureSwing": 0.2, "Noise": 0, "HumidityMean": 60, "HumiditySwing": 1 },
          "Devices": [ { "Name": "mcp", "Type": "Mcp9808", "Address": "0x19" }, { "Name": "sht4", "Type": "Sht4x", "Address": "0x45" },
                       { "Name": "lm75", "Type": "Lm75", "Address": "0x49" }, { "Name": "aht20", "Type": "Aht20", "Address": "0x38" },
                       { "Name": "aht10", "Type": "Aht10", "Address": "0x39" }, { "Name": "bmp", "Type": "Bmp280", "Address": "0x76" },
                       { "Name": "lux", "Type": "Max44009", "Address": "0x4B" }, { "Name": "ir", "Type": "Mlx90614", "Address": "0x5A" },
                       { "Name": "si", "Type": "Si7021", "Address": "0x40" }, { "Name": "shtc3", "Type": "Shtc3", "Address": "0x70" } ] }
        """, "test"), TimeProvider.System);

    private readonly SensorFactory _factory;

    public CatalogueSensorFactoryTests() => _factory = new SensorFactory(_board, TimeProvider.System);

    public void Dispose()
    {
        _factory.Dispose();
        _board.Dispose();
    }

    private static IReadOnlyList<SensorOptions> Configure(params (string Key, string Value)[] settings)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value)).Append(new("Gateway:DeviceId", "pi-01")))
            .Build();
        var result = GatewayOptionsReader.Read(configuration, "/work");
        Assert.Empty(result.Problems);
        return result.Options.Sensors;
    }

    [Fact]
    public async Task Configured_MCP9808_SHT4x_and_CPU_temperature_read_the_simulated_board_in_SenML_units()
    {
        var sensors = Configure(
            ("Gateway:Sensors:probe:Type", "Mcp9808"), ("Gateway:Sensors:probe:Address", "0x19"),
            ("Gateway:Sensors:air:Type", "Sht4x"), ("Gateway:Sensors:air:Address", "0x45"),
            ("Gateway:Sensors:cpu:Type", "CpuTemperature"));
        await Task.Delay(300, TestContext.Current.CancellationToken); // the MCP9808's first conversion: 250 ms

        var readings = new Dictionary<string, IReadOnlyList<Measurement>>();
        foreach (var options in sensors)
        {
            using var sensor = _factory.Create(options);
            readings[options.Id] = await sensor.ReadAsync(TestContext.Current.CancellationToken);
        }

        // The scenario's air is 18.2 ± 0.2 °C, 60 ± 1 %RH; the simulated CPU runs SimulatedBoard.CpuAboveAmbient warmer.
        Assert.InRange(Single(readings["probe"], "temperature", "Cel"), 17.9375, 18.4625);
        Assert.InRange(Single(readings["air"], "temperature", "Cel"), 17.99, 18.41);
        Assert.InRange(Single(readings["air"], "humidity", "%RH"), 58.99, 61.01);
        Assert.InRange(Single(readings["cpu"], "temperature", "Cel"), 18 + SimulatedBoard.CpuAboveAmbient, 18.4 + SimulatedBoard.CpuAboveAmbient);
    }

    [Fact]
    public async Task A_NACK_from_a_catalogue_chip_marks_the_sensor_failing_in_the_sampler_and_a_good_read_recovers_it()
    {
        var options = Assert.Single(Configure(("Gateway:Sensors:air:Type", "Sht4x"), ("Gateway:Sensors:air:Address", "0x45")));
        var sink = new HealthSink();
        var loop = new SensorLoop(options.Id, options.Interval, () => _factory.Create(options), new ReportFilter(options.Deadbands, options.MaxSilence),
            sink, TimeProvider.System, TimeSpan.FromSeconds(5), NullLogger.Instance);

        _board.Faults.Add(FaultSpec.Parse("nack sht4"), _board.Time.GetUtcNow());
        var failed = await loop.ReadOnceAsync(TestContext.Current.CancellationToken);

        Assert.Null(failed.Values);
        Assert.Equal(HealthState.Failing, loop.State);
        var change = Assert.Single(sink.Changes);
        Assert.Contains("no acknowledge from i2c-1@0x45", change.Message, StringComparison.Ordinal);
        Assert.Contains("SHT4x at i2c-1@0x45", change.Message, StringComparison.Ordinal);

        _board.Faults.Clear("sht4");
        var recovered = await loop.ReadOnceAsync(TestContext.Current.CancellationToken);

        Assert.NotNull(recovered.Values);
        Assert.Equal(HealthState.Ok, loop.State);
        Assert.Equal(2, sink.Readings);
    }

    [Theory]
    [InlineData("Mcp9808", "0x19")]
    [InlineData("Sht4x", "0x45")]
    [InlineData("Lm75", "0x49")]
    [InlineData("Aht20", "0x38")]
    [InlineData("Aht10", "0x39")]
    [InlineData("Bmp280", "0x76")]
    [InlineData("Max44009", "0x4B")]
    [InlineData("Mlx90614", "0x5A")]
    [InlineData("Si7021", "0x40")]
    [InlineData("Shtc3", "0x70")]
    [InlineData("CpuTemperature", null)]
    public async Task Every_catalogue_type_reads_its_simulated_chip_and_reports_the_quantities_discovery_announces(string type, string? address)
    {
        var settings = new List<(string, string)> { ("Gateway:Sensors:s:Type", type) };
        if (address is not null)
        {
            settings.Add(("Gateway:Sensors:s:Address", address));
        }

        var options = Assert.Single(Configure([.. settings]));
        using var sensor = _factory.Create(options);
        await Task.Delay(900, TestContext.Current.CancellationToken); // the slowest first conversion: MAX44009, 800 ms

        var values = await sensor.ReadAsync(TestContext.Current.CancellationToken);

        Assert.Equal(Gateway.Links.Mqtt.HomeAssistantDiscovery.Quantities(options), values.Select(v => (v.Quantity, v.Unit)));
        Assert.All(values, v => Assert.True(double.IsFinite(v.Value)));
    }

    private static double Single(IReadOnlyList<Measurement> values, string quantity, string unit)
    {
        var m = Assert.Single(values, v => v.Quantity == quantity);
        Assert.Equal(unit, m.Unit);
        return m.Value;
    }

    private sealed class HealthSink : IReadingSink
    {
        public List<HealthChange> Changes { get; } = [];

        public int Readings { get; private set; }

        public void Accept(in SampledReading reading) => Readings++;

        public void AcceptHealth(HealthChange change, DateTimeOffset timestamp) => Changes.Add(change);
    }
}
