using System.Text;
using Gateway.Protocol;
using Gateway.Protocol.Transport;

namespace Gateway.Protocol.Tests.Transport;

public sealed class InboundTests
{
    [Fact]
    public void An_error_the_peer_sent_is_a_message_not_a_problem_so_it_is_never_bounced_back()
    {
        var inbound = Inbound.Parse(Encoding.UTF8.GetBytes("""{"type":"error","code":"bad_field","message":"ack for seq 9"}"""));

        Assert.Null(inbound.Problem);
        Assert.Equal(new ErrorMessage("bad_field", "ack for seq 9"), inbound.Message);
    }

    [Theory]
    [InlineData("{not json", ErrorCodes.MalformedJson)]
    [InlineData("""{"type":"teleport"}""", ErrorCodes.UnknownType)]
    [InlineData("""{"type":"ack"}""", ErrorCodes.BadField)]
    [InlineData("""{"x":{"type":"error"},"type":"ack"}""", ErrorCodes.BadField)]
    public void A_line_that_is_not_a_valid_message_is_a_problem_to_answer(string line, string code)
    {
        var inbound = Inbound.Parse(Encoding.UTF8.GetBytes(line));

        Assert.Null(inbound.Message);
        Assert.Equal(code, inbound.Problem!.Code);
    }

    [Theory]
    [InlineData("""{"type":"error"}""")]
    [InlineData("""{"message":"x","type":"error","code":5}""")]
    public void A_malformed_error_from_the_peer_is_still_its_error_and_not_answered(string line)
    {
        var inbound = Inbound.Parse(Encoding.UTF8.GetBytes(line));

        Assert.Null(inbound.Problem);
        Assert.IsType<ErrorMessage>(inbound.Message);
    }

    [Fact]
    public void Invalid_utf8_is_a_problem()
    {
        var inbound = Inbound.Parse([(byte)'{', 0xC3, 0x28, (byte)'}']);

        Assert.Equal(ErrorCodes.InvalidUtf8, inbound.Problem!.Code);
    }

    // Issue 14: the parser answers a lone surrogate escape with an error, but what reads the line after it must not throw
    // on it either (System.Text.Json's ValueTextEquals and GetString throw InvalidOperationException on one): one
    // hostile line costs that line, never the connection.
    [Theory]
    [InlineData("""{"\udc00":1}""")]
    [InlineData("""{"type":"\ud800"}""")]
    [InlineData("""{"type":"error\udfff","code":"x","message":"y"}""")]
    public void A_lone_surrogate_escape_where_the_type_is_looked_for_is_a_problem_to_answer_not_an_exception(string line)
    {
        var inbound = Inbound.Parse(Encoding.UTF8.GetBytes(line));

        Assert.Null(inbound.Message);
        Assert.NotNull(inbound.Problem);
    }

    // Issue 17: the parse itself says whether the line calls itself an error (no second read of the line). A 'type' of
    // "error" read before the line goes wrong still makes it the peer's error: answering it could start an error loop.
    [Theory]
    [InlineData("""{"type":"error","code":"c","message":"m",}""")]
    [InlineData("""{"type":"error","code":"c","message":"m"} trailing""")]
    [InlineData("""{"type":"\u0065rror","code":"c","message":"m","x":[[[[[[[[[[1]]]]]]]]]]}""")]
    [InlineData("""{"code":"c","type":"error","code":"again","message":"m"}""")]
    public void A_line_that_says_it_is_an_error_before_going_wrong_is_the_peers_error_and_not_answered(string line)
    {
        var inbound = Inbound.Parse(Encoding.UTF8.GetBytes(line));

        Assert.Null(inbound.Problem);
        Assert.IsType<ErrorMessage>(inbound.Message);
    }

    [Theory]
    [InlineData("""{"code":"c","message":"m",,"type":"error"}""")]
    [InlineData("""{"type":"ack","type":"error"}""")]
    [InlineData("""{"type":5,"code":"c","message":"m"}""")]
    public void A_line_that_goes_wrong_before_its_first_type_says_error_is_a_problem_to_answer(string line)
    {
        var inbound = Inbound.Parse(Encoding.UTF8.GetBytes(line));

        Assert.Null(inbound.Message);
        Assert.NotNull(inbound.Problem);
    }

    [Fact]
    public void A_line_that_is_not_utf8_is_a_problem_even_when_it_says_it_is_an_error()
    {
        var inbound = Inbound.Parse([.. """{"type":"error","code":"c","message":"""u8, (byte)'"', 0xFF, (byte)'"', (byte)'}']);

        Assert.Null(inbound.Message);
        Assert.Equal(ErrorCodes.InvalidUtf8, inbound.Problem!.Code);
    }
}
