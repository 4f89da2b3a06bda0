using System.Globalization;

namespace Gateway.Configuration;

/// <summary>
/// Reads <c>Gateway:Sensors:&lt;id&gt;</c> and <c>Gateway:Outputs:&lt;id&gt;</c>, checking each value against what the
/// chip or line allows (datasheet addresses, ADC channels, line names) and that no two of them claim the same
/// bus address, GPIO line or 1-Wire device.
/// </summary>
internal static class SensorOptionsReader
{
    private const string Sensors = "Gateway:Sensors";
    private const string Outputs = "Gateway:Outputs";

    // Datasheet address options: BME280 §6.2 (SDO), SHT3x §3.3 (ADDR), BH1750 (ADDR pin), ADS1115 §9.5.1 (ADDR).
    private static readonly Dictionary<SensorType, int[]> Addresses = new()
    {
        [SensorType.Bme280] = [0x76, 0x77],
        [SensorType.Sht3x] = [0x44, 0x45],
        [SensorType.Bh1750] = [0x23, 0x5C],
        [SensorType.Ads1115] = [0x48, 0x49, 0x4A, 0x4B],

        // The catalogue (docs/hardware.md, "The catalogue"): MCP9808 DS25095 §3.5 (A2–A0); SHT4x datasheet "I2C
        // address" (0x44 SHT4x-A, 0x45 -B, 0x46 -C part numbers); LM75A §7.3 (A2–A0); AHT20 datasheet §5.3 (fixed
        // 0x38); AHT10 (ADR pin: 0x38/0x39); BMP280 §5.2 (SDO); MAX44009 table 1 (A0); MLX90614 §8.4.5 (SMBus address
        // in EEPROM, 0x5A from the factory: any valid address); Si7021 §5 (fixed 0x40); SHTC3 §5.3 (fixed 0x70).
        [SensorType.Mcp9808] = [0x18, 0x19, 0x1A, 0x1B, 0x1C, 0x1D, 0x1E, 0x1F],
        [SensorType.Sht4x] = [0x44, 0x45, 0x46],
        [SensorType.Lm75] = [0x48, 0x49, 0x4A, 0x4B, 0x4C, 0x4D, 0x4E, 0x4F],
        [SensorType.Aht20] = [0x38],
        [SensorType.Aht10] = [0x38, 0x39],
        [SensorType.Bmp280] = [0x76, 0x77],
        [SensorType.Max44009] = [0x4A, 0x4B],
        [SensorType.Mlx90614] = [0x5A, .. Enumerable.Range(0x08, 0x77 - 0x08 + 1).Where(a => a != 0x5A)],
        [SensorType.Si7021] = [0x40],
        [SensorType.Shtc3] = [0x70],
    };

    // ADS1115 PGA full-scale ranges in volts (datasheet table 8).
    private static readonly double[] FullScales = [6.144, 4.096, 2.048, 1.024, 0.512, 0.256];

