using System.Net;
using System.Net.Sockets;
using Gateway.Configuration;
using Gateway.Protocol.Transport;
using Gateway.Status;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Gateway.Links;

/// <summary>
/// The TCP listener (<c>Gateway:Listener:Tcp</c>): consoles connect and receive <c>hello</c> and live readings as
/// NDJSON, or NDJSON inside TLS (<c>tls://</c>) when <c>Gateway:Listener:Tls</c> is set. The accept loop and the
/// NDJSON channel only: admission, sessions and failures are the <see cref="ListenerHost"/>'s, the handshake
/// <see cref="ListenerTls"/>'s (inside the connection's slot, so a stalled handshake holds one slot for at most the
/// handshake timeout); a peer over the limits is told <c>too_many_connections</c> on one line (after the handshake,
/// with TLS).
/// </summary>
internal sealed partial class TcpListenerService : BackgroundService
{
    private readonly ListenerOptions _listener;
    private readonly ListenerDirectory _directory;
    private readonly StatusBoard _status;
    private readonly ILogger<TcpListenerService> _logger;
    private readonly TimeProvider _time;
    private readonly ListenerHost _host;
    private readonly ListenerTls? _tls;

    /// <summary>Creates the listener.</summary>
    public TcpListenerService(ListenerOptions listener, GatewayOptions options, LiveFeed feed, StatusBoard status, Commands.CommandPipeline commands, ListenerDirectory directory, TimeProvider time, ILogger<TcpListenerService> logger)
    {
        _listener = listener;
        _directory = directory;
        _status = status;
        _logger = logger;
        _time = time;
        _host = new ListenerHost("listener tcp", listener, options, feed, commands, time, logger);
        _tls = listener.Tls is { } tls ? new ListenerTls("listener tcp", tls, logger) : null;
    }

    /// <inheritdoc/>
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var endpoint = _listener.Tcp!;
        var address = endpoint.BindAddress();
        using var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            socket.Bind(new IPEndPoint(address, endpoint.Port));
            socket.Listen(64);
        }
        catch (SocketException ex)
        {
            LogBindFailed(_logger, endpoint, ex.Message);
            _status.SetFact("listener tcp", $"tcp listener down ({ex.SocketErrorCode})");
            return;
        }

        var bound = ((IPEndPoint)socket.LocalEndPoint!).ToString();
        var scheme = _tls is null ? "tcp" : "tls";
        LogListening(_logger, bound, _tls is null ? string.Empty : " with TLS");
        _tls?.LogCertificate(_time.GetUtcNow());
        _status.SetFact("listener tcp", $"listening on {scheme}://{bound}");
        _directory.Add($"{scheme}://{bound}");
        var sessions = new List<Task>();
        while (!stoppingToken.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await socket.AcceptAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }
            catch (SocketException)
            {
                continue;
            }

            // Each reply (a result, a pong) is one small write: without this, Nagle's algorithm holds it until the
            // peer acknowledges the previous segment (RFC 896), which made the command round trip's median ~5 ms.
            client.NoDelay = true;
            sessions.RemoveAll(t => t.IsCompleted);
            sessions.Add(Serve(client, stoppingToken));
        }

        await Task.WhenAll(sessions).ConfigureAwait(false);
    }

    private async Task Serve(Socket client, CancellationToken token)
    {
        var remote = client.RemoteEndPoint as IPEndPoint;
        var peer = remote?.ToString() ?? "?";
        // Read on a thread of the connection's own, woken by the kernel: a command's way in without a hand-over.
        // With TLS the SslStream reads through it too: its reads come back to the reader thread like the channel's.
        await using var stream = new ReaderThreadStream(client);
        await _host.ServeAsync(
            remote?.Address,
            peer,
            async opening => Open(await Secure(stream, peer, opening).ConfigureAwait(false), peer),
            async (why, refusing) =>
            {
                await using var channel = Open(await Secure(stream, peer, refusing).ConfigureAwait(false), peer);
                await channel.SendAsync(new Protocol.ErrorMessage("too_many_connections", why), refusing).ConfigureAwait(false);
            },
            token).ConfigureAwait(false);
    }

    // The stream the channel speaks over: the connection itself, or TLS over it (the channel disposes it).
    private async Task<Stream> Secure(Stream stream, string peer, CancellationToken token) =>
        _tls is null ? stream : await _tls.AuthenticateAsync(stream, peer, token).ConfigureAwait(false);

    private NdjsonChannel Open(Stream stream, string peer) => new NdjsonChannel(stream, peer, _listener.MaxLineLength, _listener.WriteTimeout, _time);

    [LoggerMessage(Level = LogLevel.Information, Message = "Listener tcp listening on {Endpoint}{Tls}")]
    private static partial void LogListening(ILogger logger, string endpoint, string tls);

    [LoggerMessage(Level = LogLevel.Error, Message = "Listener tcp cannot listen on {Endpoint}: {Error}; choose a free address or port in Gateway:Listener:Tcp (or stop what holds it); the gateway goes on without it")]
    private static partial void LogBindFailed(ILogger logger, HostEndpoint endpoint, string error);
}
