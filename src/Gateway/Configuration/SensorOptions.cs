namespace Gateway.Configuration;

/// <summary>The kinds of sensor the gateway has bindings for.</summary>
internal enum SensorType
{
    /// <summary>Bosch BME280: temperature, pressure, humidity (I2C 0x76/0x77).</summary>
    Bme280,

    /// <summary>Sensirion SHT3x: temperature, humidity (I2C 0x44/0x45).</summary>
    Sht3x,

    /// <summary>ROHM BH1750: illuminance (I2C 0x23/0x5C).</summary>
    Bh1750,

    /// <summary>TI ADS1115: four-channel 16-bit ADC (I2C 0x48–0x4B).</summary>
    Ads1115,

    /// <summary>Maxim DS18B20 on 1-Wire: temperature.</summary>
    Ds18b20,

    /// <summary>A GPIO input: door contact, button, or pulse counter (flow meter).</summary>
    DigitalInput,

    // The catalogue: Iot.Device.Bindings 4.2.0 bindings (src/Gateway.Hardware/Catalogue), for chips without a binding of ours.

    /// <summary>Microchip MCP9808: temperature (I2C 0x18–0x1F). Catalogue.</summary>
    Mcp9808,

    /// <summary>Sensirion SHT4x (SHT40/41/45): temperature, humidity (I2C 0x44/0x45/0x46). Catalogue.</summary>
    Sht4x,

    /// <summary>NXP/TI LM75(A): temperature (I2C 0x48–0x4F). Catalogue.</summary>
    Lm75,

    /// <summary>Aosong AHT20: temperature, humidity (I2C 0x38). Catalogue.</summary>
    Aht20,

    /// <summary>Aosong AHT10: temperature, humidity (I2C 0x38/0x39). Catalogue.</summary>
    Aht10,

    /// <summary>Bosch BMP280: temperature, pressure (I2C 0x76/0x77). Catalogue.</summary>
    Bmp280,

    /// <summary>Maxim MAX44009: illuminance (I2C 0x4A/0x4B). Catalogue.</summary>
    Max44009,

    /// <summary>Melexis MLX90614: object and ambient temperature (I2C, 0x5A by default). Catalogue.</summary>
    Mlx90614,

    /// <summary>Silicon Labs Si7021: temperature, humidity (I2C 0x40). Catalogue.</summary>
    Si7021,

    /// <summary>Sensirion SHTC3: temperature, humidity (I2C 0x70). Catalogue.</summary>
    Shtc3,

    /// <summary>The board's own CPU temperature (Linux thermal zone 0; no wiring). Catalogue.</summary>
    CpuTemperature,
}

/// <summary>Which sensor types are the gateway's own bindings and which come from the Iot.Device.Bindings catalogue.</summary>
internal static class SensorTypes
{
    /// <summary>The types served by Iot.Device.Bindings 4.2.0 (src/Gateway.Hardware/Catalogue), not by a binding of ours.</summary>
    public static readonly IReadOnlySet<SensorType> Catalogue = new HashSet<SensorType>
    {
        SensorType.Mcp9808, SensorType.Sht4x, SensorType.Lm75, SensorType.Aht20, SensorType.Aht10, SensorType.Bmp280,
        SensorType.Max44009, SensorType.Mlx90614, SensorType.Si7021, SensorType.Shtc3, SensorType.CpuTemperature,
    };

    private static readonly (string, string)[] TemperatureOnly = [("temperature", "Cel")];
    private static readonly (string, string)[] TemperatureHumidity = [("temperature", "Cel"), ("humidity", "%RH")];

    /// <summary>
    /// The quantities and SenML units a catalogue sensor reports (what src/Gateway.Hardware/Catalogue's readers return;
    /// tests/Gateway.Tests/Hardware/CatalogueSensorFactoryTests checks each against a read); empty for our own types.
    /// </summary>
    public static IReadOnlyList<(string Quantity, string Unit)> CatalogueQuantities(SensorType type) => type switch
    {
        SensorType.Mcp9808 or SensorType.Lm75 or SensorType.CpuTemperature => TemperatureOnly,
        SensorType.Sht4x or SensorType.Aht20 or SensorType.Aht10 or SensorType.Si7021 or SensorType.Shtc3 => TemperatureHumidity,
        SensorType.Bmp280 => [("temperature", "Cel"), ("pressure", "Pa")],
        SensorType.Max44009 => [("illuminance", "lx")],
        SensorType.Mlx90614 => [("temperature", "Cel"), ("ambient_temperature", "Cel")],
        _ => [],
    };
}

