using Gateway.FirmwareSim.Board;
using Gateway.FirmwareSim.Scenarios;
using Gateway.Hardware.Sensors;

namespace Gateway.FirmwareSim.Tests.Catalogue;

/// <summary>
/// A simulated board with one chip of each modelled catalogue type, in still air (no noise, a small daily swing), on the
/// system clock: the upstream bindings wait with Thread.Sleep, so the board's time must pass as theirs does.
/// </summary>
internal static class CatalogueBoard
{
    public static SimulatedBoard Create(TimeProvider? time = null) => new(ScenarioLoader.Parse(
        """
        {
          "Name": "catalogue", "Seed": 7,
          "Environment": { "TemperatureMean": 23.4, "TemperatureSwing": 0.5, "Noise": 0,
                           "HumidityMean": 41, "HumiditySwing": 2, "PressureMean": 99800, "PressureDrift": 50, "LightMax": 12000 },
          "Devices": [
            { "Name": "mcp", "Type": "Mcp9808", "Bus": 1, "Address": "0x18" },
            { "Name": "sht4", "Type": "Sht4x", "Bus": 1, "Address": "0x44" },
            { "Name": "lm75", "Type": "Lm75", "Bus": 1, "Address": "0x48" },
            { "Name": "aht20", "Type": "Aht20", "Bus": 1, "Address": "0x38" },
            { "Name": "aht10", "Type": "Aht10", "Bus": 2, "Address": "0x38" },
            { "Name": "lux", "Type": "Max44009", "Bus": 1, "Address": "0x4A" },
            { "Name": "ir", "Type": "Mlx90614", "Bus": 1, "Address": "0x5A", "Offset": 11.5 },
            { "Name": "bmp", "Type": "Bmp280", "Bus": 1, "Address": "0x77" },
            { "Name": "si", "Type": "Si7021", "Bus": 1, "Address": "0x40" },
            { "Name": "shtc3", "Type": "Shtc3", "Bus": 1, "Address": "0x70" }
          ]
        }
        """, "catalogue test scenario"), time ?? TimeProvider.System);

    /// <summary>Reads <paramref name="sensor"/> once and returns the values with the time window the read took.</summary>
    public static async Task<(IReadOnlyList<Measurement> Values, DateTimeOffset From, DateTimeOffset To)> ReadAsync(ISensor sensor)
    {
        var from = TimeProvider.System.GetUtcNow();
        var values = await sensor.ReadAsync(TestContext.Current.CancellationToken);
        return (values, from, TimeProvider.System.GetUtcNow());
    }

    /// <summary>The measurement of <paramref name="quantity"/>, asserting its unit.</summary>
    public static double Value(IReadOnlyList<Measurement> values, string quantity, string unit)
    {
        var m = Assert.Single(values, v => v.Quantity == quantity);
        Assert.Equal(unit, m.Unit);
        return m.Value;
    }

    /// <summary>Asserts <paramref name="reading"/> lies within what the environment gave during [from, to] (±100 ms), widened by <paramref name="resolution"/>.</summary>
    public static void AssertWithin(Func<DateTimeOffset, double> environment, DateTimeOffset from, DateTimeOffset to, double reading, double resolution)
    {
        var values = new List<double>();
        for (var at = from - TimeSpan.FromMilliseconds(300); at <= to + TimeSpan.FromMilliseconds(100) && values.Count < 1000; at += TimeSpan.FromMilliseconds(20))
        {
            values.Add(environment(at));
        }

        Assert.InRange(reading, values.Min() - resolution, values.Max() + resolution);
    }
}
