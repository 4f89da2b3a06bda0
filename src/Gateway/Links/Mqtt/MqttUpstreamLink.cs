using System.Buffers;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using Gateway.Commands;
using Gateway.Configuration;
using Gateway.Hardware;
using Gateway.Hosting;
using Gateway.Mqtt;
using Gateway.Outbox;
using Gateway.Protocol;
using Gateway.Protocol.Commands;
using Gateway.Protocol.Transport;
using Gateway.Status;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Gateway.Links.Mqtt;

/// <summary>
/// The MQTT link (<c>Gateway:Upstream:Mqtt</c>): readings and events published QoS 1 from the link's durable outbox
/// cursor, which moves only over PUBACKs received in order (so a reconnect or restart resends what the broker did not
/// acknowledge: at least once); a retained <c>status</c> of <c>online</c>, with <c>offline</c> as the last will; signed
/// commands taken from the commands topic through the command pipeline, results published; Home Assistant discovery;
/// reconnect with capped exponential backoff and full jitter. Topics: docs/protocol.md, "MQTT".
/// </summary>
internal sealed partial class MqttUpstreamLink : LinkService
{
    private static readonly byte[] Online = "online"u8.ToArray();
    private static readonly byte[] Offline = "offline"u8.ToArray();
    private static readonly TimeSpan OfflineTimeout = TimeSpan.FromSeconds(3);
    private readonly MqttLinkOptions _link;
    private readonly GatewayOptions _options;
    private readonly CommandPipeline _commands;
    private readonly OutputService _outputs;
    private readonly ILogger<MqttUpstreamLink> _logger;
    private readonly MqttTopics _topics;
    private readonly string _clientId;
    private readonly List<StoredRecord> _rows = []; // the pump's, reused for every read
    private readonly ReadingEncoder _readings;
    private readonly Dictionary<(string Sensor, string Quantity), string> _readingTopics = [];
    private readonly Func<CancellationToken, ValueTask<Stream>>? _streamFactory;

    /// <summary>Creates the link.</summary>
    public MqttUpstreamLink(MqttLinkOptions link, GatewayOptions options, Outbox.Outbox outbox, StatusBoard status, CommandPipeline commands, OutputService outputs, ILogger<MqttUpstreamLink> logger, TimeProvider? time = null)
        : this(link, options, outbox, status, commands, outputs, logger, time, streamFactory: null)
    {
    }

    /// <summary>Creates the link over the streams <paramref name="streamFactory"/> opens instead of TCP to the broker (tests: an in-memory broker).</summary>
    /// <param name="link">The link's settings.</param>
    /// <param name="options">The gateway's settings.</param>
    /// <param name="outbox">The outbox the link's cursor reads.</param>
    /// <param name="status">The status board.</param>
    /// <param name="commands">Runs the commands that arrive on the commands topic.</param>
    /// <param name="outputs">The outputs Home Assistant switches.</param>
    /// <param name="logger">The link's log.</param>
    /// <param name="time">The link's clock, and its MQTT client's (keep alive, timeouts); null: the system's.</param>
    /// <param name="streamFactory">Opens each connection's byte stream (<see cref="MqttClientOptions.StreamFactory"/>); null: TCP to <see cref="MqttLinkOptions.Broker"/>.</param>
    internal MqttUpstreamLink(MqttLinkOptions link, GatewayOptions options, Outbox.Outbox outbox, StatusBoard status, CommandPipeline commands, OutputService outputs, ILogger<MqttUpstreamLink> logger, TimeProvider? time, Func<CancellationToken, ValueTask<Stream>>? streamFactory)
        : base(
            link?.Name ?? throw new ArgumentNullException(nameof(link)),
            link.Target,
            link.BackoffMax,
            () => (outbox ?? throw new ArgumentNullException(nameof(outbox))).OpenCursor(link.Name, durable: true),
            status,
            time ?? TimeProvider.System,
            new Random(),
            logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _link = link;
        _options = options;
        _commands = commands;
        _outputs = outputs;
        _logger = logger;
        _topics = new MqttTopics(link.TopicPrefix.Replace("{device}", options.DeviceId, StringComparison.Ordinal));
        _readings = new ReadingEncoder(options.DeviceId);
        _clientId = link.ClientId.Replace("{device}", options.DeviceId, StringComparison.Ordinal);
        _streamFactory = streamFactory;
    }

