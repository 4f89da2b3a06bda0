using Gateway.Configuration;

namespace Gateway.Tests.Configuration;

public class DurationParserTests
{
    [Theory]
    [InlineData("500ms", 500)]
    [InlineData("5s", 5_000)]
    [InlineData("1.5s", 1_500)]
    [InlineData("2m", 120_000)]
    [InlineData("1h", 3_600_000)]
    [InlineData("1d", 86_400_000)]
    [InlineData("00:00:05", 5_000)]
    [InlineData("00:00:00.250", 250)]
    [InlineData(" 10S ", 10_000)]
    public void Reads_units_and_the_constant_format(string text, int expectedMilliseconds)
    {
        Assert.True(DurationParser.TryParse(text, out var duration));
        Assert.Equal(TimeSpan.FromMilliseconds(expectedMilliseconds), duration);
    }

    [Theory]
    [InlineData("-5s")]
    [InlineData("-00:00:05")]
    [InlineData("5")]
    [InlineData("s")]
    [InlineData("five seconds")]
    [InlineData("5 s s")]
    [InlineData("")]
    [InlineData(null)]
    [InlineData("99999999999999999999d")]
    public void Refuses_negative_unitless_and_malformed_durations(string? text)
        => Assert.False(DurationParser.TryParse(text, out _));

    [Theory]
    [InlineData(250, "250ms")]
    [InlineData(5_000, "5s")]
    [InlineData(120_000, "2m")]
    [InlineData(7_200_000, "2h")]
    [InlineData(86_400_000, "1d")]
    public void Formats_in_the_shortest_unit_it_reads_back(int milliseconds, string expected)
    {
        var text = DurationParser.Format(TimeSpan.FromMilliseconds(milliseconds));
        Assert.Equal(expected, text);
        Assert.True(DurationParser.TryParse(text, out var back));
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), back);
    }
}
