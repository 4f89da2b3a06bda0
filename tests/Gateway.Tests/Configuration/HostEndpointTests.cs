using Gateway.Configuration;

namespace Gateway.Tests.Configuration;

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
}
