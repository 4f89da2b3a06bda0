using System.Buffers;
using System.Runtime.InteropServices;
using System.Threading.Channels;
using Gateway.Configuration;
using Gateway.Outbox;
using Gateway.Protocol;
using Microsoft.Extensions.Hosting;

namespace Gateway.Links;

/// <summary>
/// Live readings for the listeners' consoles: follows the outbox's commits from the moment the gateway starts and
/// hands every reading and event, already encoded as one protocol line, to each subscriber's bounded queue. A
/// subscriber that falls behind by more than its queue is told so and dropped, instead of growing memory.
/// </summary>
internal sealed class LiveFeed : BackgroundService
{
    /// <summary>Lines a subscriber may fall behind before it is dropped.</summary>
    public const int SubscriberQueue = 10_000;

    private readonly GatewayOptions _options;
    private readonly Outbox.Outbox _outbox;
    private readonly Lock _lock = new();
    private readonly List<Subscriber> _subscribers = [];
    private long _published = -1; // the seq of the last line handed out; -1 until the feed follows the outbox

    /// <summary>Creates the feed.</summary>
    public LiveFeed(GatewayOptions options, Outbox.Outbox outbox)
    {
        _options = options;
        _outbox = outbox;
    }

    /// <summary>
    /// Registers a subscriber; dispose it to leave. Its <see cref="Subscriber.NextSeq"/> is the seq of the first line
    /// it gets: the feed's own place, taken under the same lock as each line's hand-out (the outbox commits a moment
    /// before the feed publishes, so the outbox's last commit would promise a seq after lines still on their way).
    /// </summary>
    public Subscriber Subscribe()
    {
        lock (_lock)
        {
            var subscriber = new Subscriber(this, (_published < 0 ? _outbox.LastCommitted : _published) + 1);
            _subscribers.Add(subscriber);
            return subscriber;
        }
    }

    /// <inheritdoc/>
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        OutboxCursor cursor;
        lock (_lock)
        {
            cursor = _outbox.OpenLiveCursor();
            _published = cursor.Sent;
        }

        using var _ = cursor;
        var rows = new List<StoredRecord>();
        var buffer = new ArrayBufferWriter<byte>(512);
        var writer = new RecordWriter(_options.DeviceId, PayloadFormat.Protocol);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await cursor.ReadAsync(rows, 5_000, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            foreach (ref readonly var row in CollectionsMarshal.AsSpan(rows))
            {
                buffer.ResetWrittenCount();
                writer.WriteLine(row, buffer);
                Publish(row.Seq, buffer.WrittenSpan.ToArray());
            }
        }
    }

    private void Publish(long seq, byte[] line)
    {
        Subscriber[] subscribers;
        lock (_lock)
        {
            _published = seq; // a subscriber registered from here on starts after this line
            subscribers = [.. _subscribers];
        }

        foreach (var s in subscribers)
        {
            if (!s.Lines.Writer.TryWrite(line))
            {
                s.Overflowed = true;
                s.Lines.Writer.TryComplete();
            }
        }
    }

    /// <summary>One listener connection's place in the feed.</summary>
    internal sealed class Subscriber : IDisposable
    {
        private readonly LiveFeed _feed;

        public Subscriber(LiveFeed feed, long nextSeq)
        {
            _feed = feed;
            NextSeq = nextSeq;
        }

        /// <summary>The seq of the first line this subscriber gets (what its <c>hello</c> says as <c>nextSeq</c>).</summary>
        public long NextSeq { get; }

        /// <summary>Encoded lines waiting to be sent.</summary>
        public Channel<byte[]> Lines { get; } = Channel.CreateBounded<byte[]>(new BoundedChannelOptions(SubscriberQueue) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });

        /// <summary>True when the subscriber fell too far behind and was cut off.</summary>
        public bool Overflowed { get; set; }

        public void Dispose()
        {
            lock (_feed._lock)
            {
                _feed._subscribers.Remove(this);
            }

            Lines.Writer.TryComplete();
        }
    }
}
