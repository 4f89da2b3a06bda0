using System.IO.Pipelines;
using System.Text;
using System.Threading.Channels;
using Gateway.Mqtt;
using Gateway.Mqtt.Formatter;
using Gateway.Mqtt.Framing;
using Gateway.Mqtt.Packets;

namespace Gateway.Tests.Links.Mqtt;

/// <summary>
/// One client connection to the <see cref="InMemoryBroker"/>: reads the client's packets (framed and decoded with the
/// project's own <c>Gateway.Mqtt</c> codec), records them in order, and answers them as scripted; the test reads what
/// arrived, acknowledges, publishes to the client, or drops the connection. A packet the codec rejects fails the
/// session (<see cref="Closed"/> faults with it), so a malformed packet from the link cannot pass unseen.
/// </summary>
internal sealed class BrokerSession : IAsyncDisposable
{
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    private readonly Stream _stream;
    private readonly PipeReader _reader;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly Channel<MqttPacket> _arrivals = Channel.CreateUnbounded<MqttPacket>();
    private readonly List<MqttPacket> _received = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly MqttConnectReturnCode _connAck;
    private readonly Func<MqttPublishPacket, bool> _acknowledgesAtOnce;
    private readonly IReadOnlySet<string> _refusedFilters;
    private readonly Task _serving;
    private int _nextIdentifier;

    public BrokerSession(Stream stream, MqttConnectReturnCode connAck, Func<MqttPublishPacket, bool> acknowledgesAtOnce, bool answerPings, IReadOnlySet<string> refusedFilters)
    {
        _stream = stream;
        _reader = PipeReader.Create(stream, new StreamPipeReaderOptions(leaveOpen: true));
        _connAck = connAck;
        _acknowledgesAtOnce = acknowledgesAtOnce;
        AnswerPings = answerPings;
        _refusedFilters = refusedFilters;
        _serving = Task.Run(ServeAsync);
    }

    /// <summary>PINGREQ is answered with PINGRESP (from the broker's setting; a test may change it mid-session).</summary>
    public bool AnswerPings { get; set; }

    /// <summary>Completes when the client closed the connection (or the broker dropped it); faults when the client sent what the codec rejects.</summary>
    public Task Closed => _serving;

    /// <summary>Every packet the client sent so far, in order.</summary>
    public IReadOnlyList<MqttPacket> Received
    {
        get
        {
            lock (_received)
            {
                return [.. _received];
            }
        }
    }

    /// <summary>The PUBLISHes the client sent so far on <paramref name="topic"/>, in order.</summary>
    public IReadOnlyList<MqttPublishPacket> Published(string topic) => [.. Received.OfType<MqttPublishPacket>().Where(p => p.Topic == topic)];