    /// <summary>Reads every configured sensor.</summary>
    public static IReadOnlyList<SensorOptions> ReadSensors(ConfigurationReader r, TimeSpan defaultInterval)
    {
        var sensors = new List<SensorOptions>();
        foreach (var id in r.Children(Sensors))
        {
            var k = $"{Sensors}:{id}";
            if (!IsId(id))
            {
                r.Problem(k, id, "a sensor id of 1 to 64 characters from A-Z a-z 0-9 . _ -");
            }

            var typeRaw = r.Raw($"{k}:Type");
            if (typeRaw is null)
            {
                r.Problem($"{k}:Type", null, "one of " + string.Join(", ", Enum.GetNames<SensorType>()));
                continue;
            }

            var type = r.Enum($"{k}:Type", (SensorType)(-1));
            if (!Enum.IsDefined(type))
            {
                continue;
            }

            var sensor = new SensorOptions
            {
                Id = id,
                Type = type,
                Interval = r.Duration($"{k}:Interval", defaultInterval, TimeSpan.FromMilliseconds(10), TimeSpan.FromDays(1)),
                Deadbands = Deadbands(r, $"{k}:Deadband"),
                MaxSilence = r.Duration($"{k}:MaxSilence", TimeSpan.FromMinutes(15), TimeSpan.FromSeconds(1), TimeSpan.FromDays(7)),
            };

            sensors.Add(type switch
            {
                SensorType.Ds18b20 => sensor with { Device = OneWireId(r, $"{k}:Device") },
                SensorType.CpuTemperature => sensor,
                SensorType.DigitalInput => sensor with
                {
                    Chip = r.Int($"{k}:Chip", 0, 0, 63),
                    Pin = Pin(r, $"{k}:Pin"),
                    Pull = r.Enum($"{k}:Pull", PullMode.None),
                    Debounce = r.Duration($"{k}:Debounce", TimeSpan.Zero, TimeSpan.Zero, TimeSpan.FromSeconds(1)),
                    Edges = r.Enum($"{k}:Edges", EdgeKind.Both),
                    ReportEdges = r.Bool($"{k}:ReportEdges", false),
                },
                SensorType.Ads1115 => I2c(r, k, sensor) with
                {
                    Channels = Channels(r, $"{k}:Channels"),
                    FullScale = FullScale(r, $"{k}:FullScale"),
                },
                _ => I2c(r, k, sensor),
            });
        }

        CheckUnique(r, sensors.Where(s => s.IsI2c), s => s.Location, "bus address");
        CheckUnique(r, sensors.Where(s => s.Type == SensorType.CpuTemperature), s => s.Location, "CPU temperature");
        CheckUnique(r, sensors.Where(s => s.Type == SensorType.Ds18b20), s => s.Device ?? string.Empty, "1-Wire device");
        return sensors;
    }

    /// <summary>Reads every named output, and checks that no GPIO line is claimed twice (by outputs or inputs).</summary>
    public static IReadOnlyList<OutputOptions> ReadOutputs(ConfigurationReader r, IReadOnlyList<SensorOptions> sensors)
    {
        var outputs = new List<OutputOptions>();
        foreach (var id in r.Children(Outputs))
        {
            var k = $"{Outputs}:{id}";
            if (!IsId(id))
            {
                r.Problem(k, id, "an output name of 1 to 64 characters from A-Z a-z 0-9 . _ -");
            }

            var safe = r.Raw($"{k}:SafeState");
            if (safe is not null && safe.Trim().ToUpperInvariant() is not ("ON" or "OFF"))
            {
                r.Problem($"{k}:SafeState", safe, "on or off");
            }

            outputs.Add(new OutputOptions
            {
                Id = id,
                Chip = r.Int($"{k}:Chip", 0, 0, 63),
                Pin = Pin(r, $"{k}:Pin") ?? string.Empty,
                ActiveLow = r.Bool($"{k}:ActiveLow", false),
                SafeOn = string.Equals(safe?.Trim(), "on", StringComparison.OrdinalIgnoreCase),
            });
        }

        var lines = sensors.Where(s => s.Type == SensorType.DigitalInput && s.Pin is not null)
            .Select(s => (Key: $"{Sensors}:{s.Id}:Pin", Line: $"gpiochip{s.Chip} {s.Pin}"))
            .Concat(outputs.Where(o => o.Pin.Length > 0).Select(o => (Key: $"{Outputs}:{o.Id}:Pin", Line: $"gpiochip{o.Chip} {o.Pin}")));
        foreach (var clash in lines.GroupBy(l => l.Line, StringComparer.OrdinalIgnoreCase).Where(g => g.Count() > 1))
        {
            foreach (var (key, line) in clash.Skip(1))
            {
                r.Problem(key, line, $"a GPIO line not used elsewhere; {clash.First().Key} already uses {line}");
            }
        }

        return outputs;
    }

