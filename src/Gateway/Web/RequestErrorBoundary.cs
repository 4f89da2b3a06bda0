using Microsoft.AspNetCore.Http;

namespace Gateway.Web;

/// <summary>
/// The last line around every console request: whatever a handler throws is reported (logged with the peer by the
/// caller) and answered 500 with a generic JSON body, so the peer learns nothing of the inside and the console goes on.
/// A request the peer abandoned is not an error. When the response had already begun, the connection is aborted
/// instead (a half-written body must not look complete).
/// </summary>
internal static class RequestErrorBoundary
{
    /// <summary>The answer to a request that failed inside the gateway.</summary>
    public const string Body = "{\"ok\":false,\"code\":\"internal_error\",\"message\":\"the gateway could not handle this request; the cause is in its log\"}";

    /// <summary>Runs <paramref name="handler"/>; on an unexpected exception calls <paramref name="failed"/> and answers 500.</summary>
    public static async Task RunAsync(HttpContext context, Func<Task> handler, Action<Exception> failed)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(handler);
        ArgumentNullException.ThrowIfNull(failed);
        try
        {
            await handler().ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // the peer went away; nothing to answer
        }
#pragma warning disable CA1031 // a request's failure, whatever its type, must not reach Kestrel as a bare 500 with no log line
        catch (Exception ex)
#pragma warning restore CA1031
        {
            failed(ex);
            var response = context.Response;
            if (response.HasStarted)
            {
                context.Abort();
                return;
            }

            response.Headers.Remove("Set-Cookie"); // a session half made is not handed out
            response.StatusCode = StatusCodes.Status500InternalServerError;
            response.ContentType = "application/json; charset=utf-8";
            response.Headers.CacheControl = "no-store";
            await response.WriteAsync(Body, CancellationToken.None).ConfigureAwait(false);
        }
    }
}
