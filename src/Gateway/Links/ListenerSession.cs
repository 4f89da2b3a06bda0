using System.Buffers;
using System.IO.Pipelines;
using Gateway.Configuration;
using Gateway.Hosting;
using Gateway.Protocol;
using Gateway.Protocol.Transport;
using Microsoft.Extensions.Logging;

namespace Gateway.Links;

/// <summary>
/// One console's connection to a listener, over any stream of NDJSON lines (TCP, or WebSocket through the line
/// adapter): <c>hello</c>, then live readings; answers <c>ping</c>; replies <c>error</c> to bad input and stays up,
/// except for an oversized line, a peer that stops reading, one that falls behind the live feed, or one that is idle
/// too long, which are told why and disconnected.
/// </summary>
internal sealed partial class ListenerSession : IDisposable
{
    private readonly Stream _stream;
    private readonly LiveFeed _feed;
    private readonly GatewayOptions _options;
    private readonly ListenerOptions _listener;
    private readonly ILogger _logger;
    private readonly string _peer;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly Commands.CommandPipeline _commands;
    private readonly Commands.CommandSource _source;
    private readonly CommandRunner _running;

    public ListenerSession(Stream stream, LiveFeed feed, Commands.CommandPipeline commands, string link, GatewayOptions options, ListenerOptions listener, ILogger logger, string peer)
    {
        _stream = stream;
        _feed = feed;
        _commands = commands;
        _source = commands.OpenSource(link, peer);
        _options = options;
        _listener = listener;
        _logger = logger;
        _peer = peer;
        _running = new CommandRunner(logger, $"Listener {link}", peer);
    }

    public async Task RunAsync(long nextSeq, CancellationToken token)
    {
        using var subscriber = _feed.Subscribe();
        using var session = CancellationTokenSource.CreateLinkedTokenSource(token);
        try
        {
            await Send(new HelloMessage(_options.DeviceId, GatewayHost.Version, ProtocolInfo.Version, [.. _options.Sensors.Select(s => s.Id)], nextSeq), session.Token).ConfigureAwait(false);
            var send = SendLive(subscriber, session.Token);
            var receive = Receive(session.Token);
            await Task.WhenAny(send, receive).ConfigureAwait(false);
            await session.CancelAsync().ConfigureAwait(false);
            await Task.WhenAll(send.ContinueWith(static _ => { }, TaskScheduler.Default), receive.ContinueWith(static _ => { }, TaskScheduler.Default)).ConfigureAwait(false);
            await _running.DrainAsync().ConfigureAwait(false);
            var reason = send.Exception?.InnerException ?? receive.Exception?.InnerException;
            if (reason is SessionEndedException ended)
            {
                LogEnded(_logger, _peer, ended.Message);
            }
            else if (reason is not null and not (IOException or OperationCanceledException or ObjectDisposedException or System.Net.WebSockets.WebSocketException))
            {
                // Not the peer leaving: a bug met on this connection. It costs this connection only.
                LogFailed(_logger, _peer, reason.GetType().Name, reason.Message, reason);
            }
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or ObjectDisposedException)
        {
            // the peer went away
        }
    }

    private async Task SendLive(LiveFeed.Subscriber subscriber, CancellationToken token)
    {
        await foreach (var line in subscriber.Lines.Reader.ReadAllAsync(token).ConfigureAwait(false))
        {
            await Write(line, token).ConfigureAwait(false);
        }

        if (subscriber.Overflowed)
        {
            await Send(new ErrorMessage("slow_consumer", $"fell more than {LiveFeed.SubscriberQueue} readings behind; disconnecting"), token).ConfigureAwait(false);
            throw new SessionEndedException("fell behind the live feed");
        }
    }

