using System.Text.Json;
using Gateway.Protocol.Commands;

namespace Gateway.Protocol.Tests;

/// <summary>RFC 8785 (JCS): the vectors of the RFC itself.</summary>
public class JsonCanonicalizerTests
{
    private static string Canonical(string json)
    {
        using var doc = JsonDocument.Parse(json);
        return JsonCanonicalizer.Canonicalize(doc.RootElement);
    }

    [Fact]
    public void The_example_of_rfc_8785_section_3_2_4_canonicalizes_to_the_rfcs_output()
    {
        const string input = """
            {
              "numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],
              "string": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/",
              "literals": [null, true, false]
            }
            """;
        const string expected = """{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\u000f\nA'B\"\\\\\"/"}""";

        Assert.Equal(expected, Canonical(input));
    }

    [Fact]
    public void Members_are_sorted_by_utf16_code_units_as_in_rfc_8785_section_3_2_3()
    {
        // The RFC's sorting example: \u20ac (€) 0x20AC sorts before \ud83d\ude00 (😀, surrogates 0xD83D…), "1" before "\u0080".
        const string input = """{"\u20ac":"Euro Sign","\r":"Carriage Return","\ufb33":"Hebrew Letter Dalet With Dagesh","1":"One","\ud83d\ude00":"Emoji: Grinning Face","\u0080":"Control","\u00f6":"Latin Small Letter O With Diaeresis"}""";
        var names = JsonDocument.Parse(Canonical(input)).RootElement.EnumerateObject().Select(p => p.Value.GetString()).ToList();

        Assert.Equal(["Carriage Return", "One", "Control", "Latin Small Letter O With Diaeresis", "Euro Sign", "Emoji: Grinning Face", "Hebrew Letter Dalet With Dagesh"], names);
    }

    [Theory]
    [InlineData(0.0, "0")]
    [InlineData(1.0, "1")]
    [InlineData(-1.5, "-1.5")]
    [InlineData(0.000001, "0.000001")]
    [InlineData(1e-7, "1e-7")]
    [InlineData(123456789012345680000.0, "123456789012345680000")]
    [InlineData(1e21, "1e+21")]
    [InlineData(9007199254740992.0, "9007199254740992")]
    [InlineData(5e-324, "5e-324")]
    [InlineData(1.7976931348623157e308, "1.7976931348623157e+308")]
    [InlineData(333333333.33333329, "333333333.3333333")]
    [InlineData(0.1, "0.1")]
    [InlineData(100.0, "100")]
    public void Numbers_are_printed_as_ecmascript_does(double value, string expected) =>
        Assert.Equal(expected, JsonCanonicalizer.FormatNumber(value));

    [Fact]
    public void Negative_zero_is_printed_as_zero() => Assert.Equal("0", JsonCanonicalizer.FormatNumber(-0.0));

    [Fact]
    public void Spelling_does_not_change_the_canonical_text() =>
        Assert.Equal(Canonical("""{"b": 1.0, "a": "x"}"""), Canonical("""{ "a":"\u0078","b":1 }"""));
}
