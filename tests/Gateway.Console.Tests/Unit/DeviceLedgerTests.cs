using Gateway.Console.Upstream;

namespace Gateway.Console.Tests.Unit;

public sealed class DeviceLedgerTests
{
    [Fact]
    public void A_redelivered_seq_is_a_duplicate_and_counted()
    {
        var ledger = new DeviceLedger();

        Assert.True(ledger.Accept(1));
        Assert.True(ledger.Accept(2));
        Assert.False(ledger.Accept(1));
        Assert.False(ledger.Accept(2));

        Assert.Equal(2, ledger.Duplicates);
        Assert.Equal(2, ledger.Seen.Count);
    }

    [Fact]
    public void A_hole_is_missing_until_a_gap_announces_it()
    {
        var ledger = new DeviceLedger();
        ledger.Accept(1);
        ledger.Accept(10);
        Assert.Equal([(2L, 9L)], ledger.Missing());
        Assert.Equal(8, ledger.MissingCount());

        Assert.Equal(5, ledger.Announce(2, 6));

        Assert.Equal([(7L, 9L)], ledger.Missing());
        Assert.Equal(3, ledger.MissingCount());
        Assert.Equal(0, ledger.Announce(3, 4)); // already known
    }

    [Fact]
    public void Unaccounted_leaves_out_seqs_received_on_another_link_and_announced_gaps()
    {
        var ledger = new DeviceLedger();
        ledger.Accept(5); // came over the other link
        ledger.Announce(8, 9);

        Assert.Equal([(3L, 4L), (6L, 7L), (10L, 10L)], ledger.Unaccounted(3, 10));
    }
}
