using System.Net;
using Gateway.Protocol.Transport;
using Microsoft.AspNetCore.Http;

namespace Gateway.Links;

/// <summary>
/// The WebSocket side of a <see cref="ListenerHost"/>, shared by the WebSocket listener and the web console's
/// <c>/ws</c>: a peer over the limits gets HTTP 503 before the upgrade; an admitted one is upgraded with subprotocol
/// <c>gateway.v1</c> and served one message per text frame (<see cref="WebSocketChannel"/>).
/// </summary>
internal static class WebSocketAdmission
{
    /// <summary>Serves the WebSocket request in <paramref name="context"/> to its end (the caller has checked it is one, with the subprotocol).</summary>
    public static Task ServeWebSocketAsync(this ListenerHost host, HttpContext context, CancellationToken token)
    {
        ArgumentNullException.ThrowIfNull(host);
        ArgumentNullException.ThrowIfNull(context);
        var remote = context.Connection.RemoteIpAddress;
        var peer = new IPEndPoint(remote ?? IPAddress.None, context.Connection.RemotePort).ToString();
        return host.ServeAsync(
            remote,
            peer,
            async _ => new WebSocketChannel(await context.WebSockets.AcceptWebSocketAsync(WebSocketChannel.SubProtocol).ConfigureAwait(false), peer, host.Options.MaxLineLength, host.Options.WriteTimeout, host.Time),
            (_, _) =>
            {
                context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
                return Task.CompletedTask;
            },
            token);
    }
}
