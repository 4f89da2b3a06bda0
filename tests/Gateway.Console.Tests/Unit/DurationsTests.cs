using Gateway.Console.Cli;

namespace Gateway.Console.Tests.Unit;

public sealed class DurationsTests
{
    [Theory]
    [InlineData("500ms", 500)]
    [InlineData("10s", 10_000)]
    [InlineData("1.5s", 1_500)]
    [InlineData("2m", 120_000)]
    [InlineData("1h", 3_600_000)]
    [InlineData("00:00:05", 5_000)]
    public void Durations_are_written_as_in_the_gateways_configuration(string text, int milliseconds)
    {
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), Durations.Parse(text));
    }

    [Theory]
    [InlineData("10", "has no unit")]
    [InlineData("10 parsecs", "unknown unit")]
    [InlineData("0s", "not a positive duration")]
    [InlineData("soon", "is not a duration")]
    public void Anything_else_is_refused_saying_why(string text, string expected)
    {
        var ex = Assert.Throws<FormatException>(() => Durations.Parse(text));

        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }
}
