using Gateway.Hardware.Sensors;
using UnitsNet;

namespace Gateway.Hardware.Catalogue;

/// <summary>
/// The one place where Iot.Device.Bindings' UnitsNet quantities become SenML measurements (RFC 8428 §12.1, the
/// UCUM-based unit symbols the gateway reports): every quantity is converted to the SenML base or registered unit
/// (Cel, Pa, %RH, ppm, lx, V, A, W, Ohm, m), never passed on in the unit a binding happened to construct it in.
/// Pure: no I/O, no state.
/// </summary>
public static class SenmlUnits
{
    /// <summary>Parts per million (RFC 8428 §12.1: <c>ppm</c>).</summary>
    public const string PartsPerMillion = "ppm";

    /// <summary>Ampere.</summary>
    public const string Ampere = "A";

    /// <summary>Watt.</summary>
    public const string Watt = "W";

    /// <summary>Ohm.</summary>
    public const string Ohm = "Ohm";

    /// <summary>Metre.</summary>
    public const string Metre = "m";

    /// <summary>Temperature in degrees Celsius (<c>Cel</c>).</summary>
    public static Measurement Of(string quantity, Temperature value) => new(quantity, value.DegreesCelsius, Units.Celsius);

    /// <summary>Pressure in pascals (<c>Pa</c>).</summary>
    public static Measurement Of(string quantity, Pressure value) => new(quantity, value.Pascals, Units.Pascal);

    /// <summary>Relative humidity in percent (<c>%RH</c>).</summary>
    public static Measurement Of(string quantity, RelativeHumidity value) => new(quantity, value.Percent, Units.RelativeHumidity);

    /// <summary>Illuminance in lux (<c>lx</c>).</summary>
    public static Measurement Of(string quantity, Illuminance value) => new(quantity, value.Lux, Units.Lux);

    /// <summary>A gas concentration by volume in parts per million (<c>ppm</c>), e.g. CO₂.</summary>
    public static Measurement Of(string quantity, VolumeConcentration value) => new(quantity, value.PartsPerMillion, PartsPerMillion);

    /// <summary>Electric potential in volts (<c>V</c>).</summary>
    public static Measurement Of(string quantity, ElectricPotential value) => new(quantity, value.Volts, Units.Volt);

    /// <summary>Electric current in amperes (<c>A</c>).</summary>
    public static Measurement Of(string quantity, ElectricCurrent value) => new(quantity, value.Amperes, Ampere);

    /// <summary>Power in watts (<c>W</c>).</summary>
    public static Measurement Of(string quantity, Power value) => new(quantity, (double)value.Watts, Watt);

    /// <summary>Electric resistance in ohms (<c>Ohm</c>).</summary>
    public static Measurement Of(string quantity, ElectricResistance value) => new(quantity, value.Ohms, Ohm);

    /// <summary>Length in metres (<c>m</c>), e.g. an altitude.</summary>
    public static Measurement Of(string quantity, Length value) => new(quantity, value.Meters, Metre);
}
