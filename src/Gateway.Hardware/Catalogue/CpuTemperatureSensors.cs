using Gateway.Hardware.Sensors;
using UnitsNet;
using UpstreamCpuTemperature = Iot.Device.CpuTemperature.CpuTemperature;

namespace Gateway.Hardware.Catalogue;

/// <summary>The board's own CPU temperature as a sensor (no wiring, no bus): quantity <c>temperature</c> in Cel.</summary>
public static class CpuTemperatureSensors
{
    /// <summary>Where Linux exposes the first thermal zone (Documentation/driver-api/thermal/sysfs-api.rst), the file upstream reads.</summary>
    public const string ThermalZone0 = "/sys/class/thermal/thermal_zone0/temp";

    /// <summary>
    /// The CPU temperature of <paramref name="board"/>: its own source when it has one (<see cref="ICpuTemperatureSource"/>,
    /// the simulator), else Iot.Device.Bindings' <c>CpuTemperature</c> on the host's thermal zone 0.
    /// </summary>
    public static ISensor Create(IHardwareBoard board)
    {
        ArgumentNullException.ThrowIfNull(board);
        return board is ICpuTemperatureSource source
            ? new CatalogueSensor<SourceBinding>("CPU temperature (simulated board)", "cpu", () => new SourceBinding(source), b => [SenmlUnits.Of("temperature", Temperature.FromDegreesCelsius(b.Source.CpuTemperatureCelsius()))])
            : new CatalogueSensor<UpstreamCpuTemperature>("CPU temperature (thermal_zone0)", ThermalZone0, () => new UpstreamCpuTemperature(), Read);
    }

    private static IReadOnlyList<Measurement> Read(UpstreamCpuTemperature cpu)
    {
        // Upstream: IsAvailable is false when the thermal zone file is missing, and Temperature is then NaN.
        if (!cpu.IsAvailable)
        {
            throw new DeviceNotFoundException($"no CPU thermal zone: {ThermalZone0} does not exist on this machine", ThermalZone0);
        }

        var celsius = cpu.Temperature.DegreesCelsius;
        return double.IsFinite(celsius)
            ? [new Measurement("temperature", celsius, Units.Celsius)]
            : throw new ImplausibleReadingException($"{ThermalZone0} did not hold a temperature in millidegrees", ThermalZone0);
    }

    // The simulator's source in the binding's place, so that it runs through the same health path.
    private sealed class SourceBinding(ICpuTemperatureSource source) : IDisposable
    {
        public ICpuTemperatureSource Source { get; } = source;

        public void Dispose()
        {
        }
    }
}
