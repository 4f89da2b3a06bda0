using System.Text;
using Gateway.Web;
using Microsoft.AspNetCore.Http;

namespace Gateway.WebTests;

/// <summary>Whatever a console handler throws becomes a logged 500 with a generic JSON body; an abandoned request is no error.</summary>
public sealed class RequestErrorBoundaryTests
{
    [Fact]
    public async Task An_unexpected_exception_is_reported_and_answered_500_with_a_generic_json_body()
    {
        var context = new DefaultHttpContext();
        context.Response.Body = new MemoryStream();
        context.Response.Headers.SetCookie = "gw_session=half-made";
        var thrown = new InvalidOperationException("Cannot read invalid UTF-16 JSON text as string.");
        Exception? reported = null;

        await RequestErrorBoundary.RunAsync(context, () => throw thrown, ex => reported = ex);

        Assert.Same(thrown, reported);
        Assert.Equal(StatusCodes.Status500InternalServerError, context.Response.StatusCode);
        Assert.Equal(0, context.Response.Headers.SetCookie.Count);
        var body = Encoding.UTF8.GetString(((MemoryStream)context.Response.Body).ToArray());
        Assert.Contains("\"code\":\"internal_error\"", body, StringComparison.Ordinal);
        Assert.DoesNotContain("UTF-16", body, StringComparison.Ordinal); // nothing of the inside goes out
    }

    [Fact]
    public async Task A_request_the_peer_abandoned_is_not_reported()
    {
        using var aborted = new CancellationTokenSource();
        await aborted.CancelAsync();
        var context = new DefaultHttpContext { RequestAborted = aborted.Token };
        context.Response.Body = new MemoryStream();
        var reported = false;

        await RequestErrorBoundary.RunAsync(context, () => throw new OperationCanceledException(aborted.Token), _ => reported = true);

        Assert.False(reported);
        Assert.Equal(0, context.Response.Body.Length);
    }

    [Fact]
    public async Task A_handler_that_succeeds_is_left_alone()
    {
        var context = new DefaultHttpContext();
        var reported = false;
        await RequestErrorBoundary.RunAsync(context, () => { context.Response.StatusCode = 204; return Task.CompletedTask; }, _ => reported = true);
        Assert.False(reported);
        Assert.Equal(204, context.Response.StatusCode);
    }
}
