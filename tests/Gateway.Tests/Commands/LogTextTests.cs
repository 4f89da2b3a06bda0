using Gateway.Commands;

namespace Gateway.Tests.Commands;

public sealed class LogTextTests
{
    [Theory]
    [InlineData("output.set", "output.set")]
    [InlineData("\u001b[2J\u001b[31mpwned", "\\u001b[2J\\u001b[31mpwned")]
    [InlineData("line\nforged: ok", "line\\u000aforged: ok")]
    [InlineData("a\\u001b", "a\\\\u001b")]
    [InlineData("\u202eevil", "\\u202eevil")]
    [InlineData("del\u007f c1\u0085", "del\\u007f c1\\u0085")]
    [InlineData("\ud83d\ude00 pair kept", "\ud83d\ude00 pair kept")]
    public void Control_characters_bidi_overrides_and_backslashes_from_outside_are_escaped(string text, string expected) =>
        Assert.Equal(expected, LogText.Escape(text));

    [Fact]
    public void A_lone_surrogate_is_escaped_so_the_line_stays_valid_utf8()
    {
        Assert.Equal("x\\ud800y\\udfff", LogText.Escape("x\ud800y\udfff"));
    }

    [Fact]
    public void Long_text_is_cut_and_says_how_much_was_left_out()
    {
        var escaped = LogText.Escape(new string('a', LogText.MaxChars + 88))!;

        Assert.StartsWith(new string('a', LogText.MaxChars), escaped, StringComparison.Ordinal);
        Assert.EndsWith("…(88 more characters)", escaped, StringComparison.Ordinal);
    }

    [Fact]
    public void Null_stays_null() => Assert.Null(LogText.Escape(null));
}
