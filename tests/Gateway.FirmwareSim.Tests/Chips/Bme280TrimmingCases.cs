using Gateway.FirmwareSim.Chips;

namespace Gateway.FirmwareSim.Tests.Chips;

/// <summary>The trimming cases BME280 tests run on: typical, and the two negative 12-bit values of issue 16.</summary>
internal static class Bme280TrimmingCases
{
    /// <summary>The names, as theory data (strings, so that each case shows by name in the test list).</summary>
    public static TheoryData<string> Names => ["Typical", "NegativeH4", "NegativeH5"];

    /// <summary>The trimming of one name.</summary>
    public static Bme280Trimming Named(string name) => name switch
    {
        "Typical" => Bme280Trimming.Typical,
        "NegativeH4" => Bme280Trimming.NegativeH4,
        "NegativeH5" => Bme280Trimming.NegativeH5,
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "not a trimming case"),
    };
}
