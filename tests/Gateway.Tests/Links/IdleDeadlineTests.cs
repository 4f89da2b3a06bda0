using Gateway.Links;
using Microsoft.Extensions.Time.Testing;

namespace Gateway.Tests.Links;

public class IdleDeadlineTests
{
    [Fact]
    public void Only_a_valid_message_starts_the_clock_over()
    {
        var time = new FakeTimeProvider();
        var idle = new IdleDeadline(TimeSpan.FromSeconds(10), time);

        time.Advance(TimeSpan.FromSeconds(6));
        Assert.Equal(TimeSpan.FromSeconds(4), idle.Remaining);
        idle.MarkActive();
        Assert.Equal(TimeSpan.FromSeconds(10), idle.Remaining);

        // Anything else (an empty line, a line that does not parse) leaves the clock running out.
        time.Advance(TimeSpan.FromSeconds(10));
        Assert.True(idle.Remaining <= TimeSpan.Zero);
    }
}
