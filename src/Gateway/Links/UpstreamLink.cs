using System.Buffers;
using System.Runtime.InteropServices;
using Gateway.Configuration;
using Gateway.Hosting;
using Gateway.Outbox;
using Gateway.Protocol;
using Gateway.Protocol.Transport;
using Gateway.Status;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Gateway.Links;

/// <summary>
/// An acknowledged upstream link over a message channel (NDJSON over TCP or TLS, or one message per WebSocket frame). In protocol mode it says <c>hello</c>, announces gaps, sends readings from its durable
/// outbox cursor with at most <see cref="UpstreamLinkOptions.Window"/> unacknowledged, advances the cursor on cumulative
/// acks and, after any disconnect or restart, resumes from the cursor (at-least-once; the receiver de-duplicates by
/// device and seq). Pings when quiet, drops a silent peer, reconnects with capped exponential backoff and full
/// jitter, and paces the backlog at <see cref="UpstreamLinkOptions.MaxRate"/>. In a plain foreign format it sends without
/// expecting acks, from a non-durable cursor.
/// </summary>
internal abstract partial class UpstreamLink : LinkService
{
    private readonly UpstreamLinkOptions _link;
    private readonly GatewayOptions _options;
    private readonly ILogger _logger;
    private readonly List<StoredRecord> _rows = []; // the sender's, reused for every read
    private readonly RecordWriter _writer;

    /// <summary>Creates the link.</summary>
    protected UpstreamLink(UpstreamLinkOptions link, GatewayOptions options, Outbox.Outbox outbox, StatusBoard status, ILogger logger, TimeProvider? time = null)
        : base(
            link?.Name ?? throw new ArgumentNullException(nameof(link)),
            Redaction.Redact(link.Target), // shown in logs and status: never its credentials
            link.BackoffMax,
            () => (outbox ?? throw new ArgumentNullException(nameof(outbox))).OpenCursor(link.Name, durable: link.Acknowledged),
            status,
            time ?? TimeProvider.System,
            new Random(),
            logger)
    {
        _link = link;
        _options = options;
        _logger = logger;
        _writer = new RecordWriter((options ?? throw new ArgumentNullException(nameof(options))).DeviceId, link.Format);
    }

    private bool Acknowledged => _link.Acknowledged;

    /// <summary>Runs the commands the upstream sends (set when the link is created; null: commands are refused).</summary>
    public Commands.CommandPipeline? Commands { get; set; }

    /// <summary>The link's settings, for a transport's connect.</summary>
    protected UpstreamLinkOptions Link => _link;

    /// <summary>Opens a connection: a message channel both ways, with the link's line limit and write timeout.</summary>
    protected abstract Task<IMessageChannel> ConnectAsync(CancellationToken cancellationToken);

    /// <inheritdoc/>
    protected sealed override async Task<LinkEnd> RunSessionAsync(OutboxCursor cursor, CancellationToken token, CancellationToken stopping)
    {
        IMessageChannel channel;
        using (var connectTimeout = CancellationTokenSource.CreateLinkedTokenSource(token))
        {
            connectTimeout.CancelAfter(TimeSpan.FromSeconds(10));
            channel = await ConnectAsync(connectTimeout.Token).ConfigureAwait(false);
        }

        await using var connection = channel;
        Connected($"connected to {Target}");
        await RunConnectionAsync(channel, cursor, token).ConfigureAwait(false);
        return new LinkEnd("the upstream closed the connection");
    }

