using Gateway.Commands;
using Gateway.Protocol;
using Gateway.Protocol.Transport;
using Microsoft.Extensions.Logging;

namespace Gateway.Links;

/// <summary>
/// What every session does with what its peer sends, whatever the session (an acknowledged link, a listener, the MQTT
/// link's commands topic): a bad line is answered with the parser's error and the session goes on; <c>ping</c> is
/// answered <c>pong</c>; a <c>pong</c> is taken; a peer's own <c>error</c> is logged and never answered (two peers
/// bouncing errors would loop, docs/protocol.md "Errors"); a <c>command</c> runs through the command pipeline beside
/// the receive loop, at most <see cref="CommandRunner.MaxPerConnection"/> at once, and its result is the reply.
/// Anything else is the session's own business (an <c>ack</c> for a link), handed back by <see cref="DispatchAsync"/>.
/// One per connection.
/// </summary>
internal sealed partial class InboundDispatcher
{
    private readonly Func<Message, CancellationToken, Task> _reply;
    private readonly CommandPipeline? _commands;
    private readonly CommandSource? _source;
    private readonly CommandRunner _running;
    private readonly ILogger _logger;
    private readonly string _session;
    private readonly string _peer;

    /// <summary>Creates the dispatcher of one connection.</summary>
    /// <param name="session">Names the session in the log, e.g. <c>Link tcp</c> or <c>Listener tcp</c>.</param>
    /// <param name="peer">Who is at the other end, for the log.</param>
    /// <param name="reply">Sends a reply to the peer (the channel's send; a publish to the results topic for MQTT).</param>
    /// <param name="commands">Runs the peer's commands; null: commands are handed back to the session like any other message.</param>
    /// <param name="source">The connection's command source (its rate limit and audit name); required with <paramref name="commands"/>.</param>
    /// <param name="logger">Where bad input and failed commands are logged.</param>
    public InboundDispatcher(string session, string peer, Func<Message, CancellationToken, Task> reply, CommandPipeline? commands, CommandSource? source, ILogger logger)
    {
        ArgumentException.ThrowIfNullOrEmpty(session);
        ArgumentNullException.ThrowIfNull(peer);
        ArgumentNullException.ThrowIfNull(reply);
        ArgumentNullException.ThrowIfNull(logger);
        if (commands is not null && source is null)
        {
            throw new ArgumentNullException(nameof(source), "a command pipeline needs the connection's command source");
        }

        _session = session;
        _peer = peer;
        _reply = reply;
        _commands = commands;
        _source = source;
        _logger = logger;
        _running = new CommandRunner(logger, session, peer);
    }

    /// <summary>
    /// Deals with one received message or bad line. Returns null when it was dealt with here; otherwise the message,
    /// which the session takes itself (or answers as one it does not take).
    /// </summary>
    /// <exception cref="OperationCanceledException"><paramref name="token"/> was cancelled.</exception>
    /// <remarks>A reply that cannot be sent throws what the reply throws (the connection is ending).</remarks>
    public async ValueTask<Message?> DispatchAsync(Inbound inbound, CancellationToken token)
    {
        ArgumentNullException.ThrowIfNull(inbound);
        switch (inbound)
        {
            case { Problem: { } problem }:
                // Our parser's verdict on the peer's line: tell the peer, and go on with the next line.
                LogBadInput(_logger, _session, _peer, problem.Code, problem.Message);
                await _reply(problem, token).ConfigureAwait(false);
                return null;
            case { Message: PingMessage }:
                await _reply(new PongMessage(), token).ConfigureAwait(false);
                return null;
            case { Message: PongMessage }:
                return null;
            case { Message: ErrorMessage error }:
                LogPeerError(_logger, _session, _peer, error.Code, error.Message); // the peer's own business: never bounced back
                return null;
            case { Message: CommandMessage command } when _commands is not null:
                if (!_running.TryStart(() => RunAsync(command, token)))
                {
                    await _reply(new ResultMessage(command.Id, false, Protocol.Commands.ResultCodes.Busy, $"{CommandRunner.MaxPerConnection} commands already outstanding on this connection"), token).ConfigureAwait(false);
                }

                return null;
            default:
                return inbound.Message;
        }
    }

    /// <summary>Waits for the commands still running (a connection that ends does, before it goes); never throws.</summary>
    public Task DrainAsync() => _running.DrainAsync();

    // Runs beside the receive loop: a slow command must not hold up pings, acks or other commands.
    private async Task RunAsync(CommandMessage command, CancellationToken token)
    {
        var result = await _commands!.HandleAsync(command, _source!, token).ConfigureAwait(false);
        await _reply(result, token).ConfigureAwait(false);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Session}: {Peer} sent bad input ({Code}: {Error}); replied with an error")]
    private static partial void LogBadInput(ILogger logger, string session, string peer, string code, string error);

    [LoggerMessage(Level = LogLevel.Debug, Message = "{Session}: {Peer} sent an error ({Code}: {Error}); not answered")]
    private static partial void LogPeerError(ILogger logger, string session, string peer, string code, string error);
}
