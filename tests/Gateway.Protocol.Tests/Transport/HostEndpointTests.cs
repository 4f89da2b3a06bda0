using Gateway.Protocol.Transport;

namespace Gateway.Protocol.Tests.Transport;

/// <summary>The one host:port parser of the gateway's configuration and gwctl's command line.</summary>
public class HostEndpointTests
{
    [Theory]
    [InlineData("127.0.0.1:7000", "127.0.0.1", 7000)]
    [InlineData("localhost:1", "localhost", 1)]
    [InlineData("gateway.local:65535", "gateway.local", 65535)]
    [InlineData("[::1]:7001", "::1", 7001)]
    [InlineData("[fe80::1]:80", "fe80::1", 80)]
    public void Reads_host_and_port(string text, string host, int port)
    {
        Assert.True(HostEndpoint.TryParse(text, out var endpoint));
        Assert.Equal(new HostEndpoint(host, port), endpoint);
    }

    [Theory]
    [InlineData("nohost")]
    [InlineData("host:")]
    [InlineData(":7000")]
    [InlineData("host:0")]
    [InlineData("host:65536")]
    [InlineData("host:-1")]
    [InlineData("host:70a")]
    [InlineData("::1:7000")]
    [InlineData("[::1]")]
    [InlineData("[::1]7000")]
    [InlineData("[not-ip]:7000")]
    [InlineData("bad_host:7000")]
    [InlineData("-bad.example:7000")]
    [InlineData("http://host:7000")]
    [InlineData("")]
    public void Refuses_anything_but_exactly_host_and_port(string text)
        => Assert.False(HostEndpoint.TryParse(text, out _));

    [Theory]
    [InlineData("127.0.0.1:1", true)]
    [InlineData("127.8.9.10:1", true)]
    [InlineData("[::1]:1", true)]
    [InlineData("localhost:1", true)]
    [InlineData("0.0.0.0:1", false)]
    [InlineData("192.168.1.10:1", false)]
    public void Knows_loopback_addresses(string text, bool loopback)
    {
        Assert.True(HostEndpoint.TryParse(text, out var endpoint));
        Assert.Equal(loopback, endpoint!.IsLoopback);
    }

    [Fact]
    public void Writes_IPv6_hosts_in_brackets()
    {
        Assert.True(HostEndpoint.TryParse("[::1]:7001", out var endpoint));
        Assert.Equal("[::1]:7001", endpoint!.ToString());
    }

    [Theory]
    [InlineData("127.0.0.1", "'127.0.0.1' has no port")]
    [InlineData("", "'' has no port")]
    [InlineData("::1:7000", "an IPv6 address goes in brackets")]
    [InlineData("[::1]", "is not host:port")]
    [InlineData("[not-ip]:7000", "'not-ip' in brackets is not an IPv6 address")]
    [InlineData("[127.0.0.1]:7000", "in brackets is not an IPv6 address")]
    [InlineData("bad_host!:7000", "'bad_host!' is not a host name or IP address")]
    [InlineData("host:0", "'0' is not a port; expected a number from 1 to 65535")]
    [InlineData("host:65536", "'65536' is not a port")]
    [InlineData("host: 7000", "' 7000' is not a port")]
    public void A_malformed_endpoint_is_refused_saying_what_is_wrong(string text, string expected)
    {
        Assert.False(HostEndpoint.TryParse(text, allowPortZero: false, out var endpoint, out var error));
        Assert.Null(endpoint);
        Assert.Contains(expected, error, StringComparison.Ordinal);
        Assert.Equal(error, Assert.Throws<FormatException>(() => HostEndpoint.Parse(text)).Message);
    }

    [Theory]
    [InlineData("127.0.0.1:0")]
    [InlineData("[::1]:0")]
    [InlineData("localhost:0")]
    public void Port_zero_is_only_for_listening(string text)
    {
        Assert.Equal(0, HostEndpoint.Parse(text, allowPortZero: true).Port);
        Assert.False(HostEndpoint.TryParse(text, out _));
        Assert.Throws<FormatException>(() => HostEndpoint.Parse(text));
    }

    [Fact]
    public void Surrounding_white_space_is_ignored()
    {
        Assert.Equal(new HostEndpoint("gw.local", 7000), HostEndpoint.Parse("  gw.local:7000 \n"));
    }

    [Fact]
    public void A_listening_address_must_be_an_ip_or_localhost()
    {
        Assert.Equal(System.Net.IPAddress.Loopback, HostEndpoint.Parse("localhost:1").BindAddress());
        Assert.Equal(System.Net.IPAddress.Any, HostEndpoint.Parse("0.0.0.0:1").BindAddress());
        Assert.Equal(System.Net.IPAddress.IPv6Loopback, HostEndpoint.Parse("[::1]:1").BindAddress());
        var error = Assert.Throws<FormatException>(() => HostEndpoint.Parse("gw.local:1").BindAddress());
        Assert.Contains("'gw.local': a listening address must be an IP address", error.Message, StringComparison.Ordinal);
    }
}
