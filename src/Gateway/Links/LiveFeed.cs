using System.Buffers;
using System.Runtime.InteropServices;
using System.Threading.Channels;
using Gateway.Configuration;
using Gateway.Outbox;
using Gateway.Protocol;
using Microsoft.Extensions.Hosting;

namespace Gateway.Links;

/// <summary>
/// Live readings for the listeners' consoles: follows the outbox's commits while anyone subscribes and hands every
/// reading and event, already encoded as one protocol line, to each subscriber's bounded queue. A subscriber that falls
/// behind by more than its queue is told so and dropped, instead of growing memory. With nobody subscribed the feed
/// sleeps: no read-back and no encoding of every commit for nobody, and no thread woken for it (issue 15, idle CPU).
/// </summary>
internal sealed class LiveFeed : BackgroundService
{
    /// <summary>Lines a subscriber may fall behind before it is dropped.</summary>
    public const int SubscriberQueue = 10_000;

    private readonly GatewayOptions _options;
    private readonly Outbox.Outbox _outbox;
    private readonly Lock _lock = new();
    private readonly List<Subscriber> _subscribers = [];
    private readonly SemaphoreSlim _followed = new(0); // released when a first subscriber opens the cursor
    private OutboxCursor? _cursor; // the feed's place in the outbox while anyone subscribes; null while nobody does
    private long _published; // the seq of the last line handed out (meaningful while _cursor is open)

    /// <summary>Creates the feed.</summary>
    public LiveFeed(GatewayOptions options, Outbox.Outbox outbox)
    {
        _options = options;
        _outbox = outbox;
    }

    /// <summary>
    /// Registers a subscriber; dispose it to leave. Its <see cref="Subscriber.NextSeq"/> is the seq of the first line
    /// it gets: the feed's own place, taken under the same lock as each line's hand-out (the outbox commits a moment
    /// before the feed publishes, so the outbox's last commit would promise a seq after lines still on their way). The
    /// first subscriber of an idle feed places it after the outbox's last commit.
    /// </summary>
    /// <exception cref="InvalidOperationException">The outbox is not started.</exception>
    public Subscriber Subscribe()
    {
        lock (_lock)
        {
            if (_cursor is null)
            {
                _cursor = _outbox.OpenLiveCursor();
                _published = _cursor.Sent;
                _followed.Release();
            }

            var subscriber = new Subscriber(this, _published + 1);
            _subscribers.Add(subscriber);
            return subscriber;
        }
    }

    /// <summary>Whether the feed follows the outbox now (someone subscribes, or the last one left a moment ago).</summary>
    public bool Following
    {
        get
        {
            lock (_lock)
            {
                return _cursor is not null;
            }
        }
    }

    /// <inheritdoc/>
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var rows = new List<StoredRecord>();
        var buffer = new ArrayBufferWriter<byte>(512);
        var writer = new RecordWriter(_options.DeviceId, PayloadFormat.Protocol);
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                OutboxCursor? cursor;
                lock (_lock)
                {
                    cursor = _cursor;
                }

                if (cursor is null)
                {
                    await _followed.WaitAsync(stoppingToken).ConfigureAwait(false);
                    continue;
                }

                await cursor.ReadAsync(rows, 5_000, stoppingToken).ConfigureAwait(false);
                foreach (ref readonly var row in CollectionsMarshal.AsSpan(rows))
                {
                    buffer.ResetWrittenCount();
                    writer.WriteLine(row, buffer);
                    Publish(row.Seq, buffer.WrittenSpan.ToArray());
                }

                lock (_lock)
                {
                    if (_subscribers.Count == 0 && ReferenceEquals(_cursor, cursor))
                    {
                        // The last one left: stop following until someone subscribes again (from the then last commit).
                        cursor.Dispose();
                        _cursor = null;
                    }
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // stopping
        }
        finally
        {
            lock (_lock)
            {
                _cursor?.Dispose();
                _cursor = null;
            }
        }
    }

    /// <inheritdoc/>
    public override void Dispose()
    {
        _followed.Dispose();
        base.Dispose();
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
