using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Gateway.IntegrationTests.Infrastructure;

namespace Gateway.IntegrationTests.Hardware;

/// <summary>
/// Every catalogue sensor (Iot.Device.Bindings 4.2.0 bindings) configured in the gateway process, on a simulated board
/// that has their chips, delivers each of its quantities upstream with a value the scenario explains. Run against the
/// NativeAOT binary too (tests/run.sh's native pass), it proves the trimmed UnitsNet paths the catalogue takes
/// (src/Gateway/Trimming/UnitsNet.substitutions.xml) still work as shipped.
/// </summary>
public sealed partial class CatalogueSensorTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    /// <summary>The default scenario's board plus one of each catalogue chip, at addresses the default devices leave free.</summary>
    private const string Scenario = """
        {
          "Name": "catalogue",
          "Seed": 7,
          "Environment": {
            "TemperatureMean": 21.5, "TemperatureSwing": 3, "Noise": 0.05,
            "HumidityMean": 45, "HumiditySwing": 8,
            "PressureMean": 101325, "PressureDrift": 400,
            "LightMax": 12000
          },
          "Devices": [
            { "Name": "mcp", "Type": "Mcp9808", "Bus": 1, "Address": "0x18" },
            { "Name": "sht4", "Type": "Sht4x", "Bus": 1, "Address": "0x45" },
            { "Name": "lm75", "Type": "Lm75", "Bus": 1, "Address": "0x49" },
            { "Name": "aht20", "Type": "Aht20", "Bus": 1, "Address": "0x38" },
            { "Name": "aht10", "Type": "Aht10", "Bus": 2, "Address": "0x38" },
            { "Name": "lux", "Type": "Max44009", "Bus": 1, "Address": "0x4A" },
            { "Name": "ir", "Type": "Mlx90614", "Bus": 1, "Address": "0x5A", "Offset": 11.5 },
            { "Name": "bmp", "Type": "Bmp280", "Bus": 1, "Address": "0x77" },
            { "Name": "si", "Type": "Si7021", "Bus": 1, "Address": "0x40" },
            { "Name": "shtc3", "Type": "Shtc3", "Bus": 1, "Address": "0x70" }
          ],
          "Faults": []
        }
        """;

    /// <summary>Sensor id, type, address arguments, and the (quantity, unit, lowest, highest) each must deliver.</summary>
    private static readonly (string Id, string Type, string[] Where, (string Quantity, string Unit, double Min, double Max)[] Expect)[] Sensors =
    [
        ("c_mcp", "Mcp9808", ["Bus=1", "Address=0x18"], [("temperature", "Cel", 15, 28)]),
        ("c_sht4", "Sht4x", ["Bus=1", "Address=0x45"], [("temperature", "Cel", 15, 28), ("humidity", "%RH", 30, 60)]),
        ("c_lm75", "Lm75", ["Bus=1", "Address=0x49"], [("temperature", "Cel", 15, 28)]),
        ("c_aht20", "Aht20", ["Bus=1", "Address=0x38"], [("temperature", "Cel", 15, 28), ("humidity", "%RH", 30, 60)]),
        ("c_aht10", "Aht10", ["Bus=2", "Address=0x38"], [("temperature", "Cel", 15, 28), ("humidity", "%RH", 30, 60)]),
        ("c_lux", "Max44009", ["Bus=1", "Address=0x4A"], [("illuminance", "lx", 0, 13_000)]),
        ("c_ir", "Mlx90614", ["Bus=1", "Address=0x5A"], [("temperature", "Cel", 26, 40), ("ambient_temperature", "Cel", 15, 28)]),
        ("c_bmp", "Bmp280", ["Bus=1", "Address=0x77"], [("temperature", "Cel", 15, 28), ("pressure", "Pa", 99_000, 103_500)]),
        ("c_si", "Si7021", ["Bus=1", "Address=0x40"], [("temperature", "Cel", 15, 28), ("humidity", "%RH", 30, 60)]),
        ("c_shtc3", "Shtc3", ["Bus=1", "Address=0x70"], [("temperature", "Cel", 15, 28), ("humidity", "%RH", 30, 60)]),
        ("c_cpu", "CpuTemperature", [], [("temperature", "Cel", 35, 48)]),
    ];

    [Fact]
    public async Task Every_catalogue_sensor_delivers_each_of_its_quantities_with_a_value_the_scenario_explains()
    {
        var scenario = _dir.File("catalogue.json");
        await File.WriteAllTextAsync(scenario, Scenario, TestContext.Current.CancellationToken);
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        string[] args =
        [
            "--Gateway:DeviceId=catalogue-01",
            "--Gateway:Sampling:Interval=200ms",
            $"--Gateway:Hardware:Scenario={scenario}",
            $"--Gateway:Upstream:Tcp:Endpoint=127.0.0.1:{port}",
            "--Gateway:Upstream:Tcp:Format=InfluxLine",
            "--Gateway:Upstream:Tcp:Plain=true",
            .. Sensors.SelectMany(s => (string[])[$"--Gateway:Sensors:{s.Id}:Type={s.Type}", .. s.Where.Select(w => $"--Gateway:Sensors:{s.Id}:{w}")]),
        ];
        using var gateway = GatewayProcess.Start(_dir.Path, args);

        var missing = Sensors.SelectMany(s => s.Expect.Select(e => (s.Id, e.Quantity))).ToHashSet();
        var seen = new List<string>();
        using (var limit = new CancellationTokenSource(Timeout))
        {
            try
            {
                using var client = await listener.AcceptTcpClientAsync(limit.Token);
                using var reader = new StreamReader(client.GetStream());
                while (missing.Count > 0)
                {
                    var line = await reader.ReadLineAsync(limit.Token) ?? throw new InvalidOperationException("the gateway closed the connection");
                    var m = InfluxPattern().Match(line);
                    Assert.True(m.Success, $"not line protocol: {line}");
                    var sensor = Sensors.FirstOrDefault(s => s.Id == m.Groups["sensor"].Value);
                    if (sensor.Id is null)
                    {
                        continue; // one of the default appsettings.json's sensors
                    }

                    var quantity = m.Groups["measurement"].Value;
                    var expect = Assert.Single(sensor.Expect, e => e.Quantity == quantity);
                    Assert.Equal(expect.Unit, m.Groups["unit"].Value);
                    var value = double.Parse(m.Groups["value"].Value, CultureInfo.InvariantCulture);
                    Assert.True(value >= expect.Min && value <= expect.Max, $"{sensor.Id} ({sensor.Type}) {quantity} = {value} {expect.Unit}, expected {expect.Min}–{expect.Max}: {line}");
                    missing.Remove((sensor.Id, quantity));
                    seen.Add(line);
                }
            }
            catch (OperationCanceledException) when (limit.IsCancellationRequested)
            {
                Assert.Fail($"no reading in {Timeout.TotalSeconds} s from: {string.Join(", ", missing)}\n{gateway.Output}");
            }
        }

        gateway.Signal(Signals.SIGTERM);
        Assert.Equal(0, await gateway.WaitForExitAsync(Timeout));
        Assert.DoesNotContain("TypeInitializationException", gateway.Output, StringComparison.Ordinal);
    }

    [GeneratedRegex(@"^(?<measurement>[a-z_]+),device=catalogue-01,sensor=(?<sensor>[A-Za-z0-9_.-]+),unit=(?<unit>[^,\s]+) value=(?<value>[-+0-9.eE]+),seq=\d+i \d+$")]
    private static partial Regex InfluxPattern();
}
