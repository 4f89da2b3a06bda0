using System.Text.Json.Serialization;

namespace Gateway.FirmwareSim.Scenarios;

// Properties have setters (not init): System.Text.Json's source generator assigns every init-only property when it
// constructs the object, which would replace the defaults of properties missing from the file with null.

/// <summary>
/// What the simulated board is and what happens around it: its devices, the environment they measure, and timed
/// faults. Loaded from JSON (see <c>Scenarios/default.json</c>); times are offsets from the board's start.
/// </summary>
public sealed record Scenario
{
    /// <summary>A name for logs.</summary>
    public string Name { get; set; } = "unnamed";

    /// <summary>The random seed: the same seed and clock give the same readings.</summary>
    public long Seed { get; set; } = 1;

    /// <summary>The environment the sensors measure.</summary>
    public EnvironmentSpec Environment { get; set; } = new();

    /// <summary>The devices on the board.</summary>
    public IReadOnlyList<DeviceSpec> Devices { get; set; } = [];

    /// <summary>Faults that start and end at given times.</summary>
    public IReadOnlyList<TimedFault> Faults { get; set; } = [];
}

/// <summary>The environment model's parameters.</summary>
public sealed record EnvironmentSpec
{
    /// <summary>Mean air temperature, °C.</summary>
    public double TemperatureMean { get; set; } = 21;

    /// <summary>Half the daily swing, °C (minimum near 05:00 UTC, maximum near 15:00 UTC).</summary>
    public double TemperatureSwing { get; set; } = 3;

    /// <summary>Standard deviation of the per-reading noise, °C (and scaled for the other quantities).</summary>
    public double Noise { get; set; } = 0.05;

    /// <summary>Mean relative humidity, %; it moves opposite to the temperature.</summary>
    public double HumidityMean { get; set; } = 45;

    /// <summary>Half the daily humidity swing, %.</summary>
    public double HumiditySwing { get; set; } = 8;

    /// <summary>Mean air pressure, Pa.</summary>
    public double PressureMean { get; set; } = 101_325;

    /// <summary>Amplitude of the slow pressure drift, Pa (a 3-day period).</summary>
    public double PressureDrift { get; set; } = 400;

    /// <summary>Illuminance at noon, lx (zero between 19:00 and 07:00 UTC).</summary>
    public double LightMax { get; set; } = 12_000;
}

/// <summary>One device on the simulated board.</summary>
public sealed record DeviceSpec
{
    /// <summary>Name used by fault targets (e.g. <c>env</c>); the type name works as a target too.</summary>
    public string Name { get; set; } = string.Empty;

    /// <summary><c>Bme280</c>, <c>Sht3x</c>, <c>Bh1750</c>, <c>Ads1115</c>, <c>Ds18b20</c>, <c>Contact</c>, <c>PulseTrain</c> or <c>Output</c>; and for the catalogue <c>Mcp9808</c>, <c>Sht4x</c>, <c>Lm75</c>, <c>Aht20</c>, <c>Aht10</c>, <c>Max44009</c>, <c>Mlx90614</c>, <c>Bmp280</c>, <c>Si7021</c>, <c>Shtc3</c>.</summary>
    public string Type { get; set; } = string.Empty;

    /// <summary>I2C bus.</summary>
    public int Bus { get; set; } = 1;

    /// <summary>I2C address (decimal or "0x" hex).</summary>
    public string? Address { get; set; }

    /// <summary>1-Wire id (DS18B20).</summary>
    public string? Id { get; set; }

    /// <summary>GPIO chip.</summary>
    public int Chip { get; set; }

    /// <summary>GPIO line (contact, pulse train, output).</summary>
    public int? Pin { get; set; }

    /// <summary>Offset added to the air temperature, °C (e.g. a probe in cooler water; the surface an MLX90614 sees).</summary>
    public double Offset { get; set; }

    /// <summary>ADS1115 inputs AIN0–AIN3.</summary>
    public IReadOnlyList<AnalogSpec> Channels { get; set; } = [];

    /// <summary>Contact: seconds between openings; pulse train: seconds of a full on/off cycle.</summary>
    public double PeriodSeconds { get; set; } = 120;

    /// <summary>Contact: seconds it stays open; pulse train: seconds of pulses per cycle.</summary>
    public double ActiveSeconds { get; set; } = 10;

    /// <summary>Pulse train: pulses per second while active.</summary>
    public double RateHz { get; set; } = 5;
}

/// <summary>One analog input's waveform.</summary>
public sealed record AnalogSpec
{
    /// <summary>Mean voltage.</summary>
    public double Mean { get; set; }

    /// <summary>Sine amplitude, V (0 for a constant).</summary>
    public double Amplitude { get; set; }

    /// <summary>Sine period, seconds.</summary>
    public double PeriodSeconds { get; set; } = 600;

    /// <summary>Noise standard deviation, V.</summary>
    public double Noise { get; set; }
}

/// <summary>A fault that starts at <see cref="At"/> after the board starts and lasts <see cref="Duration"/> (or for good).</summary>
public sealed record TimedFault
{
    /// <summary>When it starts, e.g. <c>00:05:00</c>.</summary>
    public TimeSpan At { get; set; }

    /// <summary>How long it lasts; null for the rest of the run.</summary>
    public TimeSpan? Duration { get; set; }

    /// <summary>The fault, e.g. <c>nack env</c>.</summary>
    public string Fault { get; set; } = string.Empty;
}

/// <summary>System.Text.Json source generation for scenarios (AOT-safe, no reflection).</summary>
[JsonSourceGenerationOptions(ReadCommentHandling = System.Text.Json.JsonCommentHandling.Skip, AllowTrailingCommas = true, PropertyNameCaseInsensitive = true)]
[JsonSerializable(typeof(Scenario))]
public sealed partial class ScenarioJsonContext : JsonSerializerContext;
