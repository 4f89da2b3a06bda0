using System.Globalization;
using System.Reflection;
using System.Text.Json;

namespace Gateway.FirmwareSim.Scenarios;

/// <summary>Loads and checks scenario files; every problem names where in the file it is.</summary>
public static class ScenarioLoader
{
    private static readonly string[] Types = ["Bme280", "Sht3x", "Bh1750", "Ads1115", "Ds18b20", "Contact", "PulseTrain", "Output", "Mcp9808", "Sht4x", "Lm75", "Aht20", "Aht10", "Max44009", "Mlx90614", "Bmp280", "Si7021", "Shtc3"];

    /// <summary>The built-in default scenario: the board the gateway's default appsettings.json describes.</summary>
    public static Scenario Default()
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("Gateway.FirmwareSim.Scenarios.default.json")
            ?? throw new InvalidOperationException("the default scenario resource is missing from the build");
        using var reader = new StreamReader(stream);
        return Parse(reader.ReadToEnd(), "default scenario");
    }

    /// <summary>Loads a scenario file.</summary>
    /// <exception cref="FormatException">The file is not a valid scenario; the message says where and why.</exception>
    public static Scenario Load(string path) => Parse(File.ReadAllText(path), path);

    /// <summary>Parses scenario JSON; <paramref name="source"/> names it in errors.</summary>
    /// <exception cref="FormatException">Not a valid scenario.</exception>
    public static Scenario Parse(string json, string source)
    {
        Scenario? scenario;
        try
        {
            scenario = JsonSerializer.Deserialize(json, ScenarioJsonContext.Default.Scenario);
        }
        catch (JsonException ex)
        {
            throw new FormatException($"{source}: {ex.Path ?? "$"}: {ex.Message}", ex);
        }

        if (scenario is null)
        {
            throw new FormatException($"{source}: empty scenario");
        }

        // Types are matched without regard to case; keep the canonical spelling from here on.
        scenario = scenario with
        {
            Devices = [.. scenario.Devices.Select(d => d with { Type = Types.FirstOrDefault(t => t.Equals(d.Type, StringComparison.OrdinalIgnoreCase)) ?? d.Type })],
        };
        var problems = new List<string>();
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < scenario.Devices.Count; i++)
        {
            var d = scenario.Devices[i];
            var at = $"$.Devices[{i}]";
            if (string.IsNullOrWhiteSpace(d.Name) || !names.Add(d.Name))
            {
                problems.Add($"{at}.Name: '{d.Name}' must be a unique, non-empty name");
            }

            if (!Types.Contains(d.Type, StringComparer.OrdinalIgnoreCase))
            {
                problems.Add($"{at}.Type: '{d.Type}' is not one of {string.Join(", ", Types)}");
            }
            else if (d.Type.Equals("Ds18b20", StringComparison.OrdinalIgnoreCase))
            {
                if (d.Id is null || d.Id.Length != 15 || !d.Id.StartsWith("28-", StringComparison.Ordinal))
                {
                    problems.Add($"{at}.Id: '{d.Id}' is not a DS18B20 id like 28-000005e2fdc3");
                }
            }
            else if (d.Type is "Contact" or "PulseTrain" or "Output")
            {
                if (d.Pin is null or < 0 or > 63)
                {
                    problems.Add($"{at}.Pin: a GPIO line 0–63 is needed");
                }
            }
            else if (AddressOf(d) is not (>= 0x08 and <= 0x77))
            {
                problems.Add($"{at}.Address: '{d.Address}' is not a 7-bit I2C address 0x08–0x77");
            }
        }

        for (var i = 0; i < scenario.Faults.Count; i++)
        {
            try
            {
                Faults.FaultSpec.Parse(scenario.Faults[i].Fault);
            }
            catch (FormatException ex)
            {
                problems.Add($"$.Faults[{i}].Fault: {ex.Message}");
            }
        }

        return problems.Count == 0 ? scenario : throw new FormatException($"{source}: " + string.Join("; ", problems));
    }

    /// <summary>The device's I2C address, or -1 when it has none or it does not parse.</summary>
    public static int AddressOf(DeviceSpec device)
    {
        ArgumentNullException.ThrowIfNull(device);
        var text = device.Address?.Trim();
        if (string.IsNullOrEmpty(text))
        {
            return -1;
        }

        return text.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
            ? int.TryParse(text.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var hex) ? hex : -1
            : int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var dec) ? dec : -1;
    }
}
