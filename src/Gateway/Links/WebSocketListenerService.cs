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
/// Kestrel: the same sessions as the TCP listener (<see cref="ListenerHost"/>), one message per text frame. Kestrel and
/// the upgrade only; a peer over the limits gets HTTP 503 before the upgrade. With <c>Gateway:Listener:Tls</c> it is
/// <c>wss://</c>: the TLS handshake comes first (<see cref="KestrelTls"/>).
/// </summary>
internal sealed partial class WebSocketListenerService : IHostedService, IAsyncDisposable
{
    /// <summary>The path consoles and browsers connect to.</summary>
    public const string Path = "/ws";

    private readonly ListenerOptions _listener;
    private readonly ListenerDirectory _directory;
    private readonly StatusBoard _status;
    private readonly ILogger<WebSocketListenerService> _logger;
    private readonly TimeProvider _time;
    private readonly ListenerHost _host;
    private readonly ListenerTls? _tls;
    private WebApplication? _app;

    /// <summary>Creates the listener.</summary>
    public WebSocketListenerService(ListenerOptions listener, GatewayOptions options, LiveFeed feed, StatusBoard status, Commands.CommandPipeline commands, ListenerDirectory directory, TimeProvider time, ILogger<WebSocketListenerService> logger)
    {
        _listener = listener;
        _directory = directory;
        _status = status;
        _logger = logger;
        _time = time;
        _host = new ListenerHost("listener websocket", listener, options, feed, commands, time, logger);
        _tls = listener.Tls is { } tls ? new ListenerTls("listener websocket", tls, logger) : null;
    }

    /// <inheritdoc/>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var endpoint = _listener.WebSocket!;
        var address = endpoint.BindAddress();
        var builder = EmbeddedWebApp.CreateBuilder();
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Listen(address, endpoint.Port, listen =>
            {
                if (_tls is { } tls)
                {
                    listen.Use(next => KestrelTls.Use(tls, next));
                }
            });
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
        var ws = url.Replace("http://", _tls is null ? "ws://" : "wss://", StringComparison.Ordinal) + Path;
        LogListening(_logger, ws);
        _tls?.LogCertificate(_time.GetUtcNow());
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

        await _host.ServeWebSocketAsync(context, context.RequestAborted).ConfigureAwait(false);
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

    [LoggerMessage(Level = LogLevel.Information, Message = "Listener websocket listening on {Url}")]
    private static partial void LogListening(ILogger logger, string url);

    [LoggerMessage(Level = LogLevel.Error, Message = "Listener websocket cannot listen on {Endpoint}: {Error}; choose a free address or port in Gateway:Listener:WebSocket (or stop what holds it); the gateway goes on without it")]
    private static partial void LogBindFailed(ILogger logger, HostEndpoint endpoint, string error);
}
