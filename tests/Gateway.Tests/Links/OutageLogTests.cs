using Gateway.Links;
using Microsoft.Extensions.Time.Testing;

namespace Gateway.Tests.Links;

public sealed class OutageLogTests
{
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public void The_first_failure_is_reported_and_the_same_again_within_a_minute_is_not()
    {
        var log = new OutageLog(_time);

        Assert.Equal(OutageLine.Report, log.Failed("Connection refused").Line);
        for (var i = 0; i < 20; i++)
        {
            _time.Advance(TimeSpan.FromSeconds(2.5));
            Assert.Equal(OutageLine.None, log.Failed("Connection refused").Line);
        }
    }

    [Fact]
    public void A_link_that_stays_down_writes_one_summary_a_minute_counting_every_attempt()
    {
        var log = new OutageLog(_time);
        log.Failed("Connection refused");
        var lines = new List<OutageEntry>();

        // 2.5 minutes of retries every 5 s: 30 more failures, which used to be 30 warnings.
        for (var i = 0; i < 30; i++)
        {
            _time.Advance(TimeSpan.FromSeconds(5));
            var entry = log.Failed("Connection refused");
            if (entry.Line != OutageLine.None)
            {
                lines.Add(entry);
            }
        }

        Assert.Equal(2, lines.Count);
        Assert.All(lines, l => Assert.Equal(OutageLine.Summary, l.Line));
        Assert.Equal(13, lines[0].Failures); // at 60 s: the first and 12 more
        Assert.Equal(12, lines[0].Unreported);
        Assert.Equal(TimeSpan.FromSeconds(60), lines[0].DownFor);
        Assert.Equal(25, lines[1].Failures);
        Assert.Equal(TimeSpan.FromSeconds(120), lines[1].DownFor);
    }

    [Fact]
    public void A_different_problem_is_reported_at_once()
    {
        var log = new OutageLog(_time);
        log.Failed("Connection refused");
        _time.Advance(TimeSpan.FromSeconds(1));

        var changed = log.Failed("stalled: no acknowledgement within 10 s");

        Assert.Equal(OutageLine.Report, changed.Line);
        Assert.Equal(2, changed.Failures);
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(OutageLine.None, log.Failed("stalled: no acknowledgement within 10 s").Line);
    }

    [Fact]
    public void Recovery_tells_how_long_the_outage_lasted_and_a_later_failure_is_a_new_first_one()
    {
        var log = new OutageLog(_time);
        Assert.Null(log.Recovered()); // up without an outage: nothing to say

        log.Failed("Connection refused");
        _time.Advance(TimeSpan.FromSeconds(30));
        log.Failed("Connection refused");
        _time.Advance(TimeSpan.FromSeconds(12));
        var outage = log.Recovered();

        Assert.NotNull(outage);
        Assert.Equal(2, outage.Value.Failures);
        Assert.Equal(TimeSpan.FromSeconds(42), outage.Value.DownFor);
        Assert.Null(log.Recovered());

        _time.Advance(TimeSpan.FromMinutes(5));
        var again = log.Failed("Connection refused");
        Assert.Equal(OutageLine.Report, again.Line);
        Assert.Equal(1, again.Failures);
        Assert.Equal(TimeSpan.Zero, again.DownFor);
    }
}
