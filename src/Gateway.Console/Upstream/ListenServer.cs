using System.Net;
using System.Net.Sockets;
using Gateway.Console.Addressing;
using Gateway.Console.Cli;
using Gateway.Protocol;
using Gateway.Protocol.Transport;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Gateway.Console.Upstream;

/// <summary>
/// The sockets of <c>gwctl listen</c>: a TCP listener and a WebSocket listener (Kestrel, <c>/ws</c>, subprotocol
/// <c>gateway.v1</c>) for gateways, and the control port for relayed commands. Each listener takes at most
/// <see cref="ListenOptions.MaxConnections"/> connections; one more is told why and closed.
/// </summary>
internal sealed class ListenServer : IAsyncDisposable
{
    private readonly ListenContext _context;
    private readonly CommandRelay _relay;
    private readonly List<Socket> _sockets = [];
    private readonly List<Task> _loops = [];
    private WebApplication? _web;
    private int _webConnections;

    public ListenServer(ListenContext context)
    {
        _context = context;
        _relay = new CommandRelay(context);
    }

    /// <summary>Where the TCP listener is bound, once started.</summary>
    public IPEndPoint? TcpBound { get; private set; }

    /// <summary>The WebSocket listener's URL, once started.</summary>
    public string? WebSocketUrl { get; private set; }

    /// <summary>Where the control port is bound, once started.</summary>
    public IPEndPoint? ControlBound { get; private set; }

    /// <summary>Binds every configured listener and starts accepting.</summary>
    /// <exception cref="GwctlException">An address cannot be bound (in use, not this machine's).</exception>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var options = _context.Options;
        if (options.Tcp is { } tcp)
        {
            var socket = Bind(tcp, "--tcp");
            TcpBound = (IPEndPoint)socket.LocalEndPoint!;
            _loops.Add(AcceptLoop(socket, "tcp", (channel, token) => new UpstreamSession(channel, "tcp", _context).RunAsync(token), cancellationToken));
        }

        if (options.Control is { } control)
        {
            var socket = Bind(control, "--control");
            ControlBound = (IPEndPoint)socket.LocalEndPoint!;
            _loops.Add(AcceptLoop(socket, "control", (channel, token) => _relay.ServeAsync(channel, token), cancellationToken));
        }

