using Gateway.Links.Http;

namespace Gateway.Tests.Links.Http;

public class WriteResultTests
{
    [Theory]
    [InlineData(204)]
    [InlineData(200)]
    public void A_2xx_means_every_line_is_written(int status)
    {
        Assert.Equal(WriteVerdict.Written, WriteResult.Classify(status, null, string.Empty).Verdict);
    }

    [Fact]
    public void An_influxdb_1x_partial_write_is_a_rejection_with_its_error_text()
    {
        var result = WriteResult.Classify(400, null, "{\"error\":\"partial write: field type conflict: input field \\\"value\\\" on measurement \\\"pressure\\\" is type float, already exists as type string dropped=1\"}");

        Assert.Equal(WriteVerdict.Rejected, result.Verdict);
        Assert.StartsWith("partial write: field type conflict", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_influxdb_2x_error_gives_its_message()
    {
        var result = WriteResult.Classify(400, null, "{\"code\":\"invalid\",\"message\":\"unable to parse 'x': missing fields\"}");

        Assert.Equal("unable to parse 'x': missing fields", result.Message);
    }

    [Theory]
    [InlineData(429)]
    [InlineData(503)]
    public void Too_many_requests_and_unavailable_ask_to_retry_later_with_the_servers_delay(int status)
    {
        var result = WriteResult.Classify(status, TimeSpan.FromSeconds(30), string.Empty);

        Assert.Equal(WriteVerdict.RetryLater, result.Verdict);
        Assert.Equal(TimeSpan.FromSeconds(30), result.RetryAfter);
    }

    [Theory]
    [InlineData(401, "check TokenFile")]
    [InlineData(403, "check TokenFile")]
    [InlineData(404, "check Url")]
    [InlineData(500, "HTTP 500 InternalServerError: boom")]
    public void Other_answers_fail_the_request_as_a_whole_with_advice(int status, string expected)
    {
        var result = WriteResult.Classify(status, null, "boom");

        Assert.Equal(WriteVerdict.Failed, result.Verdict);
        Assert.Contains(expected, result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_413_says_the_body_was_too_large()
    {
        Assert.Equal(WriteVerdict.TooLarge, WriteResult.Classify(413, null, "request entity too large").Verdict);
    }

    [Fact]
    public void A_hostile_error_body_is_cut_short_and_cannot_forge_log_lines()
    {
        var result = WriteResult.Classify(400, null, "bad\nwarn: Gateway[0] forged line\r" + new string('x', 10_000));

        Assert.Equal(WriteResult.MaxMessageLength + 1, result.Message.Length);
        Assert.DoesNotContain('\n', result.Message);
        Assert.DoesNotContain('\r', result.Message);
    }
}
