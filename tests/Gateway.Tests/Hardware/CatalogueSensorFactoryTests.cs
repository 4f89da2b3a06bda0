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
          "Devices": [ { "Name": "mcp", "Type": "Mcp9808", "Address": "0x19" }, { "Name": "sht4", "Type": "Sht4x", "Address": "0x45" } ] }
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
