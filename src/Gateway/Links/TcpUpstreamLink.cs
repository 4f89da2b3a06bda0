using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using Gateway.Configuration;
using Gateway.Protocol.Transport;
using Gateway.Status;
using Microsoft.Extensions.Logging;

namespace Gateway.Links;

/// <summary>The TCP upstream link: the protocol as NDJSON over a TCP connection (<c>Gateway:Upstream:Tcp</c>).</summary>
internal sealed class TcpUpstreamLink : UpstreamLink
{
    private readonly HostEndpoint _endpoint;
    private readonly bool _tls;
    private readonly TlsClientSettings _tlsSettings;

    /// <summary>Creates the link.</summary>
    public TcpUpstreamLink(UpstreamLinkOptions link, GatewayOptions options, Outbox.Outbox outbox, StatusBoard status, ILogger<TcpUpstreamLink> logger, TimeProvider? time = null)
        : base(link, options, outbox, status, logger, time)
    {
        _endpoint = link?.Endpoint ?? throw new ArgumentException("a TCP link needs an endpoint", nameof(link));
        _tls = link.Tls;
        _tlsSettings = link.TlsSettings;
    }

    /// <inheritdoc/>
    public override string Kind => "tcp";

    /// <inheritdoc/>
    protected override async Task<IMessageChannel> ConnectAsync(CancellationToken cancellationToken)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(_endpoint.Host, _endpoint.Port, cancellationToken).ConfigureAwait(false);
            var stream = new NetworkStream(socket, ownsSocket: true);
            if (!_tls)
            {
                return Channel(stream);
            }

            var ssl = new SslStream(stream, leaveInnerStreamOpen: false);
            try
            {
                await ssl.AuthenticateAsClientAsync(_tlsSettings.ClientOptions(_endpoint.Host), cancellationToken).ConfigureAwait(false);
            }
            catch (AuthenticationException ex)
            {
                await ssl.DisposeAsync().ConfigureAwait(false);
                throw new LinkProtocolException($"TLS with {_endpoint} failed: {ex.Message}", ex);
            }

            return Channel(ssl);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private NdjsonChannel Channel(Stream stream) => new(stream, Target, Link.MaxLineLength, Link.WriteTimeout, Time);
}
