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
/// UDP source addresses can be forged, so a reply to anything that did not prove a key (errors, pongs, refusals before
/// the signature was verified) is never larger than the datagram it answers (cut, or not sent) and is limited to
/// <see cref="UnauthenticatedRepliesPerSecond"/> per sender address: the port cannot amplify traffic at a victim
/// (issue 14, finding 6; docs/protocol.md "UDP").
/// </summary>
internal sealed partial class UdpCommandService : BackgroundService
{
    /// <summary>Replies per second, per sender address, to datagrams that did not prove a key.</summary>
    public const int UnauthenticatedRepliesPerSecond = 20;

    private const int MaxSenders = 1024;
    private readonly SourceRateLimit _replyBudget = new(UnauthenticatedRepliesPerSecond, MaxSenders, TimeProvider.System);
    private long _repliesWithheld;
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
                _ = Answer(socket, peer, command, source, datagram.Length, stoppingToken);
                break;
            case ErrorMessage error:
                await Reply(socket, peer, error, datagram.Length, stoppingToken).ConfigureAwait(false);
                break;
            case PingMessage:
                await Reply(socket, peer, new PongMessage(), datagram.Length, stoppingToken).ConfigureAwait(false);
                break;
            default:
                await Reply(socket, peer, new ErrorMessage(ErrorCodes.UnknownType, $"the UDP command port takes 'command' and 'ping', not '{message.Type}'"), datagram.Length, stoppingToken).ConfigureAwait(false);
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

    private async Task Answer(Socket socket, EndPoint peer, CommandMessage command, CommandSource source, int requestBytes, CancellationToken token)
    {
        try
        {
            var outcome = await _commands.RunAsync(command, source, token).ConfigureAwait(false);
            if (outcome.Authenticated)
            {
                await Send(socket, peer, Fit(outcome.Result), token).ConfigureAwait(false);
            }
            else
            {
                await Reply(socket, peer, outcome.Result, requestBytes, token).ConfigureAwait(false);
            }
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

    /// <summary>A reply to a datagram that proved no key: at most <paramref name="requestBytes"/> long, within the sender's budget.</summary>
    private async Task Reply(Socket socket, EndPoint peer, Message message, int requestBytes, CancellationToken token)
    {
        var bytes = Bounded(message, requestBytes);
        if (bytes is null || !_replyBudget.TryTake(RefusalSummary.SourceOf(peer.ToString()!)))
        {
            Interlocked.Increment(ref _repliesWithheld); // counted; the refusal itself is audited or logged where it was decided
            return;
        }

        await Send(socket, peer, bytes, token).ConfigureAwait(false);
    }

    /// <summary>The message written in at most <paramref name="limit"/> bytes, its text cut as needed; null when even that does not fit.</summary>
    internal static byte[]? Bounded(Message message, int limit)
    {
        var full = Write(message);
        if (full.Length <= limit)
        {
            return full;
        }

        Message Shortened(string? text) => message switch
        {
            ErrorMessage e => e with { Message = text ?? string.Empty },
            ResultMessage r => r with { Message = text },
            _ => message,
        };

        var bare = Write(Shortened(message is ErrorMessage ? string.Empty : null));
        if (bare.Length > limit)
        {
            return null;
        }

        var text = message switch { ErrorMessage e => e.Message, ResultMessage r => r.Message, _ => null } ?? string.Empty;
        var keep = Math.Min(text.Length, limit - bare.Length - 8); // room for the quotes and an ellipsis
        for (; keep > 0; keep -= 8)
        {
            var cut = Write(Shortened(text[..keep] + "…"));
            if (cut.Length <= limit)
            {
                return cut;
            }
        }

        return bare;
    }

    private static byte[] Fit(ResultMessage result)
    {
        var bytes = Write(result);
        if (bytes.Length <= ProtocolInfo.MaxDatagram)
        {
            return bytes;
        }

        return Write(new ResultMessage(result.Id, result.Ok, result.Ok ? ResultCodes.TooLarge : result.Code, result.Ok
            ? $"the result is {bytes.Length} bytes, more than a UDP datagram carries ({ProtocolInfo.MaxDatagram}); the command ran; send it over TCP or WebSocket to see the result"
            : Truncate(result.Message)));
    }

    private static byte[] Write(Message message)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        MessageWriter.Write(message, buffer);
        return buffer.WrittenSpan.ToArray();
    }

    private static async Task Send(Socket socket, EndPoint peer, byte[] bytes, CancellationToken token) =>
        await socket.SendToAsync(bytes, SocketFlags.None, peer, token).ConfigureAwait(false);

    private static string? Truncate(string? s) => s is { Length: > 800 } ? s[..800] + "…" : s;

    [LoggerMessage(Level = LogLevel.Information, Message = "UDP command port listening on {Endpoint}")]
    private static partial void LogListening(ILogger logger, string endpoint);

    [LoggerMessage(Level = LogLevel.Error, Message = "UDP command port: a datagram from {Peer} ({Bytes} bytes) could not be handled ({ExceptionType}: {Error}); it was dropped, the port goes on")]
    private static partial void LogDatagramFailed(ILogger logger, string peer, int bytes, string exceptionType, string error);

    [LoggerMessage(Level = LogLevel.Error, Message = "UDP command port cannot listen on {Endpoint}: {Error}; choose a free address or port in Gateway:Listener:Udp (or stop what holds it); the gateway goes on without it")]
    private static partial void LogBindFailed(ILogger logger, string endpoint, string error);
}
