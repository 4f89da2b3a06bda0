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

    /// <summary>Creates the feed.</summary>
    public LiveFeed(GatewayOptions options, Outbox.Outbox outbox)
    {
        _options = options;
        _outbox = outbox;
    }

    /// <summary>Registers a subscriber; dispose it to leave.</summary>
    public Subscriber Subscribe()
    {
        var subscriber = new Subscriber(this);
        lock (_lock)
        {
            _subscribers.Add(subscriber);
        }

        return subscriber;
    }

    /// <inheritdoc/>
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var cursor = _outbox.OpenLiveCursor();
        var rows = new List<StoredRecord>();
        var buffer = new ArrayBufferWriter<byte>(512);
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
                MessageWriter.WriteLine(StoredMessages.ToMessage(row, _options.DeviceId), buffer);
                Publish(buffer.WrittenSpan.ToArray());
            }
        }
    }

    private void Publish(byte[] line)
    {
        Subscriber[] subscribers;
        lock (_lock)
        {
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

        public Subscriber(LiveFeed feed) => _feed = feed;

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
