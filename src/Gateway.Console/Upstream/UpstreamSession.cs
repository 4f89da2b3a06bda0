using Gateway.Protocol;
using Gateway.Protocol.Commands;
using Gateway.Protocol.Transport;

namespace Gateway.Console.Upstream;

/// <summary>
/// One gateway's connection to <c>gwctl listen</c> (docs/protocol.md): it must say <c>hello</c> first, within
/// <see cref="ListenOptions.HelloTimeout"/>; then readings, events and gaps are taken, de-duplicated by (device, seq),
/// recorded, and acknowledged cumulatively — only after the recording holds them durably. Pings are answered; results
/// of relayed commands are handed to their waiters. Bad input gets an <c>error</c> reply and the connection stays;
/// an oversized line, silence beyond <see cref="ListenOptions.IdleTimeout"/>, or a peer that does not read end it.
/// </summary>
internal sealed class UpstreamSession
{
    private readonly IMessageChannel _channel;
    private readonly string _transport;
    private readonly ListenContext _context;
    private IReadOnlyList<Inbound> _early = [];

    public UpstreamSession(IMessageChannel channel, string transport, ListenContext context)
    {
        _channel = channel;
        _transport = transport;
        _context = context;
    }

    /// <summary>Serves the connection until it ends; never throws for anything the peer did.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var output = _context.Output;
        HelloMessage? hello;
        try
        {
            hello = await ReadHelloAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is ChannelClosedException or FramingViolationException or OperationCanceledException)
        {
            return;
        }

        if (hello is null)
        {
            return;
        }

        var device = _context.Book.GetOrAdd(hello.Device);
        if (device is null)
        {
            await TrySend(new ErrorMessage("too_many_devices", $"this upstream tracks at most {_context.Book.MaxDevices} devices"), cancellationToken).ConfigureAwait(false);
            output.Notice(NoticeLevel.Warning, $"refused {hello.Device} from {_channel.Peer}: already {_context.Book.MaxDevices} devices");
            return;
        }

