using System.Collections.Concurrent;
using Gateway.Console.Commanding;
using Gateway.Protocol;
using Gateway.Protocol.Transport;

namespace Gateway.Console.Upstream;

/// <summary>
/// One gateway's connection to <c>gwctl listen</c>: how it came (transport, peer), and the commands relayed down it
/// that wait for their result, correlated by id. When it ends every waiting command is answered
/// <see cref="CommandOutcome.NotConnected"/> with the cause, so no relay waits forever (MQTTnet's dispatcher does the same).
/// </summary>
internal sealed class UpstreamConnection
{
    /// <summary>Most relayed commands waiting on one connection (the gateway runs at most 64 per connection).</summary>
    public const int MaxPending = 64;

    private readonly ConcurrentDictionary<string, TaskCompletionSource<ResultMessage>> _pending = new(StringComparer.Ordinal);

    public UpstreamConnection(string transport, IMessageChannel channel, string device, DateTimeOffset since)
    {
        Transport = transport;
        Channel = channel;
        Device = device;
        Since = since;
    }

    /// <summary><c>tcp</c> or <c>ws</c>.</summary>
    public string Transport { get; }

    /// <summary>The connection.</summary>
    public IMessageChannel Channel { get; }

    /// <summary>The device that said hello on it.</summary>
    public string Device { get; }

    /// <summary>When it said hello.</summary>
    public DateTimeOffset Since { get; }

    private long _lastSeq;
    private long _acked;

    /// <summary>The highest seq received on this connection (what may be acknowledged on it); set by the receiver, read by the acker.</summary>
    public long LastSeq
    {
        get => Volatile.Read(ref _lastSeq);
        set => Volatile.Write(ref _lastSeq, value);
    }

    /// <summary>The highest seq acknowledged on it.</summary>
    public long Acked
    {
        get => Volatile.Read(ref _acked);
        set => Volatile.Write(ref _acked, value);
    }

    /// <summary>e.g. <c>tcp 127.0.0.1:53122</c>.</summary>
    public string Describe() => Channel.Peer;

    /// <summary>Registers a relayed command's id; false when that id is already waiting or too many are.</summary>
    public bool TryAwait(string id, out Task<ResultMessage> result)
    {
        var waiter = new TaskCompletionSource<ResultMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
        result = waiter.Task;
        return _pending.Count < MaxPending && _pending.TryAdd(id, waiter);
    }

    /// <summary>Stops waiting for <paramref name="id"/> (the relay gave up).</summary>
    public void Forget(string id) => _pending.TryRemove(id, out _);

    /// <summary>Hands a result to the relayed command waiting for it; false when none waits (not ours, or given up).</summary>
    public bool Complete(ResultMessage result)
    {
        ArgumentNullException.ThrowIfNull(result);
        return _pending.TryRemove(result.Id, out var waiter) && waiter.TrySetResult(result);
    }

    /// <summary>Answers every waiting command: the connection ended (<paramref name="reason"/>).</summary>
    public void FailAll(string reason)
    {
        foreach (var id in _pending.Keys)
        {
            if (_pending.TryRemove(id, out var waiter))
            {
                waiter.TrySetResult(new ResultMessage(id, false, CommandOutcome.NotConnected, $"the gateway's connection ended before it answered ({reason}); it may or may not have run the command"));
            }
        }
    }
}
