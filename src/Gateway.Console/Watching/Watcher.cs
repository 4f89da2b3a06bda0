using System.Collections.Concurrent;
using Gateway.Console.Addressing;
using Gateway.Console.Cli;
using Gateway.Console.Commanding;
using Gateway.Console.Keys;
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
/// Over <c>mqtt://</c> it watches the gateway's topics on its broker instead (<see cref="MqttGatewayChannel"/>): no
/// hello, no pings and no silence limit (a quiet gateway is no dead broker connection; MQTT's own keep alive finds
/// that); the retained status topic's word, gaps and any payload that is not a valid message are said on stderr
/// (the status and the skipped count in the live view), and a lost broker connection is tried again the same way.
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
    private readonly BrokerLogin? _login;

    // Reconnection: the first wait, the longest, and how long a connection must have lasted to start again from the first.
    private static readonly TimeSpan FirstRetry = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan LastRetry = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan LastingSession = TimeSpan.FromSeconds(30);

    // Skipped payloads said one by one, at most.
    private const int MaxReported = 10;

    public Watcher(GatewayAddress address, CommandKeyFile? key, bool json, long? count, TimeSpan timeout, Terminal terminal, TimeProvider time, bool reconnect = true, BrokerLogin? login = null)
    {
        _reconnect = reconnect;
        _login = login;
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
        if (_address.Transport is not (TransportKind.Tcp or TransportKind.WebSocket or TransportKind.Mqtt))
        {
            throw new GwctlException(ExitCodes.Usage, $"watch connects to a gateway's listener or its MQTT broker: give tcp://host:port, tls://host:port, ws://host:port/ws, wss://host:port/ws or mqtt://host:port/<prefix>, not {_address}");
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
        var mqtt = _address.Transport == TransportKind.Mqtt;
        await using var channel = await Connector.OpenAsync(_address, _login, MqttFeed.Watch, _timeout, cancellationToken).ConfigureAwait(false);
        var early = new List<Inbound>();
        var hello = mqtt ? null : await GatewaySession.ReadHelloAsync(channel, _address, _timeout, cancellationToken, early).ConfigureAwait(false);
        var started = _time.GetTimestamp();
        var device = hello?.Device ?? _address.Device; // over MQTT: the prefix's last level, when it is a device id
        var state = new WatchState(_address.ToString(), hello, device ?? _address.Path, _time.GetUtcNow());
        var live = _terminal.StdoutIsTerminal && !_json;
        if (hello is null)
        {
            var topics = new MqttTopics(_address.Path);
            if (again || !live)
            {
                await Say(again
                    ? $"gwctl: reconnected to the broker at {_address}"
                    : $"gwctl: watching {topics.ReadingsFilter}, {topics.Events}, {topics.Gaps} and {topics.Status} at mqtt://{_address.Endpoint}").ConfigureAwait(false);
            }
        }
        else if (again)
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
        var ping = mqtt ? Task.CompletedTask : PingLoop(channel, stop.Token); // MQTT keep alive pings the broker itself
        // Status only feeds the live view; each one is a command the gateway audits, so none are sent for line output.
        var status = _key is null || !live || device is null ? Task.CompletedTask : StatusLoop(channel, device, state, stop.Token);
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
        // A gateway's listener that falls silent is lost; a gateway that is quiet on its broker is only quiet.
        var silenceLimit = _address.Transport == TransportKind.Mqtt ? Timeout.InfiniteTimeSpan : SilenceLimit;
        while (true)
        {
            foreach (var inbound in batch)
            {
                if (inbound.Problem is { } problem)
                {
                    await Skipped(state, progress, live, problem).ConfigureAwait(false);
                    continue;
                }

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
                    case BrokerStatusMessage said:
                        state.TakeAvailability(said.Status);
                        if (!live)
                        {
                            await Say($"gwctl: {Formats.OneLine(said.Topic)}: {said.Status}{(said.Retained ? " (retained)" : string.Empty)}").ConfigureAwait(false);
                        }

                        break;
                    case GapMessage gap:
                        await Say($"gwctl: gap: seqs {gap.From}-{gap.To} will never come ({Formats.OneLine(gap.Reason)})").ConfigureAwait(false);
                        break;
                    default:
                        break; // pong
                }
            }

            using var silence = CancellationTokenSource.CreateLinkedTokenSource(stop.Token);
            silence.CancelAfter(silenceLimit);
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

    // A payload that is not a valid message (only a broker hands such on): said and skipped, the first MaxReported of
    // them one by one, then counted in silence; the live view shows the count and the latest.
    private async Task Skipped(WatchState state, Progress progress, bool live, ErrorMessage problem)
    {
        var line = $"{problem.Code}: {Formats.OneLine(problem.Message)}";
        state.TakeSkipped(line);
        progress.Skipped++;
        if (live || progress.Skipped > MaxReported)
        {
            return;
        }

        await Say($"gwctl: skipped a message {line}").ConfigureAwait(false);
        if (progress.Skipped == MaxReported)
        {
            await Say($"gwctl: {MaxReported} messages skipped; more are skipped without a word").ConfigureAwait(false);
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

        public long Skipped { get; set; }
    }
}
