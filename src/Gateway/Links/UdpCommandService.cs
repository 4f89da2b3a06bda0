using System.Buffers;
using System.Net;
using System.Net.Sockets;
using Gateway.Commands;
using Gateway.Protocol;
using Gateway.Protocol.Commands;
using Gateway.Status;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Gateway.Links;

/// <summary>
/// The UDP command port (<c>Gateway:Listener:Udp</c>) for LAN consoles: one command per datagram, answered with one
/// <c>result</c> datagram to the sender. Signed commands only, like everywhere; anything else gets an <c>error</c>
/// datagram. Each sender address has its own rate limit. A result that would not fit in
/// <see cref="ProtocolInfo.MaxDatagram"/> bytes is replaced by a <c>too_large</c> result pointing to TCP.
/// </summary>
internal sealed partial class UdpCommandService : BackgroundService
{
    private const int MaxSenders = 1024;
    private readonly ListenerOptions _listener;
    private readonly CommandPipeline _commands;
    private readonly ListenerDirectory _directory;
    private readonly StatusBoard _status;
    private readonly ILogger<UdpCommandService> _logger;
    private readonly Dictionary<string, CommandSource> _senders = new(StringComparer.Ordinal);

    /// <summary>Creates the service.</summary>
    public UdpCommandService(ListenerOptions listener, CommandPipeline commands, ListenerDirectory directory, StatusBoard status, ILogger<UdpCommandService> logger)
    {
        _listener = listener;
        _commands = commands;
        _directory = directory;
        _status = status;
        _logger = logger;
    }

    /// <inheritdoc/>
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var endpoint = _listener.Udp!;
        var address = endpoint.BindAddress();
        using var socket = new Socket(address.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            socket.Bind(new IPEndPoint(address, endpoint.Port));
        }
        catch (SocketException ex)
        {
            LogBindFailed(_logger, endpoint.ToString(), ex.Message);
            _status.SetFact("listener udp", $"udp command port down ({ex.SocketErrorCode})");
            return;
        }

        var bound = socket.LocalEndPoint!.ToString()!;
        LogListening(_logger, bound);
        _directory.Add($"udp://{bound}");
        _status.SetFact("listener udp", $"commands on udp://{bound}");
        var buffer = new byte[64 * 1024];
        EndPoint any = new IPEndPoint(address.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any, 0);
        while (!stoppingToken.IsCancellationRequested)
        {
            SocketReceiveFromResult received;
            try
            {
                received = await socket.ReceiveFromAsync(buffer, SocketFlags.None, any, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }
            catch (SocketException)
            {
                continue; // e.g. ICMP port unreachable from an earlier reply
            }

            var peer = received.RemoteEndPoint;
            try
            {
                await Take(socket, peer, buffer.AsMemory(0, received.ReceivedBytes), stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                // Issue 14: no datagram may stop the port. Whatever one sender's bytes did, log it with the sender and go on.
                LogDatagramFailed(_logger, peer.ToString()!, received.ReceivedBytes, ex.GetType().Name, LogText.Escape(ex.Message)!);
            }
        }
    }

    private async Task Take(Socket socket, EndPoint peer, ReadOnlyMemory<byte> datagram, CancellationToken stoppingToken)
    {
        var message = MessageParser.Parse(datagram.Span);
        switch (message)
        {
            case CommandMessage command:
                var source = Source(peer.ToString()!);
                _ = Answer(socket, peer, command, source, stoppingToken);
                break;
            case ErrorMessage error:
                await Reply(socket, peer, error, stoppingToken).ConfigureAwait(false);
                break;
            case PingMessage:
                await Reply(socket, peer, new PongMessage(), stoppingToken).ConfigureAwait(false);
                break;
            default:
                await Reply(socket, peer, new ErrorMessage(ErrorCodes.UnknownType, $"the UDP command port takes 'command' and 'ping', not '{message.Type}'"), stoppingToken).ConfigureAwait(false);
                break;
        }
    }

    private CommandSource Source(string peer)
    {
        lock (_senders)
        {
            if (!_senders.TryGetValue(peer, out var source))
            {
                if (_senders.Count >= MaxSenders)
                {
                    _senders.Clear(); // bounded memory; rates start afresh
                }

                source = _commands.OpenSource("listener udp", peer);
                _senders[peer] = source;
            }

            return source;
        }
    }

    private async Task Answer(Socket socket, EndPoint peer, CommandMessage command, CommandSource source, CancellationToken token)
    {
        try
        {
            var result = await _commands.HandleAsync(command, source, token).ConfigureAwait(false);
            await Reply(socket, peer, result, token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // stopping, or the sender is unreachable
        }
        catch (Exception ex)
        {
            LogDatagramFailed(_logger, peer.ToString()!, 0, ex.GetType().Name, LogText.Escape(ex.Message)!);
        }
    }

    private static async Task Reply(Socket socket, EndPoint peer, Message message, CancellationToken token)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        MessageWriter.Write(message, buffer);
        if (buffer.WrittenCount > ProtocolInfo.MaxDatagram && message is ResultMessage result)
        {
            buffer.Clear();
            MessageWriter.Write(new ResultMessage(result.Id, result.Ok, result.Ok ? ResultCodes.TooLarge : result.Code, result.Ok
                ? $"the result is {buffer.WrittenCount} bytes, more than a UDP datagram carries ({ProtocolInfo.MaxDatagram}); the command ran; send it over TCP or WebSocket to see the result"
                : Truncate(result.Message)), buffer);
        }

        await socket.SendToAsync(buffer.WrittenMemory, SocketFlags.None, peer, token).ConfigureAwait(false);
    }

    private static string? Truncate(string? s) => s is { Length: > 800 } ? s[..800] + "…" : s;

    [LoggerMessage(Level = LogLevel.Information, Message = "UDP command port listening on {Endpoint}")]
    private static partial void LogListening(ILogger logger, string endpoint);

    [LoggerMessage(Level = LogLevel.Error, Message = "UDP command port: a datagram from {Peer} ({Bytes} bytes) could not be handled ({ExceptionType}: {Error}); it was dropped, the port goes on")]
    private static partial void LogDatagramFailed(ILogger logger, string peer, int bytes, string exceptionType, string error);

    [LoggerMessage(Level = LogLevel.Error, Message = "UDP command port cannot listen on {Endpoint}: {Error}")]
    private static partial void LogBindFailed(ILogger logger, string endpoint, string error);
}