    /// <summary>The next packet the client sends that the test has not taken yet (bounded wait).</summary>
    public async Task<MqttPacket> NextAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await _arrivals.Reader.ReadAsync(cancellationToken).AsTask().WaitAsync(Patience, cancellationToken);
        }
        catch (ChannelClosedException)
        {
            await _serving; // rethrows what the codec rejected
            throw new InvalidOperationException("the connection closed before the packet came");
        }
    }

    /// <summary>The next packet of type <typeparamref name="T"/> (others are skipped; bounded).</summary>
    public async Task<T> NextAsync<T>(CancellationToken cancellationToken, Func<T, bool>? where = null)
        where T : MqttPacket
    {
        for (var i = 0; i < 100_000; i++)
        {
            if (await NextAsync(cancellationToken) is T wanted && (where is null || where(wanted)))
            {
                return wanted;
            }
        }

        throw new TimeoutException($"no {typeof(T).Name} came");
    }

    /// <summary>The next PUBLISH on <paramref name="topic"/> (others are skipped; bounded).</summary>
    public Task<MqttPublishPacket> NextPublishAsync(string topic, CancellationToken cancellationToken) =>
        NextAsync<MqttPublishPacket>(cancellationToken, p => p.Topic == topic);

    /// <summary>What arrived and was not yet taken, without waiting.</summary>
    public List<MqttPacket> TakeArrived()
    {
        var taken = new List<MqttPacket>();
        while (_arrivals.Reader.TryRead(out var packet))
        {
            taken.Add(packet);
        }

        return taken;
    }

    /// <summary>Acknowledges a QoS 1 PUBLISH of the client's.</summary>
    public Task AckAsync(ushort packetIdentifier) => SendAsync(new MqttPubAckPacket(packetIdentifier));

    /// <summary>Delivers a message to the client as a QoS 1 PUBLISH (the client answers PUBACK).</summary>
    public Task PublishAsync(string topic, string payload) => SendAsync(new MqttPublishPacket
    {
        Topic = topic,
        Payload = Encoding.UTF8.GetBytes(payload),
        QualityOfServiceLevel = MqttQualityOfServiceLevel.AtLeastOnce,
        PacketIdentifier = (ushort)Interlocked.Increment(ref _nextIdentifier),
    });

    /// <summary>Writes a packet to the client.</summary>
    public async Task SendAsync(MqttPacket packet)
    {
        await _writeLock.WaitAsync(Patience);
        try
        {
            await _stream.WriteAsync(MqttPacketEncoder.Encode(packet));
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>Drops the connection without a word, as a broker that crashed or lost the network would.</summary>
    public void Drop()
    {
        _stop.Cancel();
        _stream.Dispose(); // the client reads the end of the stream
    }

    public async ValueTask DisposeAsync()
    {
        Drop();
        try
        {
            await _serving.WaitAsync(Patience);
        }
        catch (Exception ex) when (ex is Gateway.Mqtt.MqttException or TimeoutException)
        {
            // a test that cared has looked at Closed already
        }

        _stop.Dispose();
    }

    private async Task ServeAsync()
    {
        try
        {
            for (var reads = 0; reads < 1_000_000; reads++)
            {
                var result = await _reader.ReadAsync(_stop.Token);
                var buffer = result.Buffer;
                var close = false;
                while (!close && MqttFrameReader.TryRead(ref buffer, MqttRemainingLength.Maximum, out var frame))
                {
                    var packet = MqttPacketDecoder.Decode(frame); // copies what it keeps: the buffer may go after AdvanceTo
                    lock (_received)
                    {
                        _received.Add(packet);
                    }

                    _arrivals.Writer.TryWrite(packet);
                    close = !await AnswerAsync(packet);
                }

                _reader.AdvanceTo(buffer.Start, buffer.End);
                if (close || result.IsCompleted)
                {
                    return;
                }
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            // dropped by the test
        }
        catch (ObjectDisposedException) when (_stop.IsCancellationRequested)
        {
            // dropped by the test
        }
        finally
        {
            _arrivals.Writer.TryComplete();
            await _reader.CompleteAsync();
            if (!_stop.IsCancellationRequested)
            {
                await _stream.DisposeAsync(); // a refused CONNECT or a DISCONNECT: the broker closes (MQTT-3.2.2.5, MQTT-3.14.4)
            }
        }
    }

    // The scripted answer; false: the broker closes the connection.
    private async Task<bool> AnswerAsync(MqttPacket packet)
    {
        switch (packet)
        {
            case MqttConnectPacket:
                await SendAsync(new MqttConnAckPacket(false, _connAck));
                return _connAck == MqttConnectReturnCode.ConnectionAccepted;
            case MqttPublishPacket { QualityOfServiceLevel: MqttQualityOfServiceLevel.AtLeastOnce } publish when _acknowledgesAtOnce(publish):
                await AckAsync(publish.PacketIdentifier);
                return true;
            case MqttSubscribePacket subscribe:
                await SendAsync(new MqttSubAckPacket(subscribe.PacketIdentifier, [.. subscribe.TopicFilters.Select(f => _refusedFilters.Contains(f.Topic) ? MqttSubscribeReturnCode.Failure : (MqttSubscribeReturnCode)f.QualityOfServiceLevel)]));
                return true;
            case MqttPingReqPacket when AnswerPings:
                await SendAsync(MqttPingRespPacket.Instance);
                return true;
            case MqttDisconnectPacket:
                return false;
            default:
                return true;
        }
    }
}
