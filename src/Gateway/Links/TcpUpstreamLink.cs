using System.Net.Sockets;
using Gateway.Configuration;
using Gateway.Status;
using Microsoft.Extensions.Logging;

namespace Gateway.Links;

/// <summary>The TCP upstream link: the protocol as NDJSON over a TCP connection (<c>Gateway:Upstream:Tcp</c>).</summary>
internal sealed class TcpUpstreamLink : UpstreamLink
{
    private readonly HostEndpoint _endpoint;

    /// <summary>Creates the link.</summary>
    public TcpUpstreamLink(UpstreamLinkOptions link, GatewayOptions options, Outbox.Outbox outbox, StatusBoard status, ILogger<TcpUpstreamLink> logger)
        : base(link, options, outbox, status, logger)
        => _endpoint = link?.Endpoint ?? throw new ArgumentException("a TCP link needs an endpoint", nameof(link));

    /// <inheritdoc/>
    protected override async Task<Stream> ConnectAsync(CancellationToken cancellationToken)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(_endpoint.Host, _endpoint.Port, cancellationToken).ConfigureAwait(false);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
