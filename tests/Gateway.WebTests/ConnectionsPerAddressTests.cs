using System.Net;
using Gateway.Web;

namespace Gateway.WebTests;

/// <summary>Connections counted per address: one address cannot take every slot.</summary>
public sealed class ConnectionsPerAddressTests
{
    [Fact]
    public void An_address_at_its_limit_is_refused_while_another_gets_in_and_closing_frees_a_slot()
    {
        var counter = new ConnectionsPerAddress(2);
        var a = IPAddress.Parse("192.0.2.1");
        Assert.True(counter.TryOpen(a));
        Assert.True(counter.TryOpen(a));
        Assert.False(counter.TryOpen(a));
        Assert.False(counter.TryOpen(IPAddress.Parse("::ffff:192.0.2.1")));
        Assert.True(counter.TryOpen(IPAddress.Parse("192.0.2.2")));
        counter.Close(a);
        Assert.Equal(1, counter.OpenFrom(a));
        Assert.True(counter.TryOpen(a));
        counter.Close(a);
        counter.Close(a);
        counter.Close(a); // more closes than opens change nothing
        Assert.Equal(0, counter.OpenFrom(a));
    }
}
