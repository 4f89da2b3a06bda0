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
/// watcher, and takes the connection as lost when the gateway has said nothing (not even a pong) for
/// <see cref="SilenceLimit"/>; a lost connection is said and tried again (<see cref="RunAsync"/>).
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
    private readonly bool _reconnect;

    // Reconnection: the first wait, the longest, and how long a connection must have lasted to start again from the first.
    private static readonly TimeSpan FirstRetry = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan LastRetry = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan LastingSession = TimeSpan.FromSeconds(30);

    public Watcher(GatewayAddress address, CommandKeyFile? key, bool json, long? count, TimeSpan timeout, Terminal terminal, TimeProvider time, bool reconnect = true)
    {
        _reconnect = reconnect;
        _address = address;
        _key = key;
        _json = json;
        _count = count;
        _timeout = timeout;
        _terminal = terminal;
        _time = time;
    }

    /// <summary>
    /// Watches until stopped or the count is reached; returns the exit code. A first connection that fails is an error
    /// (exit 69 or 75: nothing was ever watched). Once watching, a connection that ends is said on stderr and tried again
    /// with backoff (1 s doubling to 30 s), each try said too, and the seqs the live feed sent meanwhile are named when
    /// the gateway's hello shows them missed; with <c>--no-reconnect</c> the end is the exit (69).
    /// </summary>
    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        if (_address.Transport is not (TransportKind.Tcp or TransportKind.WebSocket))
        {
            throw new GwctlException(ExitCodes.Usage, $"watch connects to a gateway's listener: give tcp://host:port, tls://host:port, ws://host:port/ws or wss://host:port/ws, not {_address}");
        }

        var progress = new Progress();
        var backoff = FirstRetry;
        var watched = false;
        while (true)
        {
            string? ended;
            try
            {
                ended = await WatchOnceAsync(progress, watched, cancellationToken).ConfigureAwait(false);
            }
            catch (GwctlException ex) when (watched && _reconnect && !cancellationToken.IsCancellationRequested)
            {
                await Say($"gwctl: {ex.Message}; trying again in {ErrorAdvice.Seconds(backoff)}").ConfigureAwait(false);
                if (!await Wait(backoff, cancellationToken).ConfigureAwait(false))
                {
                    return ExitCodes.Ok;
                }

                backoff = Next(backoff);
                continue;
            }

            watched = true;
            if (ended is null || cancellationToken.IsCancellationRequested)
            {
                return ExitCodes.Ok; // stopped, or the count reached
            }

            if (!_reconnect)
            {
                throw new GwctlException(ExitCodes.Unavailable, $"the connection to {_address} ended: {ended}");
            }

            if (progress.LastSessionTook > LastingSession)
            {
                backoff = FirstRetry; // it had been up a while: this is a new outage, not the same one going on
            }

            await Say($"gwctl: the connection to {_address} ended: {ended}; reconnecting in {ErrorAdvice.Seconds(backoff)}").ConfigureAwait(false);
            if (!await Wait(backoff, cancellationToken).ConfigureAwait(false))
            {
                return ExitCodes.Ok;
            }

            backoff = Next(backoff);
        }
    }

    // One connection: hello, then readings until it ends. Null when stopped or the count was reached; else why it ended.
    private async Task<string?> WatchOnceAsync(Progress progress, bool again, CancellationToken cancellationToken)
    {
        await using var channel = await Connector.OpenAsync(_address, _timeout, cancellationToken).ConfigureAwait(false);
        var early = new List<Inbound>();
        var hello = await GatewaySession.ReadHelloAsync(channel, _address, _timeout, cancellationToken, early).ConfigureAwait(false);
        var started = _time.GetTimestamp();
        var state = new WatchState(_address.ToString(), hello, _time.GetUtcNow());
        var live = _terminal.StdoutIsTerminal && !_json;
        if (again)
        {
            // The live feed sends what is sampled while connected; what it sent meanwhile is still in the gateway's outbox.
            var missed = progress.LastSeq > 0 && hello.NextSeq > progress.LastSeq + 1 ? $"; seqs {progress.LastSeq + 1}-{hello.NextSeq - 1} were sent while disconnected (the gateway's outbox keeps them)" : string.Empty;
            await Say($"gwctl: reconnected to {Formats.OneLine(hello.Device)} at {_address}; next seq {hello.NextSeq}{missed}").ConfigureAwait(false);
        }
        else if (!live)
        {
            await _terminal.ErrorWriter.WriteLineAsync($"gwctl: watching {Formats.OneLine(hello.Device)} (firmware {Formats.OneLine(hello.Firmware)}) at {_address}; next seq {hello.NextSeq}").ConfigureAwait(false);
        }

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var receive = ReceiveLoop(channel, state, early, live, progress, stop);
        var ping = PingLoop(channel, stop.Token);
        // Status only feeds the live view; each one is a command the gateway audits, so none are sent for line output.
        var status = _key is null || !live ? Task.CompletedTask : StatusLoop(channel, hello.Device, state, stop.Token);
        var view = live ? LiveLoop(state, receive, stop.Token) : Task.CompletedTask;
        try
        {
            return await receive.ConfigureAwait(false);
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

            progress.LastSessionTook = _time.GetElapsedTime(started);
        }
    }

    private async Task Say(string line)
    {
        await _terminal.ErrorWriter.WriteLineAsync(line).ConfigureAwait(false);
        await _terminal.ErrorWriter.FlushAsync(CancellationToken.None).ConfigureAwait(false);
    }

    // False when stopped (Ctrl-C) while waiting.
    private async Task<bool> Wait(TimeSpan delay, CancellationToken token)
    {
        try
        {
            await Task.Delay(delay, _time, token).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private static TimeSpan Next(TimeSpan backoff) => TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, LastRetry.Ticks));

    // Returns null when stopped or the count was reached; otherwise why the connection ended.
    private async Task<string?> ReceiveLoop(IMessageChannel channel, WatchState state, List<Inbound> early, bool live, Progress progress, CancellationTokenSource stop)
    {
        IReadOnlyList<Inbound> batch = early;
        string? lastError = null;
        while (true)
        {
            foreach (var inbound in batch)
            {
                switch (inbound.Message)
                {
                    case ReadingMessage or EventMessage:
                        state.Take(inbound.Message, NowSecond);
                        progress.LastSeq = Math.Max(progress.LastSeq, inbound.Message switch { ReadingMessage r => r.Seq, EventMessage e => e.Seq, _ => 0 });
                        if (!live)
                        {
                            await _terminal.OutWriter.WriteLineAsync(_json ? MessageWriter.ToJson(inbound.Message) : Formats.Line(inbound.Message)).ConfigureAwait(false);
                            await _terminal.OutWriter.FlushAsync(CancellationToken.None).ConfigureAwait(false);
                        }

                        if (_count is { } limit && ++progress.Seen >= limit) // counted across reconnections
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

    // What carries over from one connection to the next.
    private sealed class Progress
    {
        public long Seen { get; set; }

        public long LastSeq { get; set; }

        public TimeSpan LastSessionTook { get; set; }
    }
}
