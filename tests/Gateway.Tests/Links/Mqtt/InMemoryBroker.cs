using System.Threading.Channels;
using Gateway.Mqtt.Packets;
using Gateway.Protocol.Tests.Transport;

namespace Gateway.Tests.Links.Mqtt;

/// <summary>
/// An MQTT broker in memory for the link's session tests. The link's client connects through <see cref="ConnectAsync"/>
/// (its <c>MqttClientOptions.StreamFactory</c>): each connection is a <see cref="BrokerSession"/> over an in-memory
/// stream pair that decodes what the client sends with the project's own codec, records it, and answers CONNACK,
/// PUBACK, SUBACK and PINGRESP as the settings below say (read when a connection is made). Every wait is bounded.
/// </summary>
internal sealed class InMemoryBroker : IAsyncDisposable
{
    private readonly Channel<BrokerSession> _accepted = Channel.CreateUnbounded<BrokerSession>();
    private readonly List<BrokerSession> _sessions = [];

    /// <summary>The CONNACK return code for the next connections; anything but accepted closes the connection after it (MQTT-3.2.2.5).</summary>
    public MqttConnectReturnCode ConnAck { get; set; } = MqttConnectReturnCode.ConnectionAccepted;

    /// <summary>Which QoS 1 PUBLISHes are acknowledged at once (all by default); the test acknowledges the others (<see cref="BrokerSession.AckAsync"/>).</summary>
    public Func<MqttPublishPacket, bool> AcknowledgesAtOnce { get; set; } = _ => true;

    /// <summary>Topic filters the broker refuses in its SUBACK (return code 0x80, as an ACL would).</summary>
    public HashSet<string> RefusedFilters { get; } = [];

    /// <summary>PINGREQ is answered with PINGRESP.</summary>
    public bool AnswerPings { get; set; } = true;

    /// <summary>Connections made so far.</summary>
    public int Connections
    {
        get
        {
            lock (_sessions)
            {
                return _sessions.Count;
            }
        }
    }

    /// <summary>The client's side of a new connection; the broker's side starts serving it.</summary>
    public ValueTask<Stream> ConnectAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var (client, broker) = InMemoryConnection.Create();
        var session = new BrokerSession(broker, ConnAck, AcknowledgesAtOnce, AnswerPings, new HashSet<string>(RefusedFilters));
        lock (_sessions)
        {
            _sessions.Add(session);
        }

        _accepted.Writer.TryWrite(session);
        return ValueTask.FromResult(client);
    }

    /// <summary>The next connection the client made (bounded wait).</summary>
    public async Task<BrokerSession> NextSessionAsync(CancellationToken cancellationToken) =>
        await _accepted.Reader.ReadAsync(cancellationToken).AsTask().WaitAsync(BrokerSession.Patience, cancellationToken);

    public async ValueTask DisposeAsync()
    {
        BrokerSession[] sessions;
        lock (_sessions)
        {
            sessions = [.. _sessions];
        }

        foreach (var session in sessions)
        {
            await session.DisposeAsync();
        }
    }
}
