using Gateway.Mqtt.Client;

namespace Gateway.Mqtt.Tests.Client;

/// <summary>Packet identifiers: 1–65535, never 0 [MQTT-2.3.1-1], never one in use [MQTT-2.3.1-2].</summary>
public sealed class PacketIdentifierPoolTests
{
    [Fact]
    public void Identifiers_start_at_1_and_wrap_past_65535_skipping_0_and_those_in_use()
    {
        var pool = new PacketIdentifierPool();
        Assert.Equal(1, pool.Allocate());
        var held = pool.Allocate(); // 2 stays in use
        for (var i = 3; i <= ushort.MaxValue; i++)
        {
            pool.Release(pool.Allocate());
        }

        pool.Release(1);
        Assert.Equal(1, pool.Allocate()); // wrapped, skipping 0
        Assert.Equal(3, pool.Allocate()); // skipping 2, which is still in flight
        Assert.Equal(2, held);
        Assert.Equal(3, pool.Count);
    }

    [Fact]
    public void All_65535_identifiers_in_use_is_an_error_not_a_reuse()
    {
        var pool = new PacketIdentifierPool();
        var seen = new HashSet<ushort>();
        for (var i = 0; i < ushort.MaxValue; i++)
        {
            Assert.True(seen.Add(pool.Allocate()));
        }

        Assert.DoesNotContain((ushort)0, seen);
        Assert.Throws<InvalidOperationException>(() => pool.Allocate());
    }

    [Fact]
    public void Releasing_an_identifier_not_in_use_is_an_error()
    {
        var pool = new PacketIdentifierPool();
        Assert.Throws<InvalidOperationException>(() => pool.Release(5));
        Assert.Throws<InvalidOperationException>(() => pool.Release(0));
    }
}
