using System.Text.Json.Nodes;
using Gateway.Configuration;
using Gateway.Hardware.Sensors;
using Gateway.Protocol.Transport;

namespace Gateway.Links.Mqtt;

/// <summary>
/// Home Assistant MQTT discovery (https://www.home-assistant.io/integrations/mqtt/#mqtt-discovery): one retained
/// config message per sensor quantity under <c>&lt;prefix&gt;/sensor/&lt;node&gt;/&lt;object&gt;/config</c> and one per named
/// output under <c>…/switch/…</c>, each with a unique_id, the availability topic and a device block, so the gateway's
/// sensors appear in Home Assistant by themselves. Pure: configuration in, (topic, payload) out.
/// </summary>
internal static class HomeAssistantDiscovery
{
    /// <summary>A discovery message: retained on <see cref="Topic"/>; an empty payload removes the entity.</summary>
    public readonly record struct Entry(string Topic, string Payload);

    /// <summary>The quantities (and their SenML units) a sensor of this configuration reports.</summary>
    public static IReadOnlyList<(string Quantity, string Unit)> Quantities(SensorOptions sensor)
    {
        ArgumentNullException.ThrowIfNull(sensor);
        return sensor.Type switch
        {
            SensorType.Bme280 => [("temperature", Units.Celsius), ("humidity", Units.RelativeHumidity), ("pressure", Units.Pascal)],
            SensorType.Sht3x => [("temperature", Units.Celsius), ("humidity", Units.RelativeHumidity)],
            SensorType.Bh1750 => [("illuminance", Units.Lux)],
            SensorType.Ads1115 => [.. sensor.Channels.OrderBy(c => c.Key).Select(c => (c.Value, Units.Volt))],
            SensorType.Ds18b20 => [("temperature", Units.Celsius)],
            SensorType.DigitalInput => [("state", Units.None), ("count", Units.Count), ("rate", Units.Hertz)],
            _ => SensorTypes.CatalogueQuantities(sensor.Type),
        };
    }

    /// <summary>Every discovery message for this gateway's sensors and outputs.</summary>
    /// <param name="options">The gateway's configuration.</param>
    /// <param name="topics">The link's topics.</param>
    /// <param name="discoveryPrefix">Home Assistant's discovery prefix, normally <c>homeassistant</c>.</param>
    /// <param name="version">The gateway's version, for the device block.</param>
    /// <param name="format">The payload format of the state topics.</param>
    /// <param name="switches">Whether outputs get switches (a switch key is configured).</param>
    public static IReadOnlyList<Entry> Build(GatewayOptions options, MqttTopics topics, string discoveryPrefix, string version, Gateway.Protocol.PayloadFormat format, bool switches)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(topics);
        var node = Id(options.DeviceId);
        var entries = new List<Entry>();
        foreach (var sensor in options.Sensors)
        {
            foreach (var (quantity, unit) in Quantities(sensor))
            {
                var objectId = Id($"{sensor.Id}_{quantity}");
                var config = Common(options, topics, version, $"{sensor.Id} {quantity}", $"{node}_{objectId}");
                config["state_topic"] = topics.Reading(sensor.Id, quantity);
                config["value_template"] = format == Gateway.Protocol.PayloadFormat.SenML ? "{{ value_json[0].v }}" : "{{ value_json.value }}";
                if (DisplayUnit(unit) is { } shown)
                {
                    config["unit_of_measurement"] = shown;
                }

                if (DeviceClass(quantity, unit) is { } deviceClass)
                {
                    config["device_class"] = deviceClass;
                }

                config["state_class"] = quantity == "count" ? "total_increasing" : "measurement";
                entries.Add(new Entry($"{discoveryPrefix}/sensor/{node}/{objectId}/config", config.ToJsonString()));
            }
        }

        if (switches)
        {
            foreach (var output in options.Outputs)
            {
                var objectId = Id(output.Id);
                var config = Common(options, topics, version, output.Id, $"{node}_output_{objectId}");
                config["command_topic"] = topics.OutputSet(output.Id);
                config["state_topic"] = topics.OutputState(output.Id);
                config["payload_on"] = "ON";
                config["payload_off"] = "OFF";
                entries.Add(new Entry($"{discoveryPrefix}/switch/{node}/{objectId}/config", config.ToJsonString()));
            }
        }

        return entries;
    }

    private static JsonObject Common(GatewayOptions options, MqttTopics topics, string version, string name, string uniqueId) => new()
    {
        ["name"] = name,
        ["unique_id"] = uniqueId,
        ["availability_topic"] = topics.Status,
        ["payload_available"] = "online",
        ["payload_not_available"] = "offline",
        ["device"] = new JsonObject
        {
            ["identifiers"] = new JsonArray((JsonNode)$"gateway_{Id(options.DeviceId)}"),
            ["name"] = options.DeviceId,
            ["manufacturer"] = "Gateway",
            ["model"] = "IoT telemetry gateway",
            ["sw_version"] = version,
        },
    };

    // Home Assistant's device classes (sensor) for what our bindings measure.
    private static string? DeviceClass(string quantity, string unit) => (quantity, unit) switch
    {
        ("temperature", _) => "temperature",
        ("humidity", _) => "humidity",
        ("pressure", _) => "pressure",
        ("illuminance", _) => "illuminance",
        (_, Units.Volt) => "voltage",
        (_, Units.Hertz) => "frequency",
        _ => null,
    };

    // SenML units as Home Assistant shows them.
    private static string? DisplayUnit(string unit) => unit switch
    {
        Units.Celsius => "°C",
        Units.RelativeHumidity => "%",
        Units.Pascal => "Pa",
        Units.Lux => "lx",
        Units.Volt => "V",
        Units.Hertz => "Hz",
        _ => null,
    };

    // Discovery node and object ids allow [a-zA-Z0-9_-] only.
    private static string Id(string value) => string.Concat(value.Select(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' ? c : '_'));
}