    private async Task Receive(CancellationToken token)
    {
        var pipe = PipeReader.Create(_stream, new StreamPipeReaderOptions(leaveOpen: true));
        var deadline = new IdleDeadline(_listener.IdleTimeout, TimeProvider.System);
        while (true)
        {
            ReadResult result;
            using (var idle = CancellationTokenSource.CreateLinkedTokenSource(token))
            {
                var remaining = deadline.Remaining;
                if (remaining > TimeSpan.Zero)
                {
                    idle.CancelAfter(remaining);
                }
                else
                {
                    await idle.CancelAsync().ConfigureAwait(false);
                }

                try
                {
                    result = await pipe.ReadAsync(idle.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (!token.IsCancellationRequested)
                {
                    await Send(new ErrorMessage("idle_timeout", $"no valid message for {_listener.IdleTimeout.TotalSeconds:0}s; disconnecting"), token).ConfigureAwait(false);
                    throw new SessionEndedException("idle");
                }
            }

            var buffer = result.Buffer;
            while (true)
            {
                var status = NdjsonFraming.TryReadLine(ref buffer, _listener.MaxLineLength, out var line);
                if (status == LineStatus.Incomplete)
                {
                    break;
                }

                if (status == LineStatus.TooLong)
                {
                    await Send(new ErrorMessage(ErrorCodes.LineTooLong, $"a line is longer than {_listener.MaxLineLength} bytes; disconnecting"), token).ConfigureAwait(false);
                    throw new SessionEndedException("sent an oversized line");
                }

                if (line.IsEmpty)
                {
                    continue;
                }

                var inbound = Inbound.Parse(line);
                var message = inbound.Message ?? inbound.Problem!;
                if (message is PingMessage or CommandMessage or AckMessage or PongMessage or ResultMessage)
                {
                    deadline.MarkActive(); // only a message the session takes; empty lines and bad input are not activity
                }

                switch (message)
                {
                    case PingMessage:
                        await Send(new PongMessage(), token).ConfigureAwait(false);
                        break;
                    case CommandMessage command:
                        // Run beside the receive loop: a slow command must not hold up pings or other commands.
                        if (!_running.TryStart(async () => await Send(await _commands.HandleAsync(command, _source, token).ConfigureAwait(false), token).ConfigureAwait(false)))
                        {
                            await Send(new ResultMessage(command.Id, false, Protocol.Commands.ResultCodes.Busy, $"{CommandRunner.MaxPerConnection} commands already outstanding on this connection"), token).ConfigureAwait(false);
                        }

                        break;
                    case ErrorMessage error when error.Code is ErrorCodes.InvalidUtf8 or ErrorCodes.MalformedJson or ErrorCodes.UnknownType or ErrorCodes.BadField:
                        LogBadInput(_logger, _peer, error.Code, error.Message);
                        await Send(error, token).ConfigureAwait(false);
                        break;
                    case AckMessage or PongMessage or ErrorMessage or ResultMessage:
                        break; // live readings are not acknowledged; a console's own errors are its business
                    case var other:
                        await Send(new ErrorMessage(ErrorCodes.UnknownType, $"a listener does not take '{other.Type}' messages"), token).ConfigureAwait(false);
                        break;
                }
            }

            pipe.AdvanceTo(buffer.Start, buffer.End);
            if (result.IsCompleted)
            {
                return;
            }
        }
    }

    private async Task Send(Message message, CancellationToken token)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        MessageWriter.WriteLine(message, buffer);
        await Write(buffer.WrittenMemory, token).ConfigureAwait(false);
    }

    // One write at a time; a peer that does not read blocks the write, and after WriteTimeout it is dropped.
    private async Task Write(ReadOnlyMemory<byte> bytes, CancellationToken token)
    {
        await _writeLock.WaitAsync(token).ConfigureAwait(false);
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(token);
            timeout.CancelAfter(_listener.WriteTimeout);
            try
            {
                await _stream.WriteAsync(bytes, timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!token.IsCancellationRequested)
            {
                throw new SessionEndedException($"did not read for {_listener.WriteTimeout.TotalSeconds:0}s");
            }
        }
        finally
        {
            _writeLock.Release();
        }
    }

    public void Dispose() => _writeLock.Dispose();

    [LoggerMessage(Level = LogLevel.Warning, Message = "Listener: {Peer} sent bad input ({Code}: {Error}); replied with an error")]
    private static partial void LogBadInput(ILogger logger, string peer, string code, string error);

    [LoggerMessage(Level = LogLevel.Error, Message = "Listener: the connection of {Peer} failed unexpectedly ({Type}: {Error}); dropped it, the listener goes on")]
    private static partial void LogFailed(ILogger logger, string peer, string type, string error, Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "Listener: disconnected {Peer}: {Reason}")]
    private static partial void LogEnded(ILogger logger, string peer, string reason);

    private sealed class SessionEndedException(string message) : Exception(message);
}