    /// <inheritdoc/>
    public override string Kind => "mqtt";

    /// <inheritdoc/>
    protected override LinkEnd? Classify(Exception exception) => exception switch
    {
        MqttConnectException refused => new LinkEnd(refused.Message, Refused: refused.Message), // it says "the broker refused the connection: …" itself
        MqttTimeoutException => new LinkEnd(Redaction.Redact(exception.Message), Stalled: true), // connected, but the broker did not answer
        MqttException => new LinkEnd(Redaction.Redact(exception.Message)),
        OperationCanceledException => new LinkEnd("timed out"),
        _ => base.Classify(exception),
    };

    /// <inheritdoc/>
    protected override void OnOutageReported(LinkEnd end)
    {
        ArgumentNullException.ThrowIfNull(end);
        if (end.Refused is not null)
        {
            LogRefused(_logger, _link.Name, _link.Target, end.Refused);
        }
    }

    // One connection: returns why it ended and whether it stalled (a write or an answer timed out), or throws what ended it.
    // On the gateway's stop it says 'offline' first (SayOfflineAsync).
    /// <inheritdoc/>
    protected override async Task<LinkEnd> RunSessionAsync(OutboxCursor cursor, CancellationToken token, CancellationToken stopping)
    {
        await using var client = new MqttClient();
        var lost = new TaskCompletionSource<LinkEnd>(TaskCreationOptions.RunContinuationsAsynchronously);
        client.DisconnectedAsync += e =>
        {
            lost.TrySetResult(new LinkEnd(Redaction.Redact(e.Exception?.Message ?? "the broker closed the connection"), Stalled: e.Exception is MqttTimeoutException));
            return Task.CompletedTask;
        };
        var source = _commands.OpenSource(_link.Name, $"topic {_topics.Commands}"); // this connection's command rate
        using var connection = CancellationTokenSource.CreateLinkedTokenSource(token); // its commands end with it
        var inbound = new InboundDispatcher($"Link {_link.Name}", source.Peer, (reply, t) => PublishResultAsync(client, reply, t), _commands, source, _logger);
        client.ApplicationMessageReceivedAsync += e => OnMessageAsync(client, inbound, source, e.ApplicationMessage, connection.Token);

        using (var connectTimeout = CancellationTokenSource.CreateLinkedTokenSource(token))
        {
            connectTimeout.CancelAfter(TimeSpan.FromSeconds(15));
            await client.ConnectAsync(ClientOptions(), connectTimeout.Token).ConfigureAwait(false);
        }

        Connected($"connected to {_link.Target}, topics under {_topics.Prefix}");
        try
        {
            await client.PublishAsync(_topics.Status, Online, MqttQualityOfServiceLevel.AtLeastOnce, retain: true, token).ConfigureAwait(false);
            await AnnounceAsync(client, token).ConfigureAwait(false);
            await SubscribeAsync(client, token).ConfigureAwait(false);

            foreach (var gap in cursor.Gaps())
            {
                await client.PublishAsync(_topics.Gaps, Encoding.UTF8.GetBytes(MessageWriter.ToJson(new GapMessage(gap.From, gap.To, gap.Reason))), MqttQualityOfServiceLevel.AtLeastOnce, false, token).ConfigureAwait(false);
            }

            var pump = PumpAsync(client, cursor, token);
            var ended = await Task.WhenAny(pump, lost.Task).ConfigureAwait(false);
            if (ended == pump)
            {
                await pump.ConfigureAwait(false); // rethrows
                stopping.ThrowIfCancellationRequested(); // the pump also ends quietly when the gateway stops
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested && !lost.Task.IsCompleted)
        {
            await SayOfflineAsync(client).ConfigureAwait(false);
            throw;
        }
        finally
        {
            await connection.CancelAsync().ConfigureAwait(false);
            await inbound.DrainAsync().ConfigureAwait(false);
        }

        return await lost.Task.ConfigureAwait(false);
    }

    // A graceful stop ends with a clean DISCONNECT, and the broker then discards the last will (MQTT 3.1.1 §3.14.4;
    // 5.0 §3.14.2.1 reason code 0): without this the retained status would stay 'online' after the gateway stopped,
    // and Home Assistant would keep showing it available with stale values. Bounded, so a stuck broker cannot hold up
    // the stop; if it fails the status stays as it was, and the log says so.
    private async Task SayOfflineAsync(MqttClient client)
    {
        using var timeout = new CancellationTokenSource(OfflineTimeout, Time);
        try
        {
            await client.PublishAsync(_topics.Status, Offline, MqttQualityOfServiceLevel.AtLeastOnce, retain: true, timeout.Token).ConfigureAwait(false);
            LogSaidOffline(_logger, _link.Name, _topics.Status);
        }
        catch (Exception ex) when (ex is MqttException or IOException or System.Net.Sockets.SocketException or OperationCanceledException or ObjectDisposedException)
        {
            LogOfflineFailed(_logger, _link.Name, _topics.Status, ex is OperationCanceledException ? $"no PUBACK within {OfflineTimeout.TotalSeconds:0} s" : Redaction.Redact(ex.Message));
        }
    }

    private MqttClientOptions ClientOptions()
    {
        var builder = new MqttClientOptionsBuilder()
            .WithTcpServer(_link.Broker.Host, _link.Broker.Port)
            .WithClientId(_clientId)
            .WithCleanSession(true) // what the broker did not PUBACK is resent from the durable cursor instead
            .WithKeepAlivePeriod(_link.KeepAlive)
            .WithTimeout(_link.WriteTimeout)
            .WithMaxInflightMessages(_link.Window)
            .WithTimeProvider(Time) // keep alive and the client's timeouts on the link's clock, as its backoff and pacing
            .WithWillMessage(new MqttApplicationMessage { Topic = _topics.Status, Payload = Offline, QualityOfServiceLevel = MqttQualityOfServiceLevel.AtLeastOnce, Retain = true });
        if (_link.Username is not null)
        {
            builder.WithCredentials(_link.Username, _link.Password);
        }

        if (_streamFactory is not null)
        {
            builder.WithStreamFactory(_streamFactory);
        }

        if (_link.Tls)
        {
            builder.WithTls(new MqttClientTlsOptions { TargetHost = _link.Broker.Host, AuthenticationOptions = _link.TlsSettings.ClientOptions });
        }

        return builder.Build();
    }

    // Home Assistant discovery: every entity retained; entities announced before but gone from the configuration are
    // removed with an empty retained message (the announced topics are remembered in the state directory).
    private async Task AnnounceAsync(MqttClient client, CancellationToken token)
    {
        var memory = Path.Combine(_options.StateDirectory, $"mqtt-discovery-{MqttTopics.Level(_link.Name).Replace(':', '_')}.json");
        var before = File.Exists(memory) ? JsonSerializer.Deserialize(await File.ReadAllTextAsync(memory, token).ConfigureAwait(false), MqttJson.Default.ListString) ?? [] : [];
        var entries = _link.Discovery
            ? HomeAssistantDiscovery.Build(_options, _topics, _link.DiscoveryPrefix, GatewayHost.Version, _link.Format, _link.SwitchKey is not null)
            : [];
        foreach (var entry in entries)
        {
            await client.PublishAsync(entry.Topic, Encoding.UTF8.GetBytes(entry.Payload), MqttQualityOfServiceLevel.AtLeastOnce, retain: true, token).ConfigureAwait(false);
        }

        var now = entries.Select(e => e.Topic).ToList();
        foreach (var gone in before.Except(now))
        {
            await client.PublishAsync(gone, ReadOnlyMemory<byte>.Empty, MqttQualityOfServiceLevel.AtLeastOnce, retain: true, token).ConfigureAwait(false);
            LogRemoved(_logger, _link.Name, gone);
        }

        await File.WriteAllTextAsync(memory, JsonSerializer.Serialize(now, MqttJson.Default.ListString), token).ConfigureAwait(false);
        if (_link.SwitchKey is not null)
        {
            foreach (var output in _outputs.Configured)
            {
                await PublishOutputStateAsync(client, output, token).ConfigureAwait(false);
            }
        }
    }

    private async Task SubscribeAsync(MqttClient client, CancellationToken token)
    {
        var filters = new List<string> { _topics.Commands };
        if (_link.SwitchKey is not null)
        {
            filters.Add(_topics.OutputSetFilter);
        }

        foreach (var filter in filters)
        {
            try
            {
                await client.SubscribeAsync(filter, MqttQualityOfServiceLevel.AtLeastOnce, token).ConfigureAwait(false);
                LogSubscribed(_logger, _link.Name, filter);
            }
            catch (MqttSubscribeException ex)
            {
                // Readings keep flowing; commands over this broker do not, and the log and status say so.
                ReportProblem($"the broker refused the subscription to {filter} (ACL?)");
                LogSubscribeRefused(_logger, _link.Name, filter, ex.Message);
            }
        }
    }

    private async Task PumpAsync(MqttClient client, OutboxCursor cursor, CancellationToken token)
    {
        var rows = _rows;
        var inflight = new Queue<(long Seq, Task Publish)>();
        var payload = new ArrayBufferWriter<byte>(512);
        var paceStart = Time.GetUtcNow();
        long paced = 0;
        while (!token.IsCancellationRequested)
        {
            // PUBACKs arrive in order (MQTT-4.6.0-2); the cursor moves over the completed head of the queue only.
            var acked = 0L;
            while (inflight.Count > 0 && inflight.Peek().Publish.IsCompleted)
            {
                var (seq, publish) = inflight.Dequeue();
                await publish.ConfigureAwait(false); // a failed publish ends the connection; it is resent from the cursor
                acked = seq;
            }

            if (acked > 0)
            {
                cursor.Acknowledge(acked);
            }

            // Refill when a quarter of the window is free, not on every PUBACK: one outbox read per batch, not per row.
            var room = _link.Window - inflight.Count;
            var count = room >= Math.Max(1, _link.Window / 4) || inflight.Count == 0 ? cursor.TryRead(rows, Math.Min(room, 500)) : 0;
            if (count == 0)
            {
                Task wake = inflight.Count > 0 ? inflight.Peek().Publish : cursor.WaitAsync(token);
                await Task.WhenAny(wake, Task.Delay(TimeSpan.FromSeconds(1), Time, token)).ConfigureAwait(false);
                token.ThrowIfCancellationRequested();
                continue;
            }

            // The batch's PUBLISH packets reach the broker in one write.
            await using (client.HoldWrites())
            {
                foreach (ref readonly var row in CollectionsMarshal.AsSpan(rows))
                {
                    var (topic, length) = Write(row, payload);
                    var publish = length == 0 ? Task.CompletedTask : client.PublishAsync(topic, payload.WrittenMemory[..length], MqttQualityOfServiceLevel.AtLeastOnce, false, token);
                    payload.ResetWrittenCount();
                    inflight.Enqueue((row.Seq, publish));
                }
            }

            paced += count;
            var ahead = TimeSpan.FromSeconds(paced / (double)_link.MaxRate) - (Time.GetUtcNow() - paceStart);
            if (ahead > TimeSpan.Zero)
            {
                await Task.Delay(ahead, Time, token).ConfigureAwait(false);
            }
            else if (ahead < TimeSpan.FromSeconds(-1))
            {
                paceStart = Time.GetUtcNow();
                paced = 0;
            }
        }
    }

    // The topic and payload (its length in the buffer; 0: nothing to publish) of one stored record: a reading in the
    // protocol straight from the row (no message object), its topic built once per series.
    private (string Topic, int Length) Write(in StoredRecord row, ArrayBufferWriter<byte> payload)
    {
        switch (row.Kind, _link.Format)
        {
            case (RecordKind.Reading, PayloadFormat.SenML):
                SenML.WriteLine((ReadingMessage)StoredMessages.ToMessage(row, _options.DeviceId), payload);
                return (ReadingTopic(row), payload.WrittenCount - 1); // without the line's newline
            case (RecordKind.Reading, _):
                _readings.Write(row.Seq, row.Timestamp, row.SensorId, row.Quantity, row.Value, row.Unit, payload);
                return (ReadingTopic(row), payload.WrittenCount);
            case (_, PayloadFormat.Protocol):
                MessageWriter.Write(StoredMessages.ToMessage(row, _options.DeviceId), payload);
                return (_topics.Events, payload.WrittenCount);
            default:
                return (string.Empty, 0); // SenML carries measurements only
        }
    }

    private string ReadingTopic(in StoredRecord row)
    {
        var key = (row.SensorId, row.Quantity);
        if (!_readingTopics.TryGetValue(key, out var topic))
        {
            if (_readingTopics.Count >= ReadingEncoder.MaxSeries)
            {
                _readingTopics.Clear(); // bounded whatever the data
            }

            topic = _topics.Reading(row.SensorId, row.Quantity);
            _readingTopics[key] = topic;
        }

        return topic;
    }

    // Every message is answered or refused and then acknowledged (the handler returns): a message that made the handler
    // throw would not be acknowledged, and a retained one would come back on every reconnect, forever (issue 14).
    private async Task OnMessageAsync(MqttClient client, InboundDispatcher inbound, CommandSource source, MqttApplicationMessage message, CancellationToken token)
    {
        try
        {
            await HandleMessageAsync(client, inbound, source, message, token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or MqttException or ChannelClosedException)
        {
            throw; // the connection is ending: the message is not acknowledged and comes again
        }
#pragma warning disable CA1031 // one message's failure is logged with its topic and dropped; the connection goes on
        catch (Exception ex)
#pragma warning restore CA1031
        {
            LogMessageFailed(_logger, _link.Name, message.Topic, ex.GetType().Name, ex.Message, ex);
        }
    }

    // The commands topic is a session like any other (InboundDispatcher: commands run beside the receive loop with the
    // busy limit, ping answered, a bad message answered with its error, a peer's error never bounced), its replies
    // published to the results topic; it takes nothing else.
    private async Task HandleMessageAsync(MqttClient client, InboundDispatcher inbound, CommandSource source, MqttApplicationMessage message, CancellationToken token)
    {
        if (message.Topic == _topics.Commands)
        {
            if (await inbound.DispatchAsync(Inbound.Parse(message.Payload.Span), token).ConfigureAwait(false) is { } other)
            {
                await PublishResultAsync(client, new ErrorMessage(ErrorCodes.UnknownType, $"the commands topic takes 'command' messages, not '{other.Type}'"), token).ConfigureAwait(false);
            }

            return;
        }

        if (_topics.OutputOfSetTopic(message.Topic) is { } output && _link.SwitchKey is { } keyId)
        {
            // Audited as from the switch's own topic (…/output/<name>/set), on the connection's command rate.
            await SwitchAsync(client, source.As($"topic {message.Topic}"), output, Encoding.UTF8.GetString(message.Payload.Span).Trim(), keyId, token).ConfigureAwait(false);
        }
    }

    // A Home Assistant switch: ON/OFF becomes output.set, signed here with the switch key and run through the same
    // pipeline as any command, so the key's allow-list, the limits and the audit all apply.
    private async Task SwitchAsync(MqttClient client, CommandSource source, string output, string payload, string keyId, CancellationToken token)
    {
        if (payload is not ("ON" or "OFF"))
        {
            LogBadSwitchPayload(_logger, _link.Name, output, payload.Length > 20 ? payload[..20] : payload);
            return;
        }

        if (!_options.Commands.Keys.TryGetValue(keyId, out var key))
        {
            return;
        }

        var args = new System.Text.Json.Nodes.JsonObject { ["output"] = output, ["on"] = payload == "ON" }.ToJsonString();
        var command = CommandSigning.Create(key.Id, key.Secret, _options.DeviceId, $"ha-{Guid.NewGuid():N}", CommandNames.OutputSet, args, DateTimeOffset.UtcNow, CommandSigning.NewNonce());
        var result = await _commands.HandleAsync(command, source, token).ConfigureAwait(false);
        if (!result.Ok)
        {
            LogSwitchRefused(_logger, _link.Name, output, result.Code, result.Message);
        }

        await PublishOutputStateAsync(client, output, token).ConfigureAwait(false);
    }

    // A reply on the results topic; a connection that ended under it is the channel's "closed", as for any session.
    private async Task PublishResultAsync(MqttClient client, Message reply, CancellationToken token)
    {
        try
        {
            await client.PublishAsync(_topics.Results, Encoding.UTF8.GetBytes(MessageWriter.ToJson(reply)), MqttQualityOfServiceLevel.AtLeastOnce, false, token).ConfigureAwait(false);
        }
        catch (MqttException ex)
        {
            throw new ChannelClosedException($"the result could not be published ({Redaction.Redact(ex.Message)})", ex);
        }
    }

    private async Task PublishOutputStateAsync(MqttClient client, string output, CancellationToken token)
    {
        bool on;
        try
        {
            on = _outputs.IsOn(output);
        }
        catch (KeyNotFoundException)
        {
            return; // configured but unavailable
        }

        await client.PublishAsync(_topics.OutputState(output), on ? "ON"u8.ToArray() : "OFF"u8.ToArray(), MqttQualityOfServiceLevel.AtLeastOnce, retain: true, token).ConfigureAwait(false);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Link {Link}: stopping; published the retained status 'offline' on {Topic}")]
    private static partial void LogSaidOffline(ILogger logger, string link, string topic);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Link {Link}: stopping, but could not publish 'offline' on {Topic} ({Error}); the retained status still says 'online'")]
    private static partial void LogOfflineFailed(ILogger logger, string link, string topic, string error);

    [LoggerMessage(Level = LogLevel.Error, Message = "Link {Link}: a message on {Topic} failed unexpectedly ({Type}: {Error}); it was dropped and acknowledged, the connection goes on")]
    private static partial void LogMessageFailed(ILogger logger, string link, string topic, string type, string error, Exception exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "Link {Link}: {Error}, at {Broker} (check Username/Password and the broker's ACL)")]
    private static partial void LogRefused(ILogger logger, string link, string broker, string error);

    [LoggerMessage(Level = LogLevel.Error, Message = "Link {Link}: the broker refused the subscription to {Filter}: {Error}; commands over this broker will not arrive (check the broker's ACL)")]
    private static partial void LogSubscribeRefused(ILogger logger, string link, string filter, string error);

    [LoggerMessage(Level = LogLevel.Information, Message = "Link {Link}: subscribed to {Filter}")]
    private static partial void LogSubscribed(ILogger logger, string link, string filter);

    [LoggerMessage(Level = LogLevel.Information, Message = "Link {Link}: removed the Home Assistant entity {Topic} (no longer configured)")]
    private static partial void LogRemoved(ILogger logger, string link, string topic);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Link {Link}: switch {Output} got '{Payload}'; expected ON or OFF")]
    private static partial void LogBadSwitchPayload(ILogger logger, string link, string output, string payload);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Link {Link}: switch {Output} refused: {Code}: {Error}")]
    private static partial void LogSwitchRefused(ILogger logger, string link, string output, string? code, string? error);
}

[System.Text.Json.Serialization.JsonSerializable(typeof(List<string>))]
internal sealed partial class MqttJson : System.Text.Json.Serialization.JsonSerializerContext;