    private static SensorOptions I2c(ConfigurationReader r, string k, SensorOptions sensor)
    {
        var allowed = Addresses[sensor.Type];
        var names = allowed.Length > 8
            ? string.Create(CultureInfo.InvariantCulture, $"0x{allowed[0]:X2} (its default) or another 0x08–0x77 programmed into it")
            : string.Join(" or ", allowed.Select(a => string.Create(CultureInfo.InvariantCulture, $"0x{a:X2}")));
        var address = r.OptionalInt($"{k}:Address", 0, 0x7F, $"the {sensor.Type} address {names}");
        if (address is null && r.Raw($"{k}:Address") is null)
        {
            r.Problem($"{k}:Address", null, $"the {sensor.Type} address {names}");
        }
        else if (address is { } a && !allowed.Contains(a))
        {
            r.Problem($"{k}:Address", r.Raw($"{k}:Address"), $"the {sensor.Type} address {names} (set by its address pin)");
        }

        return sensor with { Bus = r.Int($"{k}:Bus", 1, 0, 255), Address = address ?? allowed[0] };
    }

    private static string? OneWireId(ConfigurationReader r, string key) =>
        r.Required(key, v => v.Length == 15 && v[2] == '-' && v.Where((c, i) => i != 2).All(char.IsAsciiHexDigit),
            "a 1-Wire id like 28-000005e2fdc3 (family, dash, 12 hex digits), as listed in /sys/bus/w1/devices");

    private static string? Pin(ConfigurationReader r, string key) =>
        r.Required(key, v => v.Length <= 32 && v.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.'),
            "a GPIO line number (e.g. 17) or the chip's line name (e.g. GPIO17)");

    private static Dictionary<int, string> Channels(ConfigurationReader r, string key)
    {
        var channels = new Dictionary<int, string>();
        foreach (var child in r.Children(key))
        {
            var k = $"{key}:{child}";
            var quantity = r.Required(k, IsId, "a quantity name such as soil_moisture");
            if (!int.TryParse(child, NumberStyles.None, CultureInfo.InvariantCulture, out var channel) || channel > 3)
            {
                r.Problem(k, child, "a channel 0, 1, 2 or 3 (AIN0–AIN3 against GND)");
                continue;
            }

            channels[channel] = quantity;
        }

        if (channels.Count == 0)
        {
            r.Problem(key, null, "at least one channel, e.g. Channels:0 = soil_moisture");
        }

        return channels;
    }

    private static Dictionary<string, double> Deadbands(ConfigurationReader r, string key)
    {
        var deadbands = new Dictionary<string, double>(StringComparer.OrdinalIgnoreCase);
        foreach (var quantity in r.Children(key))
        {
            var raw = r.Raw($"{key}:{quantity}");
            if (raw is not null && double.TryParse(raw, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && v >= 0 && double.IsFinite(v))
            {
                deadbands[quantity] = v;
            }
            else
            {
                r.Problem($"{key}:{quantity}", raw, "a change of zero or more in the quantity's unit, e.g. 0.2");
            }
        }

        return deadbands;
    }

    private static double FullScale(ConfigurationReader r, string key)
    {
        var raw = r.Raw(key);
        if (raw is null)
        {
            return 4.096;
        }

        if (double.TryParse(raw, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && FullScales.Contains(v))
        {
            return v;
        }

        r.Problem(key, raw, "one of the ADS1115 ranges 6.144, 4.096, 2.048, 1.024, 0.512, 0.256 (volts)");
        return 4.096;
    }

    private static void CheckUnique(ConfigurationReader r, IEnumerable<SensorOptions> sensors, Func<SensorOptions, string> by, string what)
    {
        foreach (var clash in sensors.GroupBy(by, StringComparer.OrdinalIgnoreCase).Where(g => g.Count() > 1))
        {
            foreach (var s in clash.Skip(1))
            {
                r.Problem($"{Sensors}:{s.Id}", clash.Key, $"a {what} not used elsewhere; sensor '{clash.First().Id}' already uses {clash.Key}");
            }
        }
    }

    private static bool IsId(string value) => value.Length is > 0 and <= 64
        && value.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-');
}
