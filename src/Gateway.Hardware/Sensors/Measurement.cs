namespace Gateway.Hardware.Sensors;

/// <summary>One measured quantity with its unit, as a sensor reports it.</summary>
/// <param name="Quantity">What was measured, lower case: <c>temperature</c>, <c>humidity</c>, <c>pressure</c>, <c>illuminance</c>, <c>voltage</c>, <c>count</c>, <c>rate</c>, <c>state</c>.</param>
/// <param name="Value">The value in <paramref name="Unit"/>.</param>
/// <param name="Unit">A SenML unit (RFC 8428 §12.1, UCUM-based): see <see cref="Units"/>.</param>
public readonly record struct Measurement(string Quantity, double Value, string Unit);

/// <summary>SenML unit symbols (RFC 8428 §12.1) used by the bindings.</summary>
public static class Units
{
    /// <summary>Degrees Celsius.</summary>
    public const string Celsius = "Cel";

    /// <summary>Relative humidity, percent.</summary>
    public const string RelativeHumidity = "%RH";

    /// <summary>Pascal.</summary>
    public const string Pascal = "Pa";

    /// <summary>Lux.</summary>
    public const string Lux = "lx";

    /// <summary>Volt.</summary>
    public const string Volt = "V";

    /// <summary>A count of events.</summary>
    public const string Count = "count";

    /// <summary>Events per second.</summary>
    public const string Hertz = "Hz";

    /// <summary>Dimensionless (a 0/1 state).</summary>
    public const string None = "/";
}
