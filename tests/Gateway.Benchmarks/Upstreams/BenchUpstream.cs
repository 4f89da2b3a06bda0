using System.Globalization;
using Gateway.Protocol;

namespace Gateway.Benchmarks.Upstreams;

/// <summary>
/// A receiver on loopback that parses every message it gets (as a real upstream must), counts readings and events,
/// remembers the highest seq, and (when it acknowledges) sends cumulative acks. The subclasses are the transports.
/// </summary>
internal abstract class BenchUpstream : IAsyncDisposable
{
    private long _received;
    private long _lastSeq;
    private int _hellos;
    private long _errors;
    private long _acks;
    private string? _firstError;
    private long _waitFor = long.MaxValue;
    private TaskCompletionSource _waiter = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Creates the receiver.</summary>
    /// <param name="acknowledge">Whether to send acks (the link's peer) or only read (the raw comparison's peer).</param>
    /// <param name="latency">Where to record, per reading, the time from its timestamp (when it was sampled) to its arrival here; null: not recorded.</param>
    protected BenchUpstream(bool acknowledge, LatencyHistogram? latency)
    {
        Acknowledge = acknowledge;
        Latency = latency;
    }

    /// <summary>Whether this receiver acknowledges.</summary>
    public bool Acknowledge { get; }

    /// <summary>Sample-to-arrival latencies, when recorded.</summary>
    public LatencyHistogram? Latency { get; }

    /// <summary>Readings and events received (duplicates included: a resend after a reconnect counts again).</summary>
    public long Received => Interlocked.Read(ref _received);

    /// <summary>The highest seq received.</summary>
    public long LastSeq => Interlocked.Read(ref _lastSeq);

    /// <summary><c>hello</c> messages received (one per connection of a link).</summary>
    public int Hellos => Volatile.Read(ref _hellos);

    /// <summary>Acks sent.</summary>
    public long Acks => Interlocked.Read(ref _acks);

    /// <summary>Messages that did not parse, or <c>error</c> messages from the link; a clean run has none.</summary>
    public long Errors => Interlocked.Read(ref _errors);

    /// <summary>The first of <see cref="Errors"/>, if any.</summary>
    public string? FirstError => Volatile.Read(ref _firstError);

    /// <summary>Completes when a message with seq ≥ <paramref name="seq"/> has arrived; one waiter at a time.</summary>
    /// <exception cref="TimeoutException">It did not arrive within <paramref name="timeout"/>.</exception>
    public async Task WaitForSeqAsync(long seq, TimeSpan timeout)
    {
        var waiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Interlocked.Exchange(ref _waiter, waiter);
        Interlocked.Exchange(ref _waitFor, seq);
        if (LastSeq >= seq)
        {
            waiter.TrySetResult();
        }

        try
        {
            await waiter.Task.WaitAsync(timeout).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException(string.Create(CultureInfo.InvariantCulture,
                $"the receiver waited {timeout.TotalSeconds:0} s for seq {seq:N0} but got only up to {LastSeq:N0} ({Received:N0} messages)"));
        }
    }

    /// <summary>Waits until a link has said hello.</summary>
    /// <exception cref="TimeoutException">No hello within <paramref name="timeout"/>.</exception>
    public async Task WaitForHelloAsync(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (Hellos == 0)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"no hello from the link within {timeout.TotalSeconds:0} s");
            }

            await Task.Delay(10).ConfigureAwait(false);
        }
    }

    /// <inheritdoc/>
    public abstract ValueTask DisposeAsync();

    /// <summary>Counts an ack sent.</summary>
    protected void CountAck() => Interlocked.Increment(ref _acks);

    /// <summary>
    /// Parses one message and counts it; returns its seq when it is a reading or an event, otherwise -1.
    /// <paramref name="ping"/> says the link pinged (the caller answers with a pong).
    /// </summary>
    protected long Take(ReadOnlySpan<byte> json, out bool ping)
    {
        long seq;
        ping = false;
        switch (MessageParser.Parse(json))
        {
            case ReadingMessage r:
                seq = r.Seq;
                Latency?.Record(DateTimeOffset.UtcNow - r.Timestamp);
                break;
            case EventMessage e:
                seq = e.Seq;
                break;
            case HelloMessage:
                Interlocked.Increment(ref _hellos);
                return -1;
            case PingMessage:
                ping = true;
                return -1;
            case ErrorMessage error:
                // The parser's verdict on a bad message, or an error the link sent: either way the run is not clean.
                Interlocked.CompareExchange(ref _firstError, $"{error.Code}: {error.Message}", null);
                Interlocked.Increment(ref _errors);
                return -1;
            default:
                return -1;
        }

        Interlocked.Increment(ref _received);
        if (seq > Interlocked.Read(ref _lastSeq))
        {
            Interlocked.Exchange(ref _lastSeq, seq);
        }

        if (seq >= Interlocked.Read(ref _waitFor))
        {
            Volatile.Read(ref _waiter).TrySetResult();
        }

        return seq;
    }
}
