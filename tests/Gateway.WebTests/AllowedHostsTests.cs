using System.Net;
using Gateway.Web;

namespace Gateway.WebTests;

/// <summary>The Host names the console answers to (DNS rebinding: a foreign name is never served).</summary>
public sealed class AllowedHostsTests
{
    [Theory]
    [InlineData("127.0.0.1", 8080, true)]
    [InlineData("127.0.0.1", null, true)]
    [InlineData("localhost", 8080, true)]
    [InlineData("LOCALHOST", 8080, true)]
    [InlineData("gateway.local", 8080, true)]
    [InlineData("gateway.local", 443, true)]
    [InlineData("127.0.0.1", 8081, false)]
    [InlineData("127.0.0.2", 8080, false)]
    [InlineData("attacker.example", 8080, false)]
    [InlineData("2130706433", 8080, false)]
    [InlineData("127.1", 8080, false)]
    [InlineData("", 8080, false)]
    [InlineData(null, null, false)]
    public void A_console_on_loopback_answers_to_its_address_localhost_and_configured_names(string? host, int? port, bool allowed)
    {
        var hosts = new AllowedHosts(IPAddress.Loopback, 8080, ["gateway.local"]);
        Assert.Equal(allowed, hosts.Allows(host, port));
    }

    [Theory]
    [InlineData("192.168.1.20", true)]
    [InlineData("[fe80::1]", true)]
    [InlineData("localhost", false)]
    [InlineData("pi.attacker.example", false)]
    public void A_console_on_every_interface_answers_to_any_address_literal_but_not_to_names(string host, bool allowed)
    {
        var hosts = new AllowedHosts(IPAddress.Any, 8080, []);
        Assert.Equal(allowed, hosts.Allows(host, 8080));
    }

    [Fact]
    public void An_IPv6_console_answers_to_its_bracketed_literal()
    {
        var hosts = new AllowedHosts(IPAddress.IPv6Loopback, 8080, []);
        Assert.True(hosts.Allows("[::1]", 8080));
        Assert.True(hosts.Allows("localhost", 8080));
        Assert.False(hosts.Allows("::1", 8080));
    }
}
