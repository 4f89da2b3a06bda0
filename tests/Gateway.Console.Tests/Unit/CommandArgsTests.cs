using Gateway.Console.Commanding;

namespace Gateway.Console.Tests.Unit;

public sealed class CommandArgsTests
{
    [Fact]
    public void Booleans_and_numbers_are_typed_and_everything_else_is_text_in_canonical_order()
    {
        var json = CommandArgs.ToJson(["output=relay", "on=true", "for=5s", "deadband=0.25", "interval=-3"]);

        Assert.Equal("""{"deadband":0.25,"for":"5s","interval":-3,"on":true,"output":"relay"}""", json);
    }

    [Theory]
    [InlineData("x=007", """{"x":"007"}""")] // not a JSON number: leading zero
    [InlineData("x=1.", """{"x":"1."}""")]
    [InlineData("x=0x10", """{"x":"0x10"}""")]
    [InlineData("x=True", """{"x":"True"}""")] // JSON's booleans are lower case
    [InlineData("x=", """{"x":""}""")]
    [InlineData("x=a=b", """{"x":"a=b"}""")] // only the first '=' separates
    [InlineData("x=1e3", """{"x":1000}""")] // RFC 8785 writes numbers as ECMAScript does
    public void Only_exact_json_numbers_and_booleans_are_typed(string pair, string expected)
    {
        Assert.Equal(expected, CommandArgs.ToJson([pair]));
    }

    [Fact]
    public void Colon_equals_takes_any_json_value_exactly()
    {
        var json = CommandArgs.ToJson(["output:=\"7\"", "list:=[1,2]", "nested:={\"b\":1,\"a\":2}"]);

        Assert.Equal("""{"list":[1,2],"nested":{"a":2,"b":1},"output":"7"}""", json);
    }

    [Fact]
    public void No_arguments_is_the_empty_object()
    {
        Assert.Equal("{}", CommandArgs.ToJson([]));
    }

    [Theory]
    [InlineData("novalue", "expected name=value")]
    [InlineData("=x", "expected name=value")]
    [InlineData(":=1", "the name is empty")]
    [InlineData("x:={oops", "needs a JSON value")]
    public void A_malformed_pair_is_refused_with_the_expected_form(string pair, string expected)
    {
        var ex = Assert.Throws<FormatException>(() => CommandArgs.ToJson([pair]));

        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_name_given_twice_is_refused()
    {
        var ex = Assert.Throws<FormatException>(() => CommandArgs.ToJson(["on=true", "on=false"]));

        Assert.Contains("'on' is given twice", ex.Message, StringComparison.Ordinal);
    }
}