    private async Task RunConnectionAsync(IMessageChannel channel, OutboxCursor cursor, CancellationToken stoppingToken)
    {
        using var connection = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        var inbound = new InboundDispatcher($"Link {_link.Name}", Target, (reply, token) => ReplyAsync(channel, reply, token), Commands, Commands?.OpenSource(_link.Name, Target), _logger);
        var state = new ConnectionState(inbound);
        var output = new ArrayBufferWriter<byte>(64 * 1024);

        if (Acknowledged)
        {
            MessageWriter.WriteLine(new HelloMessage(_options.DeviceId, GatewayHost.Version, ProtocolInfo.Version, [.. _options.Sensors.Select(s => s.Id)], cursor.Acknowledged + 1), output);
            foreach (var gap in cursor.Gaps())
            {
                MessageWriter.WriteLine(new GapMessage(gap.From, gap.To, gap.Reason), output);
            }

            await WriteAsync(channel, output.WrittenMemory, connection.Token).ConfigureAwait(false);
            output.ResetWrittenCount(); // not Clear(), which zeroes what was written: a memset per batch for nothing
        }

        var receive = Acknowledged ? ReceiveAsync(channel, cursor, state, connection.Token) : Task.Delay(Timeout.Infinite, connection.Token);
        var send = SendAsync(channel, cursor, state, output, connection.Token);
        var first = await Task.WhenAny(receive, send).ConfigureAwait(false);
        await connection.CancelAsync().ConfigureAwait(false);
        try
        {
            await Task.WhenAll(receive, send).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
        {
            // the other half ended the connection
        }

        await state.Inbound.DrainAsync().ConfigureAwait(false);
        await first.ConfigureAwait(false); // rethrows what ended the connection
    }

    private async Task SendAsync(IMessageChannel channel, OutboxCursor cursor, ConnectionState state, ArrayBufferWriter<byte> output, CancellationToken token)
    {
        var rows = _rows;
        var lastWrite = Time.GetUtcNow();
        var paceStart = lastWrite;
        long paced = 0;
        while (!token.IsCancellationRequested)
        {
            var room = Acknowledged ? _link.Window - (int)(cursor.Sent - cursor.Acknowledged) : _link.Window;
            var count = room > 0 ? cursor.TryRead(rows, Math.Min(room, 1_000)) : 0;
            if (count == 0)
            {
                if (Time.GetUtcNow() - lastWrite >= _link.Heartbeat && Acknowledged)
                {
                    MessageWriter.WriteLine(new PingMessage(), output);
                    await WriteAsync(channel, output.WrittenMemory, token).ConfigureAwait(false);
                    output.ResetWrittenCount(); // not Clear(), which zeroes what was written: a memset per batch for nothing
                    lastWrite = Time.GetUtcNow();
                }

                // Wait for new readings, an ack that opens the window, or the heartbeat.
                var wake = room > 0 ? cursor.WaitAsync(token) : state.AckArrived.WaitAsync(token);
                await Task.WhenAny(wake, Task.Delay(_link.Heartbeat, Time, token)).ConfigureAwait(false);
                token.ThrowIfCancellationRequested();
                continue;
            }

            // The cursor's Sent moved with the read, before the write: the peer may acknowledge these before WriteAsync returns.
            foreach (ref readonly var row in CollectionsMarshal.AsSpan(rows))
            {
                _writer.WriteLine(row, output);
            }

            await WriteAsync(channel, output.WrittenMemory, token).ConfigureAwait(false);
            output.ResetWrittenCount(); // not Clear(), which zeroes what was written: a memset per batch for nothing
            lastWrite = Time.GetUtcNow();
            if (!Acknowledged)
            {
                cursor.Acknowledge(cursor.Sent); // nothing comes back: written is as far as it gets
            }

            // Pace to MaxRate: after n readings, at least n / MaxRate seconds have passed.
            paced += count;
            var ahead = TimeSpan.FromSeconds(paced / (double)_link.MaxRate) - (Time.GetUtcNow() - paceStart);
            if (ahead > TimeSpan.Zero)
            {
                await Task.Delay(ahead, Time, token).ConfigureAwait(false);
            }
            else if (ahead < TimeSpan.FromSeconds(-1))
            {
                paceStart = Time.GetUtcNow();
                paced = 0;
            }
        }
    }

    private async Task ReceiveAsync(IMessageChannel channel, OutboxCursor cursor, ConnectionState state, CancellationToken token)
    {
        try
        {
            await ReceiveLoop.RunAsync(channel, () => _link.IdleTimeout, Time, inbound => HandleAsync(channel, inbound, cursor, state, token), token).ConfigureAwait(false);
        }
        catch (PeerSilentException)
        {
            throw new LinkProtocolException($"nothing heard from the upstream for {_link.IdleTimeout.TotalSeconds:0}s");
        }
        catch (FramingViolationException ex)
        {
            throw new LinkProtocolException(ex.Message, ex);
        }

        throw new LinkProtocolException("the upstream closed the connection");
    }

    // Ping, pong, commands, bad lines and the peer's errors: the dispatcher. What is left is the link's own: acks.
    private async Task HandleAsync(IMessageChannel channel, Inbound inbound, OutboxCursor cursor, ConnectionState state, CancellationToken token)
    {
        switch (await state.Inbound.DispatchAsync(inbound, token).ConfigureAwait(false))
        {
            case AckMessage ack when ack.Seq > cursor.Sent:
                await ReplyAsync(channel, new ErrorMessage(ErrorCodes.UnexpectedAck, $"ack for seq {ack.Seq}, but only up to {cursor.Sent} was sent"), token).ConfigureAwait(false);
                break;
            case AckMessage ack:
                if (ack.Seq > cursor.Acknowledged)
                {
                    cursor.Acknowledge(ack.Seq);
                    state.AckArrived.Release();
                }

                break;
            case { } other:
                LogIgnored(_logger, _link.Name, other.Type);
                break;
        }
    }

    private static async Task ReplyAsync(IMessageChannel channel, Message message, CancellationToken token)
    {
        try
        {
            await channel.SendAsync(message, token).ConfigureAwait(false);
        }
        catch (ChannelStalledException ex)
        {
            throw Stalled(ex);
        }
    }

    // The sender and the receiver (pongs, error replies) share the channel, which sends whole lines one at a time. A
    // write the peer does not take within WriteTimeout (it is connected, maybe pinging, but not reading) ends the
    // connection as stalled; the cursor only ever moved on acks, so nothing is lost.
    private static async Task WriteAsync(IMessageChannel channel, ReadOnlyMemory<byte> lines, CancellationToken token)
    {
        try
        {
            await channel.SendLinesAsync(lines, token).ConfigureAwait(false);
        }
        catch (ChannelStalledException ex)
        {
            throw Stalled(ex);
        }
    }

    private static LinkStalledException Stalled(ChannelStalledException ex) => new($"the upstream {ex.Message}", ex);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Link {Link}: ignored a '{Type}' message from the upstream")]
    private static partial void LogIgnored(ILogger logger, string link, string type);

    private sealed class ConnectionState(InboundDispatcher inbound)
    {
        public SemaphoreSlim AckArrived { get; } = new(0);

        public InboundDispatcher Inbound { get; } = inbound;
    }
}

/// <summary>The peer broke the protocol or went silent: the connection is dropped and re-established.</summary>
internal sealed class LinkProtocolException : Exception
{
    public LinkProtocolException()
    {
    }

    public LinkProtocolException(string message)
        : base(message)
    {
    }

    public LinkProtocolException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
