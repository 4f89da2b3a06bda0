using Gateway.Console.Upstream;

namespace Gateway.Console.Tests.Unit;

public sealed class SeqSetTests
{
    [Fact]
    public void Contiguous_seqs_are_one_range_and_a_repeat_is_not_new()
    {
        var set = new SeqSet();
        for (var seq = 1; seq <= 1000; seq++)
        {
            Assert.True(set.Add(seq));
        }

        Assert.False(set.Add(500));
        Assert.Equal([(1L, 1000L)], set.Ranges);
        Assert.Equal(1000, set.Count);
    }

    [Fact]
    public void Out_of_order_seqs_merge_when_the_hole_between_them_fills()
    {
        var set = new SeqSet();
        set.Add(1);
        set.Add(5);
        set.Add(3);
        Assert.Equal([(1L, 1L), (3L, 3L), (5L, 5L)], set.Ranges);
        Assert.Equal([(2L, 2L), (4L, 4L)], set.Holes());

        set.Add(2);
        set.Add(4);

        Assert.Equal([(1L, 5L)], set.Ranges);
        Assert.Empty(set.Holes());
        Assert.Equal(5, set.Count);
    }

    [Fact]
    public void A_range_counts_only_the_numbers_it_adds()
    {
        var set = new SeqSet();
        set.AddRange(10, 20);
        set.AddRange(30, 40);

        Assert.Equal(9, set.AddRange(15, 35)); // 21..29 are new
        Assert.Equal([(10L, 40L)], set.Ranges);
        Assert.Equal(31, set.Count);
    }

    [Fact]
    public void Missing_lists_what_a_span_lacks()
    {
        var set = new SeqSet();
        set.AddRange(3, 5);
        set.AddRange(8, 9);

        Assert.Equal([(1L, 2L), (6L, 7L), (10L, 12L)], set.Missing(1, 12));
        Assert.Empty(set.Missing(3, 5));
        Assert.Equal([(7L, 7L)], set.Missing(7, 7));
    }

    [Fact]
    public void Scattered_seqs_beyond_the_bound_merge_the_lowest_ranges_so_memory_stays_bounded()
    {
        var set = new SeqSet(maxRanges: 4);
        foreach (var seq in new long[] { 1, 3, 5, 7, 9, 11 })
        {
            set.Add(seq);
        }

        Assert.Equal(4, set.Ranges.Count);
        Assert.Equal((1L, 5L), set.Ranges[0]); // 1..5 merged: 2 and 4 now count as seen
        Assert.True(set.Contains(2));
        Assert.Equal(8, set.Count); // 1..5, 7, 9, 11
        Assert.False(set.Contains(10)); // the newest ranges stay exact
    }

    [Fact]
    public void Seqs_outside_one_to_two_to_the_53_are_refused()
    {
        var set = new SeqSet();
        Assert.Throws<ArgumentOutOfRangeException>(() => set.Add(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => set.Add(SeqSet.MaxSeq + 1));
        Assert.True(set.Add(SeqSet.MaxSeq));
    }
}
