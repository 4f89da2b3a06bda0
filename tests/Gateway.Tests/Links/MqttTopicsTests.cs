using System.Text.Json;
using Gateway.Configuration;
using Gateway.Links.Mqtt;
using Gateway.Protocol.Transport;
using Microsoft.Extensions.Configuration;

namespace Gateway.Tests.Links;

public class MqttTopicsTests
{
    private readonly MqttTopics _topics = new("gateway/pi-01/");

    [Fact]
    public void Topics_live_under_the_prefix_and_ids_cannot_add_levels_or_wildcards()
    {
        Assert.Equal("gateway/pi-01/sensor/env/temperature", _topics.Reading("env", "temperature"));
        Assert.Equal("gateway/pi-01/sensor/a_b/c_d_e", _topics.Reading("a/b", "c+d#e"));
        Assert.Equal("gateway/pi-01/status", _topics.Status);
        Assert.Equal("gateway/pi-01/output/+/set", _topics.OutputSetFilter);
    }

    [Theory]
    [InlineData("gateway/pi-01/output/relay/set", "relay")]
    [InlineData("gateway/pi-01/output/relay/state", null)]
    [InlineData("gateway/pi-02/output/relay/set", null)]
    [InlineData("gateway/pi-01/output//set", null)]
    public void A_set_topic_names_its_output(string topic, string? output) => Assert.Equal(output, _topics.OutputOfSetTopic(topic));

    private static GatewayOptions Options(params (string Key, string Value)[] extra) =>
        GatewayOptionsReader.Read(new ConfigurationBuilder().AddInMemoryCollection(
            [
                new("Gateway:DeviceId", "pi-01"),
                new("Gateway:Sensors:env:Type", "Bme280"), new("Gateway:Sensors:env:Address", "0x76"),
                new("Gateway:Sensors:analog:Type", "Ads1115"), new("Gateway:Sensors:analog:Address", "0x48"), new("Gateway:Sensors:analog:Channels:0", "battery"),
                new("Gateway:Outputs:relay:Pin", "GPIO22"),
                .. extra.Select(e => new KeyValuePair<string, string?>(e.Key, e.Value)),
            ]).Build(), "/").Options;

    [Fact]
    public void Discovery_has_one_sensor_per_quantity_with_unit_class_and_device_and_a_switch_per_output_when_asked()
    {
        var entries = HomeAssistantDiscovery.Build(Options(), new MqttTopics("gateway/pi-01"), "homeassistant", "1.2.3", Gateway.Protocol.PayloadFormat.Protocol, switches: true);

        Assert.Equal(
            ["homeassistant/sensor/pi-01/analog_battery/config", "homeassistant/sensor/pi-01/env_humidity/config", "homeassistant/sensor/pi-01/env_pressure/config",
             "homeassistant/sensor/pi-01/env_temperature/config", "homeassistant/switch/pi-01/relay/config"],
            entries.Select(e => e.Topic).Order(StringComparer.Ordinal));
        var battery = JsonDocument.Parse(entries.Single(e => e.Topic.Contains("battery", StringComparison.Ordinal)).Payload).RootElement;
        Assert.Equal("voltage", battery.GetProperty("device_class").GetString());
        Assert.Equal("V", battery.GetProperty("unit_of_measurement").GetString());
        Assert.Equal("pi-01_analog_battery", battery.GetProperty("unique_id").GetString());
        Assert.Equal("1.2.3", battery.GetProperty("device").GetProperty("sw_version").GetString());
        var relay = JsonDocument.Parse(entries.Single(e => e.Topic.Contains("switch", StringComparison.Ordinal)).Payload).RootElement;
        Assert.Equal("gateway/pi-01/output/relay/set", relay.GetProperty("command_topic").GetString());
        Assert.DoesNotContain(HomeAssistantDiscovery.Build(Options(), new MqttTopics("g"), "homeassistant", "1", Gateway.Protocol.PayloadFormat.Protocol, switches: false), e => e.Topic.Contains("switch", StringComparison.Ordinal));
    }

    [Fact]
    public void A_senml_link_reads_the_value_from_the_pack()
    {
        var entries = HomeAssistantDiscovery.Build(Options(), new MqttTopics("g"), "homeassistant", "1", Gateway.Protocol.PayloadFormat.SenML, switches: false);
        Assert.All(entries, e => Assert.Contains("value_json[0].v", e.Payload, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("Gateway:Upstream:Mqtt:SwitchKey", "nobody", "Gateway:Upstream:Mqtt:SwitchKey")]
    [InlineData("Gateway:Upstream:Mqtt:TopicPrefix", "gateway/#", "Gateway:Upstream:Mqtt:TopicPrefix")]
    [InlineData("Gateway:Upstream:Mqtt:Password", "pw-secret", "Gateway:Upstream:Mqtt:Username")]
    [InlineData("Gateway:Upstream:Mqtt:Format", "InfluxLine", "Gateway:Upstream:Mqtt:Format")]
    public void Bad_mqtt_settings_are_configuration_problems(string key, string value, string named)
    {
        var result = GatewayOptionsReader.Read(new ConfigurationBuilder().AddInMemoryCollection(
            [new("Gateway:DeviceId", "pi-01"), new("Gateway:Upstream:Mqtt:Broker", "127.0.0.1:1883"), new(key, value)]).Build(), "/");

        var problem = Assert.Single(result.Problems).ToString();
        Assert.Contains(named, problem, StringComparison.Ordinal);
        Assert.DoesNotContain("pw-secret", problem, StringComparison.Ordinal);
    }
}
