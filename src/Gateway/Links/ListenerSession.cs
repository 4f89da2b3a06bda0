using Gateway.Configuration;
using Gateway.Hosting;
using Gateway.Protocol;
using Gateway.Protocol.Transport;
using Microsoft.Extensions.Logging;

namespace Gateway.Links;

/// <summary>
/// One console's connection to a listener, over any message channel (NDJSON over TCP, or one message per WebSocket
/// frame): <c>hello</c>, then live readings; answers <c>ping</c>; replies <c>error</c> to bad input and stays up,
/// except for an oversized line or frame, a peer that stops reading, one that falls behind the live feed, or one that
/// is idle too long, which are told why and disconnected (docs/protocol.md, Listeners).
/// </summary>
internal sealed partial class ListenerSession
{
    private readonly IMessageChannel _channel;
    private readonly LiveFeed _feed;
    private readonly GatewayOptions _options;
    private readonly ListenerOptions _listener;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly InboundDispatcher _inbound;

    /// <summary>Creates the session over <paramref name="channel"/>, which the caller owns (and disposes).</summary>
    public ListenerSession(IMessageChannel channel, LiveFeed feed, Commands.CommandPipeline commands, string link, GatewayOptions options, ListenerOptions listener, ILogger logger, TimeProvider time)
    {
        _channel = channel;
        _feed = feed;
        _options = options;
        _listener = listener;
        _logger = logger;
        _time = time;
        _inbound = new InboundDispatcher(link, channel.Peer, channel.SendAsync, commands, commands.OpenSource(link, channel.Peer), logger);
    }

    private string Peer => _channel.Peer;

    /// <summary>Says hello (with the seq of the first live line this console gets), then serves it until it leaves.</summary>
    public async Task RunAsync(CancellationToken token)
    {
        using var subscriber = _feed.Subscribe();
        using var session = CancellationTokenSource.CreateLinkedTokenSource(token);
        try
        {
            await Send(new HelloMessage(_options.DeviceId, GatewayHost.Version, ProtocolInfo.Version, [.. _options.Sensors.Select(s => s.Id)], subscriber.NextSeq), session.Token).ConfigureAwait(false);
            var send = SendLive(subscriber, session.Token);
            var receive = Receive(session.Token);
            await Task.WhenAny(send, receive).ConfigureAwait(false);
            await session.CancelAsync().ConfigureAwait(false);
            await Task.WhenAll(send.ContinueWith(static _ => { }, TaskScheduler.Default), receive.ContinueWith(static _ => { }, TaskScheduler.Default)).ConfigureAwait(false);
            await _inbound.DrainAsync().ConfigureAwait(false);
            var reason = send.Exception?.InnerException ?? receive.Exception?.InnerException;
            if (reason is SessionEndedException or ChannelStalledException)
            {
                LogEnded(_logger, Peer, reason.Message);
            }
            else if (reason is not null and not (ChannelClosedException or OperationCanceledException))
            {
                // Not the peer leaving: a bug met on this connection. It costs this connection only.
                LogFailed(_logger, Peer, reason.GetType().Name, reason.Message, reason);
            }
        }
        catch (Exception ex) when (ex is ChannelClosedException or OperationCanceledException)
        {
            // the peer went away (or did not even take the hello)
        }
    }

    private async Task SendLive(LiveFeed.Subscriber subscriber, CancellationToken token)
    {
        await foreach (var line in subscriber.Lines.Reader.ReadAllAsync(token).ConfigureAwait(false))
        {
            await _channel.SendLinesAsync(line, token).ConfigureAwait(false);
        }

        if (subscriber.Overflowed)
        {
            await Send(new ErrorMessage("slow_consumer", $"fell more than {LiveFeed.SubscriberQueue} readings behind; disconnecting"), token).ConfigureAwait(false);
            throw new SessionEndedException("fell behind the live feed");
        }
    }

    private async Task Receive(CancellationToken token)
    {
        var deadline = new IdleDeadline(_listener.IdleTimeout, _time);
        try
        {
            await ReceiveLoop.RunAsync(_channel, () => deadline.Remaining, _time, inbound =>
            {
                if (inbound.Message is PingMessage or CommandMessage or AckMessage or PongMessage or ResultMessage)
                {
                    deadline.MarkActive(); // only a message the session takes; empty lines and bad input are not activity
                }

                return Handle(inbound, token);
            }, token).ConfigureAwait(false);
        }
        catch (PeerSilentException)
        {
            await Send(new ErrorMessage("idle_timeout", $"no valid message for {_listener.IdleTimeout.TotalSeconds:0}s; disconnecting"), token).ConfigureAwait(false);
            throw new SessionEndedException("idle");
        }
        catch (FramingViolationException ex)
        {
            throw new SessionEndedException(ex.Reply?.Code == ErrorCodes.LineTooLong ? "sent an oversized line" : "broke the framing (a binary frame)");
        }
    }

    // Ping, pong, commands, bad lines and the peer's errors: the dispatcher. A listener takes nothing else.
    private async Task Handle(Inbound inbound, CancellationToken token)
    {
        switch (await _inbound.DispatchAsync(inbound, token).ConfigureAwait(false))
        {
            case null or AckMessage or ResultMessage:
                break; // live readings are not acknowledged
            case { } other:
                await Send(new ErrorMessage(ErrorCodes.UnknownType, $"a listener does not take '{other.Type}' messages"), token).ConfigureAwait(false);
                break;
        }
    }

    private Task Send(Message message, CancellationToken token) => _channel.SendAsync(message, token);

    [LoggerMessage(Level = LogLevel.Error, Message = "Listener: the connection of {Peer} failed unexpectedly ({Type}: {Error}); dropped it, the listener goes on")]
    private static partial void LogFailed(ILogger logger, string peer, string type, string error, Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "Listener: disconnected {Peer}: {Reason}")]
    private static partial void LogEnded(ILogger logger, string peer, string reason);

    private sealed class SessionEndedException(string message) : Exception(message);
}
