using Gateway.Console.Commanding;
using Gateway.Protocol;
using Gateway.Protocol.Commands;
using Gateway.Protocol.Transport;

namespace Gateway.Console.Upstream;

/// <summary>
/// The control port of <c>gwctl listen --control</c>: a console (<c>gwctl send listen://host:port/&lt;device&gt;</c>)
/// connects and sends signed <c>command</c> messages; each goes down the newest connection that device holds to this
/// upstream, and its <c>result</c> comes back. The relay adds no authority: commands are signed by the console and
/// checked by the gateway, end to end. No gateway of that device connected: the result is <c>not_connected</c>.
/// </summary>
internal sealed class CommandRelay
{
    /// <summary>Most commands one control connection may have waiting at once.</summary>
    public const int MaxOutstanding = 64;

    private readonly ListenContext _context;

    public CommandRelay(ListenContext context) => _context = context;

    /// <summary>Serves one control connection until it ends.</summary>
    public async Task ServeAsync(IMessageChannel channel, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(channel);
        using var session = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var running = new List<Task>();
        try
        {
            while (true)
            {
                IReadOnlyList<Inbound> batch;
                using (var idle = CancellationTokenSource.CreateLinkedTokenSource(session.Token))
                {
                    idle.CancelAfter(_context.Options.RelayTimeout * 2);
                    try
                    {
                        batch = await channel.ReceiveAsync(idle.Token).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException) when (!session.IsCancellationRequested)
                    {
                        await channel.SendAsync(new ErrorMessage("idle_timeout", "idle too long; disconnecting"), session.Token).ConfigureAwait(false);
                        return;
                    }
                }

                if (batch.Count == 0)
                {
                    return;
                }

                foreach (var inbound in batch)
                {
                    running.RemoveAll(t => t.IsCompleted);
                    switch (inbound.Message)
                    {
                        case null:
                            await channel.SendAsync(inbound.Problem!, session.Token).ConfigureAwait(false);
                            break;
                        case PingMessage:
                            await channel.SendAsync(new PongMessage(), session.Token).ConfigureAwait(false);
                            break;
                        case CommandMessage command when running.Count >= MaxOutstanding:
                            await channel.SendAsync(new ResultMessage(command.Id, false, ResultCodes.Busy, $"{MaxOutstanding} commands already waiting on this connection"), session.Token).ConfigureAwait(false);
                            break;
                        case CommandMessage command:
                            running.Add(RelayAsync(channel, command, session.Token));
                            break;
                        case var other:
                            await channel.SendAsync(new ErrorMessage(ErrorCodes.UnknownType, $"the control port takes 'command' and 'ping', not '{other.Type}'"), session.Token).ConfigureAwait(false);
                            break;
                    }
                }
            }
        }
        catch (Exception ex) when (ex is ChannelClosedException or FramingViolationException or OperationCanceledException)
        {
            // the console left, broke the framing, or listen is stopping
        }
        finally
        {
            await session.CancelAsync().ConfigureAwait(false);
            await Task.WhenAll(running).ConfigureAwait(false);
        }
    }

    /// <summary>Forwards one command and returns the result to send back (never throws for the gateway's behaviour).</summary>
    public async Task<ResultMessage> ForwardAsync(CommandMessage command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        if (command.Device is null || !CommandFields.IsToken(command.Device))
        {
            return new ResultMessage(command.Id, false, ResultCodes.BadField, "'device' names the gateway to relay to; it is missing or malformed");
        }

        var connection = _context.Book.Find(command.Device)?.NewestConnection();
        if (connection is null)
        {
            var connected = _context.Book.Devices.Where(d => d.NewestConnection() is not null).Select(d => d.Id).Order(StringComparer.Ordinal).Take(20).ToList();
            return new ResultMessage(command.Id, false, CommandOutcome.NotConnected,
                $"no gateway '{command.Device}' is connected to this listen (connected: {(connected.Count == 0 ? "none" : string.Join(", ", connected))})");
        }

        if (!connection.TryAwait(command.Id, out var result))
        {
            return new ResultMessage(command.Id, false, ResultCodes.Busy, $"a command with id '{command.Id}' is already on its way to '{command.Device}', or {UpstreamConnection.MaxPending} are");
        }

        try
        {
            await connection.Channel.SendAsync(command, cancellationToken).ConfigureAwait(false);
            return await result.WaitAsync(_context.Options.RelayTimeout, cancellationToken).ConfigureAwait(false);
        }
        catch (ChannelClosedException ex)
        {
            return new ResultMessage(command.Id, false, CommandOutcome.NotConnected, $"the connection to '{command.Device}' broke: {ex.Message}");
        }
        catch (TimeoutException)
        {
            return new ResultMessage(command.Id, false, ResultCodes.Timeout, $"'{command.Device}' did not answer within {_context.Options.RelayTimeout.TotalSeconds:0}s");
        }
        finally
        {
            connection.Forget(command.Id);
        }
    }

    private async Task RelayAsync(IMessageChannel channel, CommandMessage command, CancellationToken token)
    {
        try
        {
            var result = await ForwardAsync(command, token).ConfigureAwait(false);
            await channel.SendAsync(result, token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is ChannelClosedException or OperationCanceledException)
        {
            // the console left, or listen is stopping
        }
    }
}