        var connection = new UpstreamConnection(_transport, _channel, hello.Device, _context.Time.GetUtcNow());
        device.Attach(connection, hello);
        output.Notice(NoticeLevel.Info, $"{hello.Device} connected ({_channel.Peer}, firmware {hello.Firmware}, resumes at seq {hello.NextSeq})");
        using var session = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var ackNeeded = new SemaphoreSlim(0, 1);
        var reason = "closed the connection";
        var acks = AckLoop(connection, ackNeeded, session.Token);
        try
        {
            reason = await ReceiveLoop(device, connection, ackNeeded, session.Token).ConfigureAwait(false);
        }
        catch (ChannelClosedException ex)
        {
            reason = ex.Message;
        }
        catch (FramingViolationException ex)
        {
            reason = ex.Message;
            if (ex.Reply is not null)
            {
                await TrySend(ex.Reply, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (IOException ex)
        {
            // The recording failed: stop everything; nothing more is acknowledged anywhere.
            reason = "the recording failed";
            _context.Fail(ex);
        }
        catch (OperationCanceledException)
        {
            reason = "listen stopped";
        }
        finally
        {
            await session.CancelAsync().ConfigureAwait(false);
            try
            {
                await acks.ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ChannelClosedException or IOException)
            {
                // the connection is over either way
            }

            device.Detach(connection);
            connection.FailAll(reason);
        }

        output.Notice(NoticeLevel.Info, $"{hello.Device} disconnected ({_channel.Peer}): {reason}");
    }

    private async Task<HelloMessage?> ReadHelloAsync(CancellationToken token)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(token);
        limit.CancelAfter(_context.Options.HelloTimeout);
        IReadOnlyList<Inbound> first;
        try
        {
            first = await _channel.ReceiveAsync(limit.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!token.IsCancellationRequested)
        {
            await TrySend(new ErrorMessage("hello_timeout", $"no hello within {_context.Options.HelloTimeout.TotalSeconds:0}s; disconnecting"), token).ConfigureAwait(false);
            _context.Output.Notice(NoticeLevel.Warning, $"{_channel.Peer} said no hello within {_context.Options.HelloTimeout.TotalSeconds:0}s; disconnected");
            return null;
        }
        catch (FramingViolationException ex)
        {
            if (ex.Reply is not null)
            {
                await TrySend(ex.Reply, token).ConfigureAwait(false);
            }

            _context.Output.Notice(NoticeLevel.Warning, $"{ex.Message}; disconnected");
            return null;
        }

        if (first.Count == 0)
        {
            return null;
        }

        string? problem = first[0] switch
        {
            { Problem: { } p } => p.Message,
            { Message: HelloMessage h } when !CommandFields.IsToken(h.Device) => $"the device id '{Truncate(h.Device)}' is not {CommandFields.TokenAllowed}",
            { Message: HelloMessage h } when h.ProtocolVersion != ProtocolInfo.Version => $"protocol version {h.ProtocolVersion} is not spoken here (only {ProtocolInfo.Version})",
            { Message: HelloMessage } => null,
            { Message: { } other } => $"the first message must be hello, not '{other.Type}'",
            _ => "the first message must be hello",
        };
        if (problem is not null)
        {
            await TrySend(new ErrorMessage(ErrorCodes.BadField, problem + "; disconnecting"), token).ConfigureAwait(false);
            _context.Output.Notice(NoticeLevel.Warning, $"{_channel.Peer}: {problem}; disconnected");
            return null;
        }

        // Whatever came with the hello is handled by the receive loop.
        _early = [.. first.Skip(1)];
        return (HelloMessage)first[0].Message!;
    }

    private async Task<string> ReceiveLoop(DeviceEntry device, UpstreamConnection connection, SemaphoreSlim ackNeeded, CancellationToken token)
    {
        var batch = _early;
        while (true)
        {
            foreach (var inbound in batch)
            {
                await Handle(inbound, device, connection, token).ConfigureAwait(false);
            }

            if (connection.LastSeq > connection.Acked)
            {
                // Wake the ack loop (a full semaphore means it is already woken).
                try
                {
                    ackNeeded.Release();
                }
                catch (SemaphoreFullException)
                {
                }
            }

            using var idle = CancellationTokenSource.CreateLinkedTokenSource(token);
            idle.CancelAfter(_context.Options.IdleTimeout);
            try
            {
                batch = await _channel.ReceiveAsync(idle.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!token.IsCancellationRequested)
            {
                var silence = $"nothing received for {_context.Options.IdleTimeout.TotalSeconds:0}s";
                await TrySend(new ErrorMessage("idle_timeout", silence + "; disconnecting"), token).ConfigureAwait(false);
                return silence;
            }

            if (batch.Count == 0)
            {
                return "closed the connection";
            }
        }
    }

    private async Task Handle(Inbound inbound, DeviceEntry device, UpstreamConnection connection, CancellationToken token)
    {
        switch (inbound.Message)
        {
            case null:
                _context.Output.Notice(NoticeLevel.Warning, $"{connection.Device} ({_channel.Peer}) sent bad input: {inbound.Problem!.Code}: {inbound.Problem.Message}");
                await _channel.SendAsync(inbound.Problem!, token).ConfigureAwait(false);
                break;
            case ReadingMessage { Device: var d, Seq: var seq } m:
                await Take(m, d, seq, device, connection, token).ConfigureAwait(false);
                break;
            case EventMessage { Device: var d, Seq: var seq } m:
                await Take(m, d, seq, device, connection, token).ConfigureAwait(false);
                break;
            case GapMessage gap when gap.From < 1 || gap.To > Upstream.SeqSet.MaxSeq || gap.From > gap.To:
                await _channel.SendAsync(new ErrorMessage(ErrorCodes.BadField, $"gap {gap.From}-{gap.To}: expected 1 <= from <= to <= {Upstream.SeqSet.MaxSeq}"), token).ConfigureAwait(false);
                break;
            case GapMessage gap:
                if (device.Announce(gap, _context.Recording, _context.Time.GetUtcNow()) > 0)
                {
                    _context.Output.Notice(NoticeLevel.Warning, $"{connection.Device}: seqs {gap.From}-{gap.To} will never come ({gap.Reason})");
                }

                break;
            case PingMessage:
                await _channel.SendAsync(new PongMessage(), token).ConfigureAwait(false);
                break;
            case PongMessage:
                break;
            case ResultMessage result:
                connection.Complete(result); // a relayed command's answer; a stray one is dropped
                break;
            case ErrorMessage error:
                _context.Output.Notice(NoticeLevel.Warning, $"{connection.Device} says: {error.Code}: {error.Message}");
                break;
            case var other:
                await _channel.SendAsync(new ErrorMessage(ErrorCodes.UnknownType, $"an upstream does not take '{other.Type}' messages"), token).ConfigureAwait(false);
                break;
        }
    }

    private async Task Take(Message message, string device, long seq, DeviceEntry entry, UpstreamConnection connection, CancellationToken token)
    {
        if (device != connection.Device)
        {
            await _channel.SendAsync(new ErrorMessage(ErrorCodes.BadField, $"a {message.Type} for device '{Truncate(device)}' on a connection that said hello as '{connection.Device}'; ignored"), token).ConfigureAwait(false);
            return;
        }

        if (seq < 1 || seq > Upstream.SeqSet.MaxSeq)
        {
            await _channel.SendAsync(new ErrorMessage(ErrorCodes.BadField, $"seq {seq} is out of range (1 to {Upstream.SeqSet.MaxSeq}); ignored"), token).ConfigureAwait(false);
            return;
        }

        // A jump on this connection skipped seqs; say so when nothing (a gap, another link) accounts for them.
        if (connection.LastSeq > 0 && seq > connection.LastSeq + 1)
        {
            foreach (var (from, to) in entry.Unaccounted(connection.LastSeq + 1, seq - 1))
            {
                _context.Output.Notice(NoticeLevel.Warning, $"{connection.Device}: seqs {from}-{to} skipped by the gateway without a gap (lost to a cap while connected? it announces those on reconnect)");
            }
        }

        if (entry.Receive(message, seq, _context.Recording, _context.NowSecond))
        {
            _context.Output.Reading(message);
        }

        connection.LastSeq = Math.Max(connection.LastSeq, seq);
    }

    // Cumulative acks, at most one per AckDelay: the recording is made durable first, so an ack never covers a reading
    // that is not on disk here.
    private async Task AckLoop(UpstreamConnection connection, SemaphoreSlim ackNeeded, CancellationToken token)
    {
        while (true)
        {
            await ackNeeded.WaitAsync(token).ConfigureAwait(false);
            await Task.Delay(_context.Options.AckDelay, _context.Time, token).ConfigureAwait(false);
            var upTo = connection.LastSeq;
            if (upTo <= connection.Acked)
            {
                continue;
            }

            if (_context.Recording is { } recording)
            {
                try
                {
                    await recording.FlushAsync(token).ConfigureAwait(false);
                }
                catch (IOException ex)
                {
                    _context.Fail(ex);
                    return;
                }
            }

            await _channel.SendAsync(new AckMessage(upTo), token).ConfigureAwait(false);
            connection.Acked = upTo;
        }
    }

    private async Task TrySend(Message message, CancellationToken token)
    {
        try
        {
            await _channel.SendAsync(message, token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is ChannelClosedException or OperationCanceledException)
        {
            // it is leaving anyway
        }
    }

    private static string Truncate(string s) => s.Length > 64 ? s[..64] + "…" : s;
}
