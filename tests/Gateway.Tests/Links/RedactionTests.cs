using Gateway.Links;

namespace Gateway.Tests.Links;

public class RedactionTests
{
    [Theory]
    [InlineData("ws://user:pw@collector.local:8080/ws?access_token=abc123", "ws://(redacted)@collector.local:8080/ws?access_token=(redacted)")]
    [InlineData("wss://collector.local/ingest?token=a&site=b#frag", "wss://collector.local/ingest?token=(redacted)&site=(redacted)#(redacted)")]
    [InlineData("wss://collector.local/ingest?s3cr3t", "wss://collector.local/ingest?(redacted)")]
    [InlineData("ws://only-user@[::1]:7001/", "ws://(redacted)@[::1]:7001/")]
    [InlineData("ws://a:b@c@host/p", "ws://(redacted)@host/p")]
    [InlineData("ws://127.0.0.1:7001/ws", "ws://127.0.0.1:7001/ws")]
    [InlineData("collector.local:7000", "collector.local:7000")]
    [InlineData("mqtt://broker:1883", "mqtt://broker:1883")]
    [InlineData("", "")]
    public void Userinfo_query_values_and_fragments_of_a_url_are_redacted(string shown, string expected)
        => Assert.Equal(expected, Redaction.Redact(shown));

    [Fact]
    public void Every_url_inside_a_text_is_redacted_and_the_rest_is_kept()
    {
        var text = "the upstream at ws://u:p@h:1/ws?k=v did not accept the subprotocol; also see http://x:y@z/ (retry)";

        Assert.Equal("the upstream at ws://(redacted)@h:1/ws?k=(redacted) did not accept the subprotocol; also see http://(redacted)@z/ (retry)", Redaction.Redact(text));
    }

    [Theory]
    [InlineData("Gateway:Upstream:Mqtt:Username", "gw-user", "(redacted)")]
    [InlineData("Gateway:Upstream:Mqtt:Links:b:Username", "gw-user", "(redacted)")]
    [InlineData("Gateway:Upstream:WebSocket:Url", "ws://u:p@h/ws?t=1", "ws://(redacted)@h/ws?t=(redacted)")]
    [InlineData("Gateway:DeviceId", "pi-01", "pi-01")]
    [InlineData("Gateway:StateDirectory", "/var/lib/gateway", "/var/lib/gateway")]
    public void A_configuration_value_is_shown_without_credentials(string key, string value, string expected)
        => Assert.Equal(expected, Redaction.ConfigurationValue(key, value));
}
