using System.Net.Sockets;
using System.Net.WebSockets;
using Gateway.Configuration;
using Gateway.Protocol.Transport;
using Gateway.Status;
using Microsoft.Extensions.Logging;

namespace Gateway.Links;

/// <summary>
/// The WebSocket upstream link (<c>Gateway:Upstream:WebSocket:Url</c>): the same protocol and delivery as TCP, one
/// message per text frame (<see cref="WebSocketChannel"/>), subprotocol <c>gateway.v1</c> (an upstream that does not
/// accept it is refused).
/// </summary>
internal sealed class WebSocketUpstreamLink : UpstreamLink
{
    private readonly Uri _url;
    private readonly TlsClientSettings _tlsSettings;

    /// <summary>Creates the link.</summary>
    public WebSocketUpstreamLink(UpstreamLinkOptions link, GatewayOptions options, Outbox.Outbox outbox, StatusBoard status, ILogger<WebSocketUpstreamLink> logger, TimeProvider? time = null)
        : base(link, options, outbox, status, logger, time)
    {
        _url = link?.Url ?? throw new ArgumentException("a WebSocket link needs a URL", nameof(link));
        _tlsSettings = link.TlsSettings;
    }

    /// <inheritdoc/>
    public override string Kind => "websocket";

    /// <inheritdoc/>
    protected override async Task<IMessageChannel> ConnectAsync(CancellationToken cancellationToken)
    {
        // The handshake goes through a handler whose connection is ours: a coalescing stream under the WebSocket (and
        // under TLS for wss), so that a batch of frames reaches the socket in one write; over plain ws the channel
        // writes the batch's frames itself (WebSocketChannel, ClientFrames).
        CoalescingStream? coalesce = null;
        using var handler = new SocketsHttpHandler
        {
            // The system's proxy settings (HTTPS_PROXY …) apply as they did with ClientWebSocket's own handler.
            AllowAutoRedirect = false,
            ConnectCallback = async (context, token) =>
            {
                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    await socket.ConnectAsync(context.DnsEndPoint, token).ConfigureAwait(false);
                    coalesce = new CoalescingStream(new NetworkStream(socket, ownsSocket: true));
                    return coalesce;
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        if (_url.Scheme == "wss")
        {
            handler.SslOptions = _tlsSettings.ClientOptions(_url.Host);
        }

        var client = new ClientWebSocket();
        try
        {
            client.Options.AddSubProtocol(WebSocketChannel.SubProtocol);
            client.Options.KeepAliveInterval = TimeSpan.Zero; // the protocol's own ping/pong and idle timeout apply
            using (var invoker = new HttpMessageInvoker(handler, disposeHandler: false))
            {
                await client.ConnectAsync(_url, invoker, cancellationToken).ConfigureAwait(false);
            }

            if (client.SubProtocol != WebSocketChannel.SubProtocol)
            {
                throw new LinkProtocolException($"the upstream at {Redaction.Redact(_url.ToString())} did not accept the subprotocol {WebSocketChannel.SubProtocol}");
            }

            return new WebSocketChannel(client, Target, Link.MaxLineLength, Link.WriteTimeout, Time, coalesce, plainBeneath: _url.Scheme == "ws");
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }
}
