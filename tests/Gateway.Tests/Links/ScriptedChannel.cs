using System.Threading.Channels;
using Gateway.Protocol;
using Gateway.Protocol.Transport;

namespace Gateway.Tests.Links;

/// <summary>
/// An in-memory <see cref="IMessageChannel"/>: the test says what arrives (or what goes wrong), and sees what is sent,
/// in order (lines sent as NDJSON are parsed back into messages).
/// </summary>
internal sealed class ScriptedChannel : IMessageChannel
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);
    private readonly Channel<Func<IReadOnlyList<Inbound>>> _arrivals = Channel.CreateUnbounded<Func<IReadOnlyList<Inbound>>>();
    private readonly Channel<Message> _outgoing = Channel.CreateUnbounded<Message>();
    private readonly TaskCompletionSource _disposed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public string Peer => "scripted peer";

    /// <summary>Everything sent so far.</summary>
    public List<Message> Sent { get; } = [];

    /// <summary>Completes when the owner disposes the channel (the connection ended).</summary>
    public Task Disposed => _disposed.Task;

    public void Arrives(params Message[] messages) => _arrivals.Writer.TryWrite(() => [.. messages.Select(m => new Inbound(m, null))]);

    public void ArrivesBad(ErrorMessage problem) => _arrivals.Writer.TryWrite(() => [new Inbound(null, problem)]);

    /// <summary>A line as the peer would send it, through the real parser.</summary>
    public void ArrivesLine(string line) => _arrivals.Writer.TryWrite(() => [Inbound.Parse(System.Text.Encoding.UTF8.GetBytes(line))]);

    public void Fails(Exception exception) => _arrivals.Writer.TryWrite(() => throw exception);

    public void Closes() => _arrivals.Writer.TryWrite(() => []);

    /// <summary>The next message sent that the test has not taken yet (bounded wait).</summary>
    public async Task<Message> NextSentAsync(CancellationToken token) => await _outgoing.Reader.ReadAsync(token).AsTask().WaitAsync(Bound, token);

    /// <summary>The next message sent of type <typeparamref name="T"/>, skipping others (bounded wait).</summary>
    public async Task<T> NextSentAsync<T>(CancellationToken token)
        where T : Message
    {
        for (var i = 0; i < 100_000; i++)
        {
            if (await NextSentAsync(token) is T wanted)
            {
                return wanted;
            }
        }

        throw new TimeoutException($"no {typeof(T).Name} sent");
    }

    /// <summary>What was sent and not yet taken, without waiting.</summary>
    public List<Message> TakeSent()
    {
        var taken = new List<Message>();
        while (_outgoing.Reader.TryRead(out var message))
        {
            taken.Add(message);
        }

        return taken;
    }

    public async Task<IReadOnlyList<Inbound>> ReceiveAsync(CancellationToken cancellationToken) =>
        (await _arrivals.Reader.ReadAsync(cancellationToken))();

    public Task SendAsync(Message message, CancellationToken cancellationToken)
    {
        Record(message);
        return Task.CompletedTask;
    }

    public Task SendLinesAsync(ReadOnlyMemory<byte> lines, CancellationToken cancellationToken)
    {
        var rest = lines.Span;
        while (!rest.IsEmpty)
        {
            var end = rest.IndexOf((byte)'\n');
            Assert.True(end >= 0, "a line sent without its line feed");
            Record(MessageParser.Parse(rest[..end]));
            rest = rest[(end + 1)..];
        }

        return Task.CompletedTask;
    }

    public ValueTask DisposeAsync()
    {
        _disposed.TrySetResult();
        return ValueTask.CompletedTask;
    }

    private void Record(Message message)
    {
        lock (Sent)
        {
            Sent.Add(message);
        }

        _outgoing.Writer.TryWrite(message);
    }
}
