using System.Net;
using Gateway.Configuration;
using Gateway.Hosting;
using Gateway.Protocol.Transport;
using Gateway.Status;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Gateway.Links;

/// <summary>
/// The WebSocket listener (<c>Gateway:Listener:WebSocket</c>, path <c>/ws</c>, subprotocol <c>gateway.v1</c>) on
/// Kestrel: the same sessions as the TCP listener, one message per text frame.
/// </summary>
internal sealed partial class WebSocketListenerService : IHostedService, IAsyncDisposable
{
    /// <summary>The path consoles and browsers connect to.</summary>
    public const string Path = "/ws";

    private readonly ListenerOptions _listener;
    private readonly Commands.CommandPipeline _commands;
    private readonly ListenerDirectory _directory;
    private readonly GatewayOptions _options;
    private readonly LiveFeed _feed;
    private readonly Outbox.Outbox _outbox;
    private readonly StatusBoard _status;
    private readonly ILogger<WebSocketListenerService> _logger;
    private readonly TimeProvider _time;
    private WebApplication? _app;
    private readonly ConnectionLimiter _slots;

    /// <summary>Creates the listener.</summary>
    public WebSocketListenerService(ListenerOptions listener, GatewayOptions options, LiveFeed feed, Outbox.Outbox outbox, StatusBoard status, Commands.CommandPipeline commands, ListenerDirectory directory, TimeProvider time, ILogger<WebSocketListenerService> logger)
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
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var endpoint = _listener.WebSocket!;
        var address = endpoint.BindAddress();
        var builder = EmbeddedWebApp.CreateBuilder();
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Listen(address, endpoint.Port);
            k.Limits.MaxConcurrentConnections = _listener.MaxConnections + 1;

            // A connection that never completes its upgrade request must not hold one of those few slots for long.
            k.Limits.RequestHeadersTimeout = TimeSpan.FromSeconds(5);
            k.Limits.KeepAliveTimeout = TimeSpan.FromSeconds(5);
        });
        var app = builder.Build();
        app.UseWebSockets();
        app.Map(Path, Accept);
        try
        {
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (IOException ex)
        {
            LogBindFailed(_logger, endpoint, ex.Message);
            _status.SetFact("listener ws", "websocket listener down");
            await app.DisposeAsync().ConfigureAwait(false);
            return;
        }

        _app = app;
        var url = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault() ?? endpoint.ToString();
        var ws = url.Replace("http://", "ws://", StringComparison.Ordinal) + Path;
        LogListening(_logger, ws);
        _status.SetFact("listener ws", $"listening on {ws}");
        _directory.Add(ws);
    }

    private async Task Accept(HttpContext context)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            await context.Response.WriteAsync("a WebSocket endpoint: connect with subprotocol gateway.v1\n", context.RequestAborted).ConfigureAwait(false);
            return;
        }

        if (!context.WebSockets.WebSocketRequestedProtocols.Contains(WebSocketChannel.SubProtocol))
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            await context.Response.WriteAsync($"the subprotocol {WebSocketChannel.SubProtocol} is required\n", context.RequestAborted).ConfigureAwait(false);
            return;
        }

        var peer = new IPEndPoint(context.Connection.RemoteIpAddress ?? IPAddress.None, context.Connection.RemotePort).ToString();
        using var slot = _slots.TryAcquire(context.Connection.RemoteIpAddress, out var why);
        if (slot is null)
        {
            LogRefused(_logger, peer, why);
            context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            return;
        }

        try
        {
            var socket = await context.WebSockets.AcceptWebSocketAsync(WebSocketChannel.SubProtocol).ConfigureAwait(false);
            await using var channel = new WebSocketChannel(socket, peer, _listener.MaxLineLength, _listener.WriteTimeout, _time);
            var session = new ListenerSession(channel, _feed, _commands, "listener websocket", _options, _listener, _logger, _time);
            await session.RunAsync(_outbox.LastCommitted + 1, context.RequestAborted).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or ChannelClosedException or OperationCanceledException or ObjectDisposedException or System.Net.WebSockets.WebSocketException)
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

    /// <inheritdoc/>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_app is not null)
        {
            await _app.StopAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync().ConfigureAwait(false);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Listener websocket refused {Peer} (HTTP 503): {Reason} (Gateway:Listener:MaxConnections, MaxConnectionsPerAddress)")]
    private static partial void LogRefused(ILogger logger, string peer, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Listener websocket: the connection of {Peer} failed unexpectedly ({Type}: {Error}); dropped it, still accepting")]
    private static partial void LogFailed(ILogger logger, string peer, string type, string error, Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "Listener websocket listening on {Url}")]
    private static partial void LogListening(ILogger logger, string url);

    [LoggerMessage(Level = LogLevel.Error, Message = "Listener websocket cannot listen on {Endpoint}: {Error}; choose a free address or port in Gateway:Listener:WebSocket (or stop what holds it); the gateway goes on without it")]
    private static partial void LogBindFailed(ILogger logger, HostEndpoint endpoint, string error);
}
