using System.Globalization;
using Gateway.Hardware.Sensors;
using UnitsNet;

namespace Gateway.Hardware.Catalogue;

/// <summary>
/// The board's own CPU temperature as a sensor (no wiring, no bus): quantity <c>temperature</c> in Cel. On Linux it reads
/// the file Iot.Device.Bindings' <c>CpuTemperature</c> reads there, thermal zone 0, in the same format; the upstream class
/// itself is not used because referencing it compiles its Windows paths (OpenHardwareMonitor over HttpClient with
/// reflection-based JSON, WMI) into the NativeAOT binary, with four AOT/trim warnings and at least 88 KB
/// (docs/hardware.md, "The catalogue").
/// </summary>
public static class CpuTemperatureSensors
{
    /// <summary>Linux's first thermal zone (Documentation/ABI/testing/sysfs-class-thermal: <c>temp</c>, millidegrees Celsius).</summary>
    public const string ThermalZone0 = "/sys/class/thermal/thermal_zone0/temp";

    /// <summary>
    /// The CPU temperature of <paramref name="board"/>: its own source when it has one (<see cref="ICpuTemperatureSource"/>,
    /// the simulator), else the host's thermal zone file <paramref name="thermalZone"/>.
    /// </summary>
    public static ISensor Create(IHardwareBoard board, string thermalZone = ThermalZone0)
    {
        ArgumentNullException.ThrowIfNull(board);
        ArgumentException.ThrowIfNullOrEmpty(thermalZone);
        return board is ICpuTemperatureSource source
            ? new CatalogueSensor<Reader>("CPU temperature (simulated board)", "cpu", () => new Reader(source.CpuTemperatureCelsius), Read)
            : new CatalogueSensor<Reader>($"CPU temperature ({thermalZone})", thermalZone, () => new Reader(() => ReadThermalZone(thermalZone)), Read);
    }

    /// <summary>
    /// Degrees Celsius from a thermal zone's <c>temp</c> text: a whole number of millidegrees (sysfs-class-thermal), e.g.
    /// <c>48312</c> → 48.312.
    /// </summary>
    /// <exception cref="ImplausibleReadingException">The text is not a whole number.</exception>
    public static double ParseMillidegrees(string text, string path)
    {
        ArgumentNullException.ThrowIfNull(text);
        return int.TryParse(text.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var milli)
            ? milli / 1000.0
            : throw new ImplausibleReadingException($"{path} holds '{text.Trim()}', not a temperature in millidegrees Celsius", path);
    }

    private static double ReadThermalZone(string path)
    {
        try
        {
            return ParseMillidegrees(File.ReadAllText(path), path);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new DeviceNotFoundException($"no CPU thermal zone: {path} does not exist on this machine", path);
        }
    }

    private static IReadOnlyList<Measurement> Read(Reader reader) => [SenmlUnits.Of("temperature", Temperature.FromDegreesCelsius(reader.Celsius()))];

    // The sensor's source in a binding's place, so that it runs through the same health path as the catalogue's bindings.
    private sealed class Reader(Func<double> celsius) : IDisposable
    {
        public Func<double> Celsius { get; } = celsius;

        public void Dispose()
        {
        }
    }
}