        if (options.WebSocket is { } ws)
        {
            await StartWebSocketAsync(ws, cancellationToken).ConfigureAwait(false);
        }
    }

    private Socket Bind(HostEndpoint endpoint, string option)
    {
        IPAddress address;
        try
        {
            address = endpoint.BindAddress();
        }
        catch (FormatException ex)
        {
            throw new GwctlException(ExitCodes.Usage, $"{option} {endpoint}: {ex.Message}");
        }

        var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            socket.Bind(new IPEndPoint(address, endpoint.Port));
            socket.Listen(128);
        }
        catch (SocketException ex)
        {
            socket.Dispose();
            throw new GwctlException(ExitCodes.Unavailable, ex.SocketErrorCode switch
            {
                SocketError.AddressAlreadyInUse => $"{option} {endpoint}: the port is in use (another gwctl listen? pick another port, or 0 for any free one)",
                SocketError.AddressNotAvailable => $"{option} {endpoint}: that address is not this machine's",
                SocketError.AccessDenied => $"{option} {endpoint}: not allowed (ports below 1024 need privileges)",
                _ => $"{option} {endpoint}: cannot listen: {ex.Message}",
            }, ex);
        }

        _sockets.Add(socket);
        return socket;
    }

    private async Task AcceptLoop(Socket listener, string kind, Func<IMessageChannel, CancellationToken, Task> serve, CancellationToken token)
    {
        var connections = 0;
        var sessions = new List<Task>();
        while (!token.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await listener.AcceptAsync(token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }
            catch (ObjectDisposedException)
            {
                break;
            }
            catch (SocketException)
            {
                continue; // e.g. the peer reset before the accept completed
            }

            client.NoDelay = true;
            sessions.RemoveAll(t => t.IsCompleted);
            sessions.Add(Serve(client));
        }

        await Task.WhenAll(sessions).ConfigureAwait(false);

        async Task Serve(Socket client)
        {
            var peer = $"{kind} {client.RemoteEndPoint}";
            var channel = new NdjsonChannel(new NetworkStream(client, ownsSocket: true), peer, _context.Options.MaxLineLength, _context.Options.WriteTimeout);
            await using (channel.ConfigureAwait(false))
            {
                if (Interlocked.Increment(ref connections) > _context.Options.MaxConnections)
                {
                    Interlocked.Decrement(ref connections);
                    _context.Output.Notice(NoticeLevel.Warning, $"refused {peer}: already {_context.Options.MaxConnections} connections");
                    try
                    {
                        await channel.SendAsync(new ErrorMessage("too_many_connections", $"at most {_context.Options.MaxConnections} connections"), token).ConfigureAwait(false);
                    }
                    catch (Exception ex) when (ex is ChannelClosedException or OperationCanceledException)
                    {
                        // it left already
                    }

                    return;
                }

                try
                {
                    await serve(channel, token).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    // A bug in serving one connection must not take the listener (or the exit) down with it.
                    _context.Output.Notice(NoticeLevel.Warning, $"{peer}: connection failed: {ex.GetType().Name}: {ex.Message}");
                }
                catch (OperationCanceledException)
                {
                    // stopping
                }
                finally
                {
                    Interlocked.Decrement(ref connections);
                }
            }
        }
    }

    private async Task StartWebSocketAsync(HostEndpoint endpoint, CancellationToken token)
    {
        IPAddress address;
        try
        {
            address = endpoint.BindAddress();
        }
        catch (FormatException ex)
        {
            throw new GwctlException(ExitCodes.Usage, $"--ws {endpoint}: {ex.Message}");
        }

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Listen(address, endpoint.Port);
            k.Limits.MaxConcurrentConnections = _context.Options.MaxConnections + 1; // the one more hears 503
            k.Limits.MaxRequestHeadersTotalSize = 16 * 1024;
            k.Limits.RequestHeadersTimeout = TimeSpan.FromSeconds(10);
        });
        var app = builder.Build();
        app.UseWebSockets(new WebSocketOptions { KeepAliveInterval = TimeSpan.Zero }); // the protocol's ping/pong and idle timeout apply
        app.Map(GatewayAddress.DefaultWebSocketPath, context => AcceptWebSocket(context, token));
        try
        {
            await app.StartAsync(token).ConfigureAwait(false);
        }
        catch (IOException ex)
        {
            await app.DisposeAsync().ConfigureAwait(false);
            throw new GwctlException(ExitCodes.Unavailable, $"--ws {endpoint}: cannot listen: {ex.Message}", ex);
        }

        _web = app;
        var url = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault() ?? $"http://{endpoint}";
        WebSocketUrl = url.Replace("http://", "ws://", StringComparison.Ordinal) + GatewayAddress.DefaultWebSocketPath;
    }

    private async Task AcceptWebSocket(HttpContext context, CancellationToken token)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            await context.Response.WriteAsync($"gwctl listen: a WebSocket endpoint for gateways (subprotocol {WebSocketChannel.SubProtocol})\n", context.RequestAborted).ConfigureAwait(false);
            return;
        }

        if (!context.WebSockets.WebSocketRequestedProtocols.Contains(WebSocketChannel.SubProtocol))
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            await context.Response.WriteAsync($"the subprotocol {WebSocketChannel.SubProtocol} is required\n", context.RequestAborted).ConfigureAwait(false);
            return;
        }

        if (Interlocked.Increment(ref _webConnections) > _context.Options.MaxConnections)
        {
            Interlocked.Decrement(ref _webConnections);
            _context.Output.Notice(NoticeLevel.Warning, $"refused ws {context.Connection.RemoteIpAddress}:{context.Connection.RemotePort}: already {_context.Options.MaxConnections} connections");
            context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            return;
        }

        try
        {
            using var socket = await context.WebSockets.AcceptWebSocketAsync(WebSocketChannel.SubProtocol).ConfigureAwait(false);
            using var both = CancellationTokenSource.CreateLinkedTokenSource(token, context.RequestAborted);
            var channel = new WebSocketChannel(socket, $"ws {context.Connection.RemoteIpAddress}:{context.Connection.RemotePort}", _context.Options.MaxLineLength, _context.Options.WriteTimeout);
            await using (channel.ConfigureAwait(false))
            {
                await new UpstreamSession(channel, "ws", _context).RunAsync(both.Token).ConfigureAwait(false);
            }
        }
        finally
        {
            Interlocked.Decrement(ref _webConnections);
        }
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        foreach (var socket in _sockets)
        {
            socket.Dispose();
        }

        try
        {
            await Task.WhenAll(_loops).WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // a session that does not end promptly is abandoned at exit
        }

        if (_web is not null)
        {
            using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(3));
            try
            {
                await _web.StopAsync(limit.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // connections still open are cut
            }

            await _web.DisposeAsync().ConfigureAwait(false);
        }
    }
}
