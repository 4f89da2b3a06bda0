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
/// NDJSON. At most <see cref="ListenerOptions.MaxConnections"/> at once and <see cref="ListenerOptions.MaxConnectionsPerAddress"/>
/// from one address; one more is told <c>too_many_connections</c>. A connection that fails in any way costs that
/// connection only: it is logged with its peer and the listener keeps accepting.
/// </summary>
internal sealed partial class TcpListenerService : BackgroundService
{
    private readonly ListenerOptions _listener;
    private readonly Commands.CommandPipeline _commands;
    private readonly ListenerDirectory _directory;
    private readonly GatewayOptions _options;
    private readonly LiveFeed _feed;
    private readonly Outbox.Outbox _outbox;
    private readonly StatusBoard _status;
    private readonly ILogger<TcpListenerService> _logger;
    private readonly TimeProvider _time;
    private readonly ConnectionLimiter _slots;

    /// <summary>Creates the listener.</summary>
    public TcpListenerService(ListenerOptions listener, GatewayOptions options, LiveFeed feed, Outbox.Outbox outbox, StatusBoard status, Commands.CommandPipeline commands, ListenerDirectory directory, TimeProvider time, ILogger<TcpListenerService> logger)
    {
        _listener = listener;
        _commands = commands;
        _directory = directory;
        _options = options;
        _feed = feed;
        _outbox = outbox;
        _status = status;
        _logger = logger;
        _time = time;
        _slots = new ConnectionLimiter(listener.MaxConnections, listener.MaxConnectionsPerAddress);
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
        LogListening(_logger, bound);
        _status.SetFact("listener tcp", $"listening on tcp://{bound}");
        _directory.Add($"tcp://{bound}");
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

            sessions.RemoveAll(t => t.IsCompleted);
            sessions.Add(Serve(client, stoppingToken));
        }

        await Task.WhenAll(sessions).ConfigureAwait(false);
    }

    private async Task Serve(Socket client, CancellationToken token)
    {
        var remote = client.RemoteEndPoint as IPEndPoint;
        var peer = remote?.ToString() ?? "?";
        await using var stream = new NetworkStream(client, ownsSocket: true);
        using var slot = _slots.TryAcquire(remote?.Address, out var why);
        if (slot is null)
        {
            LogRefused(_logger, peer, why);
            var refusal = System.Text.Encoding.UTF8.GetBytes(Protocol.MessageWriter.ToJson(new Protocol.ErrorMessage("too_many_connections", why)) + "\n");
            using var limit = CancellationTokenSource.CreateLinkedTokenSource(token);
            limit.CancelAfter(_listener.WriteTimeout);
            try
            {
                await stream.WriteAsync(refusal, limit.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is IOException or OperationCanceledException)
            {
                // it left already, or does not read
            }

            return;
        }

        try
        {
            await using var channel = new NdjsonChannel(stream, peer, _listener.MaxLineLength, _listener.WriteTimeout, _time);
            var session = new ListenerSession(channel, _feed, _commands, "listener tcp", _options, _listener, _logger, _time);
            await session.RunAsync(_outbox.LastCommitted + 1, token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or ChannelClosedException or OperationCanceledException or ObjectDisposedException)
        {
            // the peer went away, or the gateway stops
        }
#pragma warning disable CA1031 // no single connection's failure may stop the listener: logged with the peer, the connection dropped
        catch (Exception ex)
#pragma warning restore CA1031
        {
            LogFailed(_logger, peer, ex.GetType().Name, ex.Message, ex);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Listener tcp listening on {Endpoint}")]
    private static partial void LogListening(ILogger logger, string endpoint);

    [LoggerMessage(Level = LogLevel.Error, Message = "Listener tcp cannot listen on {Endpoint}: {Error}; choose a free address or port in Gateway:Listener:Tcp (or stop what holds it); the gateway goes on without it")]
    private static partial void LogBindFailed(ILogger logger, HostEndpoint endpoint, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Listener tcp refused {Peer}: {Reason} (Gateway:Listener:MaxConnections, MaxConnectionsPerAddress)")]
    private static partial void LogRefused(ILogger logger, string peer, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Listener tcp: the connection of {Peer} failed unexpectedly ({Type}: {Error}); dropped it, still accepting")]
    private static partial void LogFailed(ILogger logger, string peer, string type, string error, Exception exception);
}
