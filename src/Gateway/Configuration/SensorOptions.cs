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

    /// <summary>Where the sensor sits, for messages (e.g. <c>i2c-1@0x76</c>).</summary>
    public string Location => Type switch
    {
        SensorType.Ds18b20 => $"w1 {Device}",
        SensorType.DigitalInput => $"gpiochip{Chip} {Pin}",
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