/// <summary>Bias of a GPIO input.</summary>
internal enum PullMode
{
    /// <summary>No internal pull (the board has its own resistor).</summary>
    None,

    /// <summary>Internal pull-up (contact to ground).</summary>
    Up,

    /// <summary>Internal pull-down (contact to 3.3 V).</summary>
    Down,
}

/// <summary>Which edges a digital input counts.</summary>
internal enum EdgeKind
{
    /// <summary>Low to high.</summary>
    Rising,

    /// <summary>High to low.</summary>
    Falling,

    /// <summary>Both.</summary>
    Both,
}

/// <summary>One configured sensor: <c>Gateway:Sensors:&lt;id&gt;</c>.</summary>
internal sealed record SensorOptions
{
    /// <summary>The sensor's id (its key under <c>Gateway:Sensors</c>), carried by its readings.</summary>
    public required string Id { get; init; }

    /// <summary><c>Type</c>.</summary>
    public required SensorType Type { get; init; }

    /// <summary><c>Interval</c>: time between readings (default <c>Gateway:Sampling:Interval</c>).</summary>
    public required TimeSpan Interval { get; init; }

    /// <summary><c>Deadband:&lt;quantity&gt;</c>: smallest change worth reporting, per quantity; none = report every value.</summary>
    public IReadOnlyDictionary<string, double> Deadbands { get; init; } = new Dictionary<string, double>();

    /// <summary><c>MaxSilence</c>: longest time a quantity with a deadband goes unreported (default 15 minutes).</summary>
    public TimeSpan MaxSilence { get; init; } = TimeSpan.FromMinutes(15);

    /// <summary><c>Bus</c>: I2C bus number (I2C types; default 1, the Pi's header bus).</summary>
    public int Bus { get; init; } = 1;

    /// <summary><c>Address</c>: 7-bit I2C address (I2C types).</summary>
    public int Address { get; init; }

    /// <summary><c>Device</c>: 1-Wire id such as <c>28-000005e2fdc3</c> (DS18B20).</summary>
    public string? Device { get; init; }

    /// <summary><c>Chip</c>: GPIO chip number (digital input; default 0).</summary>
    public int Chip { get; init; }

    /// <summary><c>Pin</c>: GPIO line number or name (digital input).</summary>
    public string? Pin { get; init; }

    /// <summary><c>Pull</c> (digital input).</summary>
    public PullMode Pull { get; init; } = PullMode.None;

    /// <summary><c>Debounce</c> (digital input).</summary>
    public TimeSpan Debounce { get; init; }

    /// <summary><c>ReportEdges</c>: every edge of a digital input becomes a <c>state</c> reading at once (a door), not only the periodic read.</summary>
    public bool ReportEdges { get; init; }

    /// <summary><c>Edges</c> counted (digital input).</summary>
    public EdgeKind Edges { get; init; } = EdgeKind.Both;

    /// <summary><c>Channels</c>: ADS1115 channel number → quantity name.</summary>
    public IReadOnlyDictionary<int, string> Channels { get; init; } = new Dictionary<int, string>();

    /// <summary><c>FullScale</c>: ADS1115 full-scale range in volts (PGA setting).</summary>
    public double FullScale { get; init; } = 4.096;

    /// <summary>Whether the sensor is a chip on an I2C bus (it has <c>Bus</c> and <c>Address</c>).</summary>
    public bool IsI2c => Type is not (SensorType.Ds18b20 or SensorType.DigitalInput or SensorType.CpuTemperature);

    /// <summary>Where the sensor sits, for messages (e.g. <c>i2c-1@0x76</c>).</summary>
    public string Location => Type switch
    {
        SensorType.Ds18b20 => $"w1 {Device}",
        SensorType.DigitalInput => $"gpiochip{Chip} {Pin}",
        SensorType.CpuTemperature => "cpu thermal_zone0",
        _ => $"i2c-{Bus}@0x{Address:X2}",
    };
}

/// <summary>One named output: <c>Gateway:Outputs:&lt;id&gt;</c> (relay, LED).</summary>
internal sealed record OutputOptions
{
    /// <summary>The output's name (its key under <c>Gateway:Outputs</c>), used by commands.</summary>
    public required string Id { get; init; }

    /// <summary><c>Chip</c>: GPIO chip number (default 0).</summary>
    public int Chip { get; init; }

    /// <summary><c>Pin</c>: GPIO line number or name.</summary>
    public required string Pin { get; init; }

    /// <summary><c>ActiveLow</c>: "on" drives the line low (many relay boards).</summary>
    public bool ActiveLow { get; init; }

    /// <summary><c>SafeState</c>: on or off; applied at start and at shutdown.</summary>
    public bool SafeOn { get; init; }
}
