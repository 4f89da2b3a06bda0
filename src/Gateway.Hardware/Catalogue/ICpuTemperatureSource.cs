namespace Gateway.Hardware.Catalogue;

/// <summary>
/// A board that supplies its own CPU temperature instead of the host's thermal zone: the simulated board, whose CPU
/// is simulated too. Iot.Device.Bindings' <c>CpuTemperature</c> reads the host's
/// <c>/sys/class/thermal/thermal_zone0/temp</c> by a fixed path, so on such a board it would report the machine the
/// simulator runs on.
/// </summary>
public interface ICpuTemperatureSource
{
    /// <summary>The board's CPU temperature now, in °C.</summary>
    double CpuTemperatureCelsius();
}
