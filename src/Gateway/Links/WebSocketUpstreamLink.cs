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
        var socket = new ClientWebSocket();
        try
        {
            socket.Options.AddSubProtocol(WebSocketChannel.SubProtocol);
            socket.Options.KeepAliveInterval = TimeSpan.Zero; // the protocol's own ping/pong and idle timeout apply
            if (_url.Scheme == "wss")
            {
                var tls = _tlsSettings.ClientOptions(_url.Host);
                socket.Options.RemoteCertificateValidationCallback = tls.RemoteCertificateValidationCallback;
                if (tls.ClientCertificates is { } client)
                {
                    socket.Options.ClientCertificates = client;
                }
            }

            await socket.ConnectAsync(_url, cancellationToken).ConfigureAwait(false);
            if (socket.SubProtocol != WebSocketChannel.SubProtocol)
            {
                throw new LinkProtocolException($"the upstream at {Redaction.Redact(_url.ToString())} did not accept the subprotocol {WebSocketChannel.SubProtocol}");
            }

            return new WebSocketChannel(socket, Target, Link.MaxLineLength, Link.WriteTimeout, Time);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
