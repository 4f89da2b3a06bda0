using System.Threading.Channels;
using Gateway.Protocol;
using Gateway.Protocol.Transport;

namespace Gateway.Tests.Links;

/// <summary>An in-memory <see cref="IMessageChannel"/>: the test says what arrives (or what goes wrong), and sees what is sent.</summary>
internal sealed class ScriptedChannel : IMessageChannel
{
    private readonly Channel<Func<IReadOnlyList<Inbound>>> _arrivals = Channel.CreateUnbounded<Func<IReadOnlyList<Inbound>>>();

    public string Peer => "scripted peer";

    public List<Message> Sent { get; } = [];

    public void Arrives(params Message[] messages) => _arrivals.Writer.TryWrite(() => [.. messages.Select(m => new Inbound(m, null))]);

    public void ArrivesBad(ErrorMessage problem) => _arrivals.Writer.TryWrite(() => [new Inbound(null, problem)]);

    public void Fails(Exception exception) => _arrivals.Writer.TryWrite(() => throw exception);

    public void Closes() => _arrivals.Writer.TryWrite(() => []);

    public async Task<IReadOnlyList<Inbound>> ReceiveAsync(CancellationToken cancellationToken) =>
        (await _arrivals.Reader.ReadAsync(cancellationToken))();

    public Task SendAsync(Message message, CancellationToken cancellationToken)
    {
        lock (Sent)
        {
            Sent.Add(message);
        }

        return Task.CompletedTask;
    }

    public Task SendLinesAsync(ReadOnlyMemory<byte> lines, CancellationToken cancellationToken) => throw new NotSupportedException("not used by the receive side");

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
