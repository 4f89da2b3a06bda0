using System.Text;
using System.Threading.Channels;

namespace Gateway.Mqtt.Tests.Broker;

/// <summary>What a subscribing client received, to wait on in order.</summary>
internal sealed class Inbox
{
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(15);

    private readonly Channel<MqttApplicationMessage> _messages = Channel.CreateUnbounded<MqttApplicationMessage>();

    public Inbox(MqttClient client) => client.ApplicationMessageReceivedAsync += args =>
    {
        _messages.Writer.TryWrite(args.ApplicationMessage);
        return Task.CompletedTask;
    };

    public async Task<MqttApplicationMessage> NextAsync()
    {
        using var timeout = new CancellationTokenSource(Patience);
        return await _messages.Reader.ReadAsync(timeout.Token);
    }

    public async Task<string> NextTextAsync() => Encoding.UTF8.GetString((await NextAsync()).Payload.Span);

    public bool TryTake(out MqttApplicationMessage? message) => _messages.Reader.TryRead(out message);
}
