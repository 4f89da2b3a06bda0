using System.Collections.Concurrent;
using Gateway.Console.Addressing;
using Gateway.Console.Cli;
using Gateway.Console.Commanding;
using Gateway.Console.Transport;
using Gateway.Console.Views;
using Gateway.Protocol;
using Gateway.Protocol.Commands;
using Gateway.Protocol.Transport;
using Spectre.Console;

namespace Gateway.Console.Watching;

/// <summary>
/// <c>gwctl watch</c>: connects to a gateway's TCP or WebSocket listener and shows its live readings — a live view on
/// a terminal, one line per reading otherwise (or the messages as JSON) — and, with a key, its status in the live
/// view every <see cref="StatusEvery"/>. Pings every <see cref="PingEvery"/> so the listener's idle timeout never drops a quiet
/// watcher, and gives up when the gateway has said nothing (not even a pong) for <see cref="SilenceLimit"/>.
/// </summary>
internal sealed class Watcher
{
    /// <summary>How often to ping (the listener drops consoles silent for its IdleTimeout, 2 min by default).</summary>
    public static readonly TimeSpan PingEvery = TimeSpan.FromSeconds(30);

    /// <summary>Silence after which the connection is taken as dead.</summary>
    public static readonly TimeSpan SilenceLimit = TimeSpan.FromSeconds(75);

    /// <summary>How often the live view fetches the status when a key is available.</summary>
    public static readonly TimeSpan StatusEvery = TimeSpan.FromSeconds(15);

    private readonly ConcurrentDictionary<string, TaskCompletionSource<ResultMessage>> _pending = new(StringComparer.Ordinal);
    private readonly GatewayAddress _address;
    private readonly CommandKeyFile? _key;
    private readonly bool _json;
    private readonly long? _count;
    private readonly TimeSpan _timeout;
    private readonly Terminal _terminal;
    private readonly TimeProvider _time;

    public Watcher(GatewayAddress address, CommandKeyFile? key, bool json, long? count, TimeSpan timeout, Terminal terminal, TimeProvider time)
    {
        _address = address;
        _key = key;
        _json = json;
        _count = count;
        _timeout = timeout;
        _terminal = terminal;
        _time = time;
    }

    /// <summary>Watches until stopped, the count is reached, or the connection ends; returns the exit code.</summary>
    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        if (_address.Transport is not (TransportKind.Tcp or TransportKind.WebSocket))
        {
            throw new GwctlException(ExitCodes.Usage, $"watch connects to a gateway's listener: give tcp://host:port or ws://host:port/ws, not {_address}");
        }

        await using var channel = await Connector.OpenAsync(_address, _timeout, cancellationToken).ConfigureAwait(false);
        var early = new List<Inbound>();
        var hello = await GatewaySession.ReadHelloAsync(channel, _address, _timeout, cancellationToken, early).ConfigureAwait(false);
        var state = new WatchState(_address.ToString(), hello, _time.GetUtcNow());
        var live = _terminal.StdoutIsTerminal && !_json;
        if (!live)
        {
            await _terminal.ErrorWriter.WriteLineAsync($"gwctl: watching {Formats.OneLine(hello.Device)} (firmware {Formats.OneLine(hello.Firmware)}) at {_address}; next seq {hello.NextSeq}").ConfigureAwait(false);
        }

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var receive = ReceiveLoop(channel, state, early, live, stop);
        var ping = PingLoop(channel, stop.Token);
        // Status only feeds the live view; each one is a command the gateway audits, so none are sent for line output.
        var status = _key is null || !live ? Task.CompletedTask : StatusLoop(channel, hello.Device, state, stop.Token);
        var view = live ? LiveLoop(state, receive, stop.Token) : Task.CompletedTask;
        string? ended;
        try
        {
            ended = await receive.ConfigureAwait(false);
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
            foreach (var task in new[] { ping, status, view })
            {
                try
                {
                    await task.ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is OperationCanceledException or ChannelClosedException)
                {
                    // stopping
                }
            }
        }

        if (ended is not null && !cancellationToken.IsCancellationRequested)
        {
            throw new GwctlException(ExitCodes.Unavailable, $"the connection to {_address} ended: {ended}");
        }

