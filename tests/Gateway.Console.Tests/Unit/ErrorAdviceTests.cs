using System.Net.Sockets;
using Gateway.Console.Addressing;
using Gateway.Console.Cli;

namespace Gateway.Console.Tests.Unit;

public sealed class ErrorAdviceTests
{
    [Theory]
    [InlineData("127.0.0.1:7010", "connection refused at 127.0.0.1:7010: is the gateway running and its listener enabled? see Gateway:Listener:Tcp")]
    [InlineData("ws://127.0.0.1:7011", "connection refused at ws://127.0.0.1:7011/ws: is the gateway running and its WebSocket listener enabled? see Gateway:Listener:WebSocket")]
    [InlineData("tls://127.0.0.1:7010", "connection refused at tls://127.0.0.1:7010: is the gateway running and its listener enabled? see Gateway:Listener:Tcp")]
    [InlineData("udp://127.0.0.1:7012", "connection refused at udp://127.0.0.1:7012: is the gateway running and its UDP command port enabled? see Gateway:Listener:Udp")]
    [InlineData("listen://127.0.0.1:7009/pi-01", "connection refused at listen://127.0.0.1:7009/pi-01: is 'gwctl listen --control 127.0.0.1:7009' running?")]
    [InlineData("mqtt://127.0.0.1:1883/gateway/pi-01", "connection refused at mqtt://127.0.0.1:1883/gateway/pi-01: is the MQTT broker running there? it is the one in the gateway's Gateway:Upstream:Mqtt:Broker")]
    public void A_refused_connection_says_where_and_which_setting_to_check(string address, string message)
    {
        Assert.Equal(message, ErrorAdvice.ConnectFailed(GatewayAddress.Parse(address), SocketError.ConnectionRefused, "Connection refused", TimeSpan.FromSeconds(10)));
    }

    [Theory]
    [InlineData("tcp://127.0.0.1:7010", "; if the gateway has Gateway:Listener:Tls, that port speaks TLS: use tls://127.0.0.1:7010")]
    [InlineData("ws://127.0.0.1:7011", "; if the gateway has Gateway:Listener:Tls, that port speaks TLS: use wss://127.0.0.1:7011/ws")]
    [InlineData("tls://127.0.0.1:7010", "")]
    [InlineData("wss://127.0.0.1:7011", "")]
    [InlineData("udp://127.0.0.1:7012", "")]
    public void A_plain_address_that_gets_no_hello_is_told_its_port_may_speak_tls(string address, string hint)
    {
        Assert.Equal(hint, ErrorAdvice.PlainToTls(GatewayAddress.Parse(address)));
    }

    [Fact]
    public void An_unknown_host_name_suggests_discover()
    {
        var message = ErrorAdvice.ConnectFailed(GatewayAddress.Parse("gw.invalid:7000"), SocketError.HostNotFound, "Name or service not known", TimeSpan.Zero);

        Assert.Equal("cannot resolve 'gw.invalid': check the name, or give the IP address (gwctl discover lists the gateways on this network)", message);
    }

    [Theory]
    [InlineData(404, "the gateway's WebSocket listener is at the path /ws (ws://127.0.0.1:7011/ws)")]
    [InlineData(503, "Gateway:Listener:MaxConnections")]
    [InlineData(400, "subprotocol gateway.v1")]
    public void A_refused_websocket_upgrade_is_explained(int status, string expected)
    {
        Assert.Contains(expected, ErrorAdvice.WebSocketRefused(GatewayAddress.Parse("ws://127.0.0.1:7011/x"), status), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(10_000, "10s")]
    [InlineData(1_500, "1.5s")]
    [InlineData(250, "250ms")]
    public void Timeouts_are_written_as_typed(int milliseconds, string text)
    {
        Assert.Equal(text, ErrorAdvice.Seconds(TimeSpan.FromMilliseconds(milliseconds)));
    }
}
