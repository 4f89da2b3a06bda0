using Gateway.Mqtt;
using Gateway.Protocol;

namespace Gateway.IntegrationTests.Fleet;

/// <summary>
/// One MQTT subscriber for a whole fleet: subscribed with QoS 1 to every gateway's readings, events and gaps
/// (<c>gateway/+/sensor/#</c>, <c>gateway/+/events</c>, <c>gateway/+/gaps</c>) before any gateway starts, it keeps
/// the seqs each device delivered (a duplicate, which at-least-once allows, counts once), what each seq was, and the gaps
/// announced.
/// Bounded: past <see cref="Capacity"/> messages it stops recording and says so, rather than grow without end.
/// </summary>
internal sealed class FleetSubscriber : IAsyncDisposable
{
    private readonly MqttClient _client = new();
    private readonly Lock _sync = new();
    private readonly Dictionary<string, Dictionary<long, (string What, DateTimeOffset At)>> _seqs = new(StringComparer.Ordinal);
    private readonly List<string> _gaps = [];
    private readonly List<string> _problems = [];
    private long _messages;
    private long _duplicates;

    private FleetSubscriber(long capacity)
    {
        Capacity = capacity;
        _client.ApplicationMessageReceivedAsync += e =>
        {
            Record(e.ApplicationMessage.Topic, e.ApplicationMessage.Payload.Span);
            return Task.CompletedTask;
        };
        _client.DisconnectedAsync += e =>
        {
            if (!e.ClientInitiated)
            {
                Problem($"the subscriber's connection ended: {e.Exception?.Message}");
            }

            return Task.CompletedTask;
        };
    }

    /// <summary>The most messages recorded.</summary>
    public long Capacity { get; }

    /// <summary>Reading and event messages received, duplicates included.</summary>
    public long Messages { get { lock (_sync) { return _messages; } } }

    /// <summary>Reading and event messages whose (device, seq) had come before.</summary>
    public long Duplicates { get { lock (_sync) { return _duplicates; } } }

    /// <summary>Gap messages received, as "device: from-to reason".</summary>
    public IReadOnlyList<string> Gaps { get { lock (_sync) { return [.. _gaps]; } } }

    /// <summary>What went wrong on the subscriber's side (a lost connection, a payload that is no message, the capacity reached).</summary>
    public IReadOnlyList<string> Problems { get { lock (_sync) { return [.. _problems]; } } }

    /// <summary>Connects to the broker on 127.0.0.1:<paramref name="port"/> (persistent session) and subscribes with QoS 1.</summary>
    public static async Task<FleetSubscriber> StartAsync(int port, long capacity)
    {
        var subscriber = new FleetSubscriber(capacity);
        await subscriber._client.ConnectAsync(new MqttClientOptions
        {
            Host = "127.0.0.1",
            Port = port,
            ClientId = "fleet-subscriber",
            CleanSession = false,
            Timeout = TimeSpan.FromSeconds(10),
        });
        foreach (var filter in new[] { "gateway/+/sensor/#", "gateway/+/events", "gateway/+/gaps" })
        {
            await subscriber._client.SubscribeAsync(filter, MqttQualityOfServiceLevel.AtLeastOnce);
        }

        return subscriber;
    }

    /// <summary>The seqs <paramref name="device"/> delivered so far.</summary>
    public HashSet<long> Seqs(string device)
    {
        lock (_sync)
        {
            return _seqs.TryGetValue(device, out var seqs) ? [.. seqs.Keys] : [];
        }
    }

    /// <summary>What <paramref name="device"/>'s <paramref name="seq"/> was ("env temperature") and when, or null if it never came.</summary>
    public (string What, DateTimeOffset At)? Describe(string device, long seq)
    {
        lock (_sync)
        {
            return _seqs.TryGetValue(device, out var seqs) && seqs.TryGetValue(seq, out var what) ? what : null;
        }
    }

    public async ValueTask DisposeAsync() => await _client.DisposeAsync();

    private void Record(string topic, ReadOnlySpan<byte> payload)
    {
        var message = MessageParser.Parse(payload); // never throws: what is no message parses as an ErrorMessage
        var (device, seq, what) = message switch
        {
            ReadingMessage r => (r.Device, r.Seq, (What: $"{r.Sensor} {r.Quantity}", At: r.Timestamp)),
            EventMessage e => (e.Device, e.Seq, (What: $"{e.Sensor} {e.Kind}", At: e.Timestamp)),
            _ => (string.Empty, 0L, (What: string.Empty, At: default(DateTimeOffset))),
        };
        lock (_sync)
        {
            if (message is GapMessage gap)
            {
                _gaps.Add($"{topic.Split('/')[1]}: {gap.From}-{gap.To} {gap.Reason}");
                return;
            }

            if (seq <= 0)
            {
                _problems.Add($"{topic}: {message} where a reading or event belongs");
                return;
            }

            if (_messages >= Capacity)
            {
                if (_messages == Capacity)
                {
                    _problems.Add($"more than {Capacity} messages: the subscriber stopped recording");
                }

                _messages = Capacity + 1;
                return;
            }

            _messages++;
            if (!_seqs.TryGetValue(device, out var seqs))
            {
                _seqs[device] = seqs = [];
            }

            if (!seqs.TryAdd(seq, what))
            {
                _duplicates++;
            }
        }
    }

    private void Problem(string problem)
    {
        lock (_sync)
        {
            _problems.Add(problem);
        }
    }
}