        return ExitCodes.Ok;
    }

    // Returns null when stopped or the count was reached; otherwise why the connection ended.
    private async Task<string?> ReceiveLoop(IMessageChannel channel, WatchState state, List<Inbound> early, bool live, CancellationTokenSource stop)
    {
        IReadOnlyList<Inbound> batch = early;
        long seen = 0;
        string? lastError = null;
        while (true)
        {
            foreach (var inbound in batch)
            {
                switch (inbound.Message)
                {
                    case ReadingMessage or EventMessage:
                        state.Take(inbound.Message, NowSecond);
                        if (!live)
                        {
                            await _terminal.OutWriter.WriteLineAsync(_json ? MessageWriter.ToJson(inbound.Message) : Formats.Line(inbound.Message)).ConfigureAwait(false);
                            await _terminal.OutWriter.FlushAsync(CancellationToken.None).ConfigureAwait(false);
                        }

                        if (_count is { } limit && ++seen >= limit)
                        {
                            return null;
                        }

                        break;
                    case ResultMessage result:
                        if (_pending.TryRemove(result.Id, out var waiter))
                        {
                            waiter.TrySetResult(result);
                        }

                        break;
                    case ErrorMessage error:
                        lastError = $"{error.Code}: {Formats.OneLine(error.Message)}";
                        break;
                    default:
                        break; // pong
                }
            }

            using var silence = CancellationTokenSource.CreateLinkedTokenSource(stop.Token);
            silence.CancelAfter(SilenceLimit);
            try
            {
                batch = await channel.ReceiveAsync(silence.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!stop.IsCancellationRequested)
            {
                return $"the gateway said nothing for {SilenceLimit.TotalSeconds:0}s, not even to a ping";
            }
            catch (OperationCanceledException)
            {
                return null;
            }
            catch (ChannelClosedException ex)
            {
                return lastError ?? ex.Message;
            }
            catch (FramingViolationException ex)
            {
                return ex.Message;
            }

            if (batch.Count == 0)
            {
                return lastError is null ? "the gateway closed it" : $"the gateway closed it ({lastError})";
            }
        }
    }

    private static async Task PingLoop(IMessageChannel channel, CancellationToken token)
    {
        while (true)
        {
            await Task.Delay(PingEvery, token).ConfigureAwait(false);
            await channel.SendAsync(new PingMessage(), token).ConfigureAwait(false);
        }
    }

    private async Task StatusLoop(IMessageChannel channel, string device, WatchState state, CancellationToken token)
    {
        while (true)
        {
            var command = SignedCommand.Create(_key!, device, "status", "{}", DateTimeOffset.UtcNow);
            var waiter = new TaskCompletionSource<ResultMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
            _pending[command.Id] = waiter;
            await channel.SendAsync(command, token).ConfigureAwait(false);
            try
            {
                var result = await waiter.Task.WaitAsync(_timeout, token).ConfigureAwait(false);
                if (result.Ok && result.Data is not null)
                {
                    state.TakeStatus(GatewayStatus.Parse(result.Data), null);
                }
                else
                {
                    state.TakeStatus(null, $"status refused: {result.Code}: {result.Message}");
                    if (result.Code is ResultCodes.NotAllowed or ResultCodes.UnknownKey or ResultCodes.BadSignature)
                    {
                        return; // asking again will not help
                    }
                }
            }
            catch (TimeoutException)
            {
                state.TakeStatus(null, $"no status within {ErrorAdvice.Seconds(_timeout)}");
            }
            catch (FormatException ex)
            {
                state.TakeStatus(null, $"unreadable status: {ex.Message}");
            }
            finally
            {
                _pending.TryRemove(command.Id, out _);
            }

            await Task.Delay(StatusEvery, token).ConfigureAwait(false);
        }
    }

    private async Task LiveLoop(WatchState state, Task receive, CancellationToken token)
    {
        await _terminal.Out.Live(WatchView.Render(state.Snapshot(NowSecond, _time.GetUtcNow())))
            .AutoClear(false)
            .StartAsync(async ctx =>
            {
                while (!token.IsCancellationRequested && !receive.IsCompleted)
                {
                    ctx.UpdateTarget(WatchView.Render(state.Snapshot(NowSecond, _time.GetUtcNow())));
                    ctx.Refresh();
                    try
                    {
                        await Task.Delay(TimeSpan.FromMilliseconds(500), token).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException)
                    {
                        break;
                    }
                }

                ctx.UpdateTarget(WatchView.Render(state.Snapshot(NowSecond, _time.GetUtcNow())));
            }).ConfigureAwait(false);
    }

    private long NowSecond => _time.GetTimestamp() / _time.TimestampFrequency;
}
