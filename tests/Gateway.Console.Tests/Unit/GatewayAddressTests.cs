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
    public void A_malformed_address_is_refused_saying_what_is_wrong(string text, string expected)
    {
        var ex = Assert.Throws<FormatException>(() => GatewayAddress.Parse(text));

        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }
}
