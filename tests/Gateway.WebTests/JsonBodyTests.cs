using System.Text;
using Gateway.Web;

namespace Gateway.WebTests;

/// <summary>Request bodies parsed as hostile bytes: only a well-formed object with unique names gets through.</summary>
public sealed class JsonBodyTests
{
    [Theory]
    [InlineData("{\"token\":\"\\ud800\"}", "Unicode")]
    [InlineData("{\"token\":\"\\udfff\"}", "Unicode")]
    [InlineData("{\"a\":{\"b\":[\"ok\",\"\\ud83d\"]}}", "$.a.b[1]")]
    [InlineData("{\"\\ud800\":1}", "member name")]
    [InlineData("{\"a\":1,\"a\":2}", "duplicate")]
    [InlineData("{\"args\":{\"output\":\"led\",\"output\":\"relay\"}}", "duplicate")]
    [InlineData("[1]", "object")]
    [InlineData("\"text\"", "object")]
    [InlineData("{\"a\":", "not valid JSON")]
    [InlineData("", "not valid JSON")]
    [InlineData("{\"a\":1,}", "not valid JSON")]
    [InlineData("{\"a\":1}/**/", "not valid JSON")]
    public void A_body_that_is_not_a_clean_object_is_refused_with_the_reason(string json, string reason)
    {
        Assert.False(JsonBody.TryParse(Encoding.UTF8.GetBytes(json), out var body, out var error));
        Assert.Null(body);
        Assert.Contains(reason, error, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Nesting_beyond_the_limit_is_refused_and_does_not_overflow_the_stack()
    {
        var deep = new string('[', 100_000) + new string(']', 100_000);
        Assert.False(JsonBody.TryParse(Encoding.UTF8.GetBytes("{\"a\":" + deep + "}"), out _, out var error));
        Assert.Contains("too deep", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Invalid_utf8_is_refused()
    {
        byte[] bytes = [.. "{\"token\":\""u8, 0xC3, 0x28, .. "\"}"u8];
        Assert.False(JsonBody.TryParse(bytes, out _, out var error));
        Assert.NotNull(error);
    }

    [Fact]
    public void A_clean_object_comes_through_with_its_values_and_a_surrogate_pair_is_fine()
    {
        Assert.True(JsonBody.TryParse("{\"name\":\"output.set\",\"args\":{\"output\":\"relay\",\"on\":true,\"note\":\"\\ud83d\\ude00\"}}"u8.ToArray(), out var body, out var error));
        Assert.Null(error);
        Assert.Equal("output.set", body!["name"]!.GetValue<string>());
        Assert.Equal("\U0001F600", body["args"]!["note"]!.GetValue<string>());
    }
}
