using Gateway.Links.Http;

namespace Gateway.Tests.Links.Http;

public class HttpWriteTargetTests
{
    [Theory]
    [InlineData("http://influx.local:8086/write?db=sensors", "http://influx.local:8086/write?db=sensors&precision=ms", "V1")]
    [InlineData("https://influx.local/api/v2/write?org=home&bucket=sensors", "https://influx.local/api/v2/write?org=home&bucket=sensors&precision=ms", "V2")]
    [InlineData("http://vm.local:8428/influx/write", "http://vm.local:8428/influx/write?precision=ms", "V1")]
    [InlineData("http://influx.local:8086/write?db=sensors&precision=ms", "http://influx.local:8086/write?db=sensors&precision=ms", "V1")]
    public void A_write_url_names_its_api_and_is_completed_with_millisecond_precision(string raw, string expected, string api)
    {
        Assert.True(HttpWriteTarget.TryParse(raw, out var target, out var problem), problem);

        Assert.Equal(expected, target!.Url.ToString());
        Assert.Equal(api, target.Api.ToString());
    }

    [Theory]
    [InlineData("influx.local:8086", "http://HOST:8086/write")]
    [InlineData("ftp://influx.local/write", "http://HOST:8086/write")]
    [InlineData("http://influx.local:8086/query?db=x", "neither /write nor /api/v2/write")]
    [InlineData("http://influx.local:8086/api/v2/write?org=home", "a bucket")]
    [InlineData("http://influx.local:8086/write?db=x&precision=ns", "precision=ms or no precision")]
    [InlineData("http://admin:hunter2@influx.local:8086/write?db=x", "without user:password@")]
    public void A_url_that_is_not_a_write_api_is_refused_saying_what_is_expected(string raw, string expected)
    {
        Assert.False(HttpWriteTarget.TryParse(raw, out var target, out var problem));

        Assert.Null(target);
        Assert.Contains(expected, problem, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Its_text_for_logs_and_status_shows_no_query_values()
    {
        Assert.True(HttpWriteTarget.TryParse("http://influx.local:8086/api/v2/write?org=home&bucket=sensors", out var target, out _));

        Assert.DoesNotContain("sensors", target!.ToString(), StringComparison.Ordinal);
        Assert.Contains("influx.local:8086/api/v2/write", target.ToString(), StringComparison.Ordinal);
    }
}
