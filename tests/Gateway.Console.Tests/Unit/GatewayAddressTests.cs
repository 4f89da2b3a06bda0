using Gateway.Console.Addressing;

namespace Gateway.Console.Tests.Unit;

public sealed class GatewayAddressTests
{
    [Theory]
    [InlineData("127.0.0.1:7010", "Tcp", "127.0.0.1", 7010, "tcp://127.0.0.1:7010")]
    [InlineData("tcp://gw.local:7010", "Tcp", "gw.local", 7010, "tcp://gw.local:7010")]
    [InlineData("ws://127.0.0.1:7011", "WebSocket", "127.0.0.1", 7011, "ws://127.0.0.1:7011/ws")]
    [InlineData("ws://127.0.0.1:7011/ws", "WebSocket", "127.0.0.1", 7011, "ws://127.0.0.1:7011/ws")]
    [InlineData("ws://[::1]:7011/other", "WebSocket", "::1", 7011, "ws://[::1]:7011/other")]
    [InlineData("udp://127.0.0.1:7012", "Udp", "127.0.0.1", 7012, "udp://127.0.0.1:7012")]
    [InlineData("UDP://127.0.0.1:7012/", "Udp", "127.0.0.1", 7012, "udp://127.0.0.1:7012")]
    [InlineData("listen://127.0.0.1:7009/pi-01", "Listen", "127.0.0.1", 7009, "listen://127.0.0.1:7009/pi-01")]
    [InlineData("mqtt://127.0.0.1:1883/gateway/pi-01", "Mqtt", "127.0.0.1", 1883, "mqtt://127.0.0.1:1883/gateway/pi-01")]
    [InlineData("MQTT://broker.lan:1883/gateway/pi-01/", "Mqtt", "broker.lan", 1883, "mqtt://broker.lan:1883/gateway/pi-01")]
    [InlineData("mqtt://[::1]:1884/site/a/pi-01", "Mqtt", "::1", 1884, "mqtt://[::1]:1884/site/a/pi-01")]
    [InlineData("tls://gw.local:7010", "Tcp", "gw.local", 7010, "tls://gw.local:7010")]
    [InlineData("wss://127.0.0.1:7011", "WebSocket", "127.0.0.1", 7011, "wss://127.0.0.1:7011/ws")]
    [InlineData("WSS://[::1]:7011/other", "WebSocket", "::1", 7011, "wss://[::1]:7011/other")]
    public void Every_documented_form_parses_to_its_transport_and_endpoint(string text, string transport, string host, int port, string shown)
    {
        var address = GatewayAddress.Parse(text);

        Assert.Equal(Enum.Parse<TransportKind>(transport), address.Transport);
        Assert.Equal(host, address.Endpoint.Host);
        Assert.Equal(port, address.Endpoint.Port);
        Assert.Equal(shown, address.ToString());
    }

    [Theory]
    [InlineData("tls://127.0.0.1:7010", true)]
    [InlineData("wss://127.0.0.1:7011/ws", true)]
    [InlineData("tcp://127.0.0.1:7010", false)]
    [InlineData("ws://127.0.0.1:7011/ws", false)]
    [InlineData("127.0.0.1:7010", false)]
    public void Only_tls_and_wss_addresses_are_tls(string text, bool tls)
    {
        Assert.Equal(tls, GatewayAddress.Parse(text).Tls);
    }

    [Fact]
    public void A_listen_address_names_the_device_to_relay_to()
    {
        Assert.Equal("pi-01", GatewayAddress.Parse("listen://127.0.0.1:7009/pi-01").Device);
        Assert.Null(GatewayAddress.Parse("tcp://127.0.0.1:7009").Device);
    }

    [Theory]
    [InlineData("mqtt://127.0.0.1:1883/gateway/pi-01", "gateway/pi-01", "pi-01")]
    [InlineData("mqtt://127.0.0.1:1883/gateway/pi-01/", "gateway/pi-01", "pi-01")]
    [InlineData("mqtt://127.0.0.1:1883//gateway/pi-01", "/gateway/pi-01", "pi-01")]
    [InlineData("mqtt://127.0.0.1:1883/plant/pi-01/telemetry", "plant/pi-01/telemetry", "telemetry")]
    [InlineData("mqtt://127.0.0.1:1883/site/not a device", "site/not a device", null)]
    public void An_mqtt_address_carries_the_topic_prefix_and_takes_the_device_from_its_last_level(string text, string prefix, string? device)
    {
        var address = GatewayAddress.Parse(text);

        Assert.Equal(prefix, address.Path);
        Assert.Equal(device, address.Device);
    }

    [Theory]
    [InlineData("127.0.0.1", "no port")]
    [InlineData("127.0.0.1:0", "1 to 65535")]
    [InlineData("127.0.0.1:70000", "1 to 65535")]
    [InlineData("::1:7000", "brackets")]
    [InlineData("http://127.0.0.1:7000", "unknown scheme 'http://'")]
    [InlineData("tls://127.0.0.1:7000/ws", "a tls:// address has no path")]
    [InlineData("tls://127.0.0.1", "no port")]
    [InlineData("tcp://127.0.0.1:7000/ws", "no path")]
    [InlineData("listen://127.0.0.1:7009", "name the device")]
    [InlineData("listen://127.0.0.1:7009/bad device", "name the device")]
    [InlineData("tcp://bad_host!:7000", "not a host name")]
    [InlineData("mqtt://127.0.0.1:1883", "name the gateway's topic prefix")]
    [InlineData("mqtt://127.0.0.1:1883/", "name the gateway's topic prefix")]
    [InlineData("mqtt://127.0.0.1/gateway/pi-01", "no port")]
    [InlineData("mqtt://127.0.0.1:1883/gateway/+", "holds a wildcard")]
    [InlineData("mqtt://127.0.0.1:1883/gateway/#", "holds a wildcard")]
    [InlineData("mqtt://127.0.0.1:1883/gateway/pi\u0000", "U+0000")]
    [InlineData("mqtts://127.0.0.1:8883/gateway/pi-01", "TLS to the broker is not supported")]
    [InlineData("mqtt://gw:secret@127.0.0.1:1883/gateway/pi-01", "credentials do not go in the address")]
    public void A_malformed_address_is_refused_saying_what_is_wrong(string text, string expected)
    {
        var ex = Assert.Throws<FormatException>(() => GatewayAddress.Parse(text));

        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_password_in_an_mqtt_address_is_not_repeated_in_the_error()
    {
        var ex = Assert.Throws<FormatException>(() => GatewayAddress.Parse("mqtt://gw:hunter2@127.0.0.1:1883/gateway/pi-01"));

        Assert.DoesNotContain("hunter2", ex.Message, StringComparison.Ordinal);
        Assert.Contains("--mqtt-password-file", ex.Message, StringComparison.Ordinal);
    }
}
