using System.Buffers;
using Gateway.Mqtt.Channels;
using Gateway.Mqtt.Client;
using Gateway.Mqtt.Formatter;
using Gateway.Mqtt.Packets;

namespace Gateway.Mqtt;

/// <summary>
/// An MQTT 3.1.1 client: connect (clean or persistent session, keep alive, last will, user name and password, TLS),
/// publish with QoS 0 or 1 through an in-flight window, subscribe and unsubscribe, receive.
/// </summary>
/// <remarks>
/// <para>The client never reconnects by itself. When a connection ends, <see cref="DisconnectedAsync"/> says why and
/// every waiting call fails with that cause; call <see cref="ConnectAsync"/> again to reconnect. The session
/// survives: with <see cref="MqttClientOptions.CleanSession"/> false, QoS 1 messages not yet acknowledged are resent
/// with DUP set in their original order [MQTT-4.4.0-1] [MQTT-4.6.0-1] and their <see cref="PublishAsync(MqttApplicationMessage, CancellationToken)"/>
/// tasks complete on the PUBACK after the reconnect; with a clean session they fail with
/// <see cref="MqttSessionDiscardedException"/> when the connection ends. Subscriptions are sent again whenever the
/// broker reports no session (CONNACK session present 0).</para>
/// <para>Messages from the broker are handed to <see cref="ApplicationMessageReceivedAsync"/> one at a time, in
/// order, on a loop apart from the socket reader, so a handler may publish and wait for the PUBACK. A QoS 1 message
/// is acknowledged after its handler returns; if the handler throws, the message is not acknowledged and the
/// connection closes with <see cref="MqttApplicationMessageHandlerException"/>. Without a handler, messages are
/// acknowledged and dropped. Protocol violations by the broker close the connection with
/// <see cref="MqttProtocolViolationException"/>, whose message quotes the specification's clause.</para>
/// </remarks>
public sealed class MqttClient : IMqttConnectionOwner, IAsyncDisposable, IDisposable
{
    private static readonly byte[] DisconnectPacket = [0xE0, 0x00];

    private readonly Lock _sync = new();
    private readonly SemaphoreSlim _state = new(1, 1);
    private readonly MqttClientSession _session = new();
    private readonly FifoAsyncLock _publishOrder = new();
    private SemaphoreSlim? _window;
    private int _windowSize;
    private MqttConnection? _connection;
    private bool _disposed;

    /// <summary>A message arrived from the broker. Handlers run one message at a time, in order.</summary>
    public event Func<MqttApplicationMessageReceivedEventArgs, Task>? ApplicationMessageReceivedAsync;

    /// <summary>
    /// An established connection ended: <see cref="MqttClientDisconnectedEventArgs.Exception"/> is the cause, or null
    /// when <see cref="DisconnectAsync"/> or disposal ended it. Raised once per connection, on the thread pool;
    /// a handler's own exception is caught and dropped, so handlers must log their own failures.
    /// </summary>
    public event Func<MqttClientDisconnectedEventArgs, Task>? DisconnectedAsync;

    /// <summary>Whether a connection is established (CONNACK accepted, session restored) and still open.</summary>
    public bool IsConnected => _connection is { IsEstablished: true, IsOpen: true };

    /// <summary>QoS 1 messages sent (or waiting to be resent) and not yet acknowledged.</summary>
    public int PendingPublishCount
    {
        get
        {
            lock (_sync)
            {
                return _session.InflightCount;
            }
        }
    }

    /// <summary>The subscriptions the broker granted, restored when it loses the session.</summary>
    public IReadOnlyList<MqttTopicFilter> Subscriptions
    {
        get
        {
            lock (_sync)
            {
                return _session.Subscriptions();
            }
        }
    }

    /// <summary>
    /// Opens the connection and sends CONNECT; returns when the broker accepted it, unacknowledged QoS 1 messages
    /// were resent (persistent session) and subscriptions restored (when the broker had no session).
    /// </summary>
    /// <exception cref="ArgumentException">An option is invalid.</exception>
    /// <exception cref="InvalidOperationException">The client is already connected.</exception>
    /// <exception cref="MqttConnectException">The broker refused (CONNACK return code 1–5, e.g. 4 bad user name or password, 5 not authorized).</exception>
    /// <exception cref="MqttTimeoutException">No connection or CONNACK within <see cref="MqttClientOptions.Timeout"/>.</exception>
    /// <exception cref="MqttProtocolViolationException">The broker answered with something that is not a valid CONNACK.</exception>
    /// <exception cref="MqttSubscribeException">Restoring a subscription was refused (the connection is closed; the refused filters are forgotten).</exception>
    /// <exception cref="MqttCommunicationException">The network failed.</exception>
    public async Task<MqttClientConnectResult> ConnectAsync(MqttClientOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        ObjectDisposedException.ThrowIf(_disposed, this);
        await _state.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_connection is { IsOpen: true })
            {
                throw new InvalidOperationException("the MQTT client is already connected; call DisconnectAsync first");
            }

            PrepareSession(options);
            var stream = await MqttChannel.OpenAsync(options, cancellationToken).ConfigureAwait(false);
            var connection = new MqttConnection(stream, options, this);
            lock (_sync)
            {
                _connection = connection;
            }

            connection.Start();
            try
            {
                return await HandshakeAsync(connection, options, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                connection.Close(e is OperationCanceledException ? new MqttCommunicationException("ConnectAsync was cancelled", e) : e);
                await connection.Completion.ConfigureAwait(false);
                throw;
            }
        }
        finally
        {
            _state.Release();
        }
    }

    /// <summary>Publishes a message with QoS 0 or 1; see <see cref="PublishAsync(string, ReadOnlyMemory{byte}, MqttQualityOfServiceLevel, bool, CancellationToken)"/>.</summary>
    public Task PublishAsync(MqttApplicationMessage message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        return PublishAsync(message.Topic, message.Payload, message.QualityOfServiceLevel, message.Retain, cancellationToken);
    }

    /// <summary>
    /// Publishes a message. QoS 0: completes when written. QoS 1: waits for a place in the in-flight window, then
    /// completes on the broker's PUBACK — in a persistent session possibly after a reconnect and a DUP resend.
    /// Messages go on the wire in the order of the calls, so a caller may start many without awaiting each.
    /// </summary>
    /// <remarks>
    /// A task that fails means the message did not get into the session (not connected, the connection ended while it
    /// waited for the window, or — clean session only — the connection ended before the PUBACK): publish it again after
    /// reconnecting. A task still pending after a disconnect (persistent session) belongs to a message the session
    /// keeps and resends by itself.
    /// </remarks>
    /// <param name="topic">Topic name (no wildcards).</param>
    /// <param name="payload">Payload; copied before the call first yields.</param>
    /// <param name="qos">At most once or at least once; QoS 2 is not supported.</param>
    /// <param name="retain">Whether the broker retains it.</param>
    /// <param name="cancellationToken">Stops waiting for the window or the PUBACK; a QoS 1 message already sent stays in the session until acknowledged.</param>
    /// <exception cref="ArgumentException">The topic is invalid (the message names the clause).</exception>
    /// <exception cref="NotSupportedException">QoS 2.</exception>
    /// <exception cref="MqttClientNotConnectedException">Not connected.</exception>
    /// <exception cref="MqttCommunicationException">The connection ended before the message was sent.</exception>
    /// <exception cref="MqttSessionDiscardedException">QoS 1 in a clean session: the connection ended before the PUBACK.</exception>
    public Task PublishAsync(string topic, ReadOnlyMemory<byte> payload, MqttQualityOfServiceLevel qos = MqttQualityOfServiceLevel.AtMostOnce, bool retain = false, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (qos == MqttQualityOfServiceLevel.ExactlyOnce)
        {
            throw new NotSupportedException("QoS 2 (exactly once) is not supported by this client; publish with QoS 1 and de-duplicate at the receiver");
        }

        if (qos is not (MqttQualityOfServiceLevel.AtMostOnce or MqttQualityOfServiceLevel.AtLeastOnce))
        {
            throw new ArgumentOutOfRangeException(nameof(qos), qos, "MQTT-3.3.1-4: QoS must be 0 or 1");
        }

        var size = MqttPacketEncoder.GetPublishSize(topic, payload.Length, qos);
        var connection = _connection;
        if (connection is not { IsEstablished: true, IsOpen: true })
        {
            throw new MqttClientNotConnectedException();
        }

        return qos == MqttQualityOfServiceLevel.AtMostOnce
            ? PublishAtMostOnceAsync(connection, topic, payload, retain, size, cancellationToken)
            : PublishAtLeastOnceAsync(connection, topic, payload, retain, size, cancellationToken);
    }

    /// <summary>
    /// Collects the packets of what is published next into one write to the broker, made when the returned batch is
    /// disposed: a link publishing a batch of readings pays one system call for it, not one per message. Each message
    /// is still its own PUBLISH with its own PUBACK. Should a publish have to wait for the in-flight window, what is
    /// collected is written first. Keep a batch short (dispose it right after the publishes): until then the broker
    /// hears nothing from this client, keep-alive pings included.
    /// </summary>
    /// <exception cref="MqttClientNotConnectedException">Not connected.</exception>
    public MqttWriteBatch HoldWrites()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var connection = RequireConnection();
        connection.Hold();
        return new MqttWriteBatch(connection);
    }

    /// <summary>Subscribes to one topic filter; see <see cref="SubscribeAsync(IReadOnlyList{MqttTopicFilter}, CancellationToken)"/>.</summary>
    public Task<MqttClientSubscribeResult> SubscribeAsync(string topicFilter, MqttQualityOfServiceLevel qos = MqttQualityOfServiceLevel.AtLeastOnce, CancellationToken cancellationToken = default) =>
        SubscribeAsync([new MqttTopicFilter(topicFilter, qos)], cancellationToken);

    /// <summary>Sends SUBSCRIBE and waits for the SUBACK. Granted filters are remembered and restored after a reconnect without session.</summary>
    /// <exception cref="ArgumentException">A filter is invalid.</exception>
    /// <exception cref="NotSupportedException">A filter asks for QoS 2.</exception>
    /// <exception cref="MqttSubscribeException">The broker refused at least one filter (SUBACK 0x80); the others are subscribed.</exception>
    /// <exception cref="MqttTimeoutException">No SUBACK in time (the connection is closed).</exception>
    /// <exception cref="MqttCommunicationException">The connection ended first.</exception>
    public async Task<MqttClientSubscribeResult> SubscribeAsync(IReadOnlyList<MqttTopicFilter> topicFilters, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(topicFilters);
        ObjectDisposedException.ThrowIf(_disposed, this);
        foreach (var filter in topicFilters)
        {
            ArgumentNullException.ThrowIfNull(filter);
            if (filter.QualityOfServiceLevel == MqttQualityOfServiceLevel.ExactlyOnce)
            {
                throw new NotSupportedException($"subscribing to '{filter.Topic}' with QoS 2 is not supported; this client receives at most QoS 1");
            }
        }

        var connection = RequireConnection();
        var result = await SubscribeOnAsync(connection, topicFilters, cancellationToken).ConfigureAwait(false);
        foreach (var item in result.Items)
        {
            if (!item.Succeeded)
            {
                throw new MqttSubscribeException(result);
            }
        }

        return result;
    }

    /// <summary>Unsubscribes from one topic filter.</summary>
    public Task UnsubscribeAsync(string topicFilter, CancellationToken cancellationToken = default) => UnsubscribeAsync([topicFilter], cancellationToken);

    /// <summary>Sends UNSUBSCRIBE and waits for the UNSUBACK; the filters are no longer restored after a reconnect.</summary>
    /// <exception cref="ArgumentException">A filter is invalid.</exception>
    /// <exception cref="MqttTimeoutException">No UNSUBACK in time (the connection is closed).</exception>
    /// <exception cref="MqttCommunicationException">The connection ended first.</exception>
    public async Task UnsubscribeAsync(IReadOnlyList<string> topicFilters, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(topicFilters);
        ObjectDisposedException.ThrowIf(_disposed, this);
        var connection = RequireConnection();
        var id = AllocateIdentifier();
        byte[] packet;
        try
        {
            packet = MqttPacketEncoder.Encode(new MqttUnsubscribePacket(id, topicFilters));
        }
        catch
        {
            ReleasePacketIdentifier(id);
            throw;
        }

        await connection.RequestAsync(id, packet, "UNSUBACK", cancellationToken).ConfigureAwait(false);
        lock (_sync)
        {
            foreach (var filter in topicFilters)
            {
                _session.RemoveSubscription(filter);
            }
        }
    }

    /// <summary>Sends PINGREQ and waits for PINGRESP (the keep-alive loop does this by itself when the connection is idle).</summary>
    public Task PingAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return RequireConnection().PingAsync(cancellationToken);
    }

    /// <summary>
    /// Sends DISCONNECT and closes the connection, so the broker discards the last will [MQTT-3.14.4-3]. Pending
    /// waiters fail; in a persistent session, unacknowledged QoS 1 messages stay and are resent on the next connect.
    /// Does nothing when not connected.
    /// </summary>
    public async Task DisconnectAsync(CancellationToken cancellationToken = default)
    {
        await _state.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var connection = _connection;
            if (connection is null)
            {
                return;
            }

            if (connection.IsOpen)
            {
                try
                {
                    await connection.SendAsync(DisconnectPacket, CancellationToken.None).ConfigureAwait(false);
                }
                catch (MqttException)
                {
                    // already gone: nothing to say goodbye to
                }

                connection.Close(null); // MQTT-3.14.4-1: after DISCONNECT the client closes the connection
            }

            await connection.Completion.ConfigureAwait(false);
        }
        finally
        {
            _state.Release();
        }
    }

    /// <summary>Disconnects, then fails every message still unacknowledged with <see cref="MqttSessionDiscardedException"/>.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        await DisconnectAsync().ConfigureAwait(false);
        await _state.WaitAsync().ConfigureAwait(false);
        OutgoingPublish[] discarded;
        lock (_sync)
        {
            _disposed = true;
            discarded = DiscardInflightLocked();
        }

        _state.Release();
        Fail(discarded, "the MQTT client was disposed", null);
    }

    /// <summary>Same as <see cref="DisposeAsync"/>, blocking.</summary>
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    void IMqttConnectionOwner.OnPubAck(ushort packetIdentifier)
    {
        OutgoingPublish? entry;
        bool known;
        lock (_sync)
        {
            known = _session.TryAcknowledge(packetIdentifier, out entry);
        }

        if (!known)
        {
            throw new MqttProtocolViolationException("MQTT-2.3.1-6", $"PUBACK for packet identifier {packetIdentifier}, which no unacknowledged PUBLISH carries");
        }

        entry!.Acknowledge();
        _window?.Release();
    }

    async Task IMqttConnectionOwner.DeliverAsync(MqttApplicationMessageReceivedEventArgs message)
    {
        var handler = ApplicationMessageReceivedAsync;
        if (handler is null)
        {
            return;
        }

        if (handler.HasSingleTarget)
        {
            await handler(message).ConfigureAwait(false);
            return;
        }

        foreach (var single in handler.GetInvocationList())
        {
            await ((Func<MqttApplicationMessageReceivedEventArgs, Task>)single)(message).ConfigureAwait(false);
        }
    }

    void IMqttConnectionOwner.OnClosed(MqttConnection connection, Exception? cause, IReadOnlyList<ushort> releasedIdentifiers)
    {
        OutgoingPublish[] discarded = [];
        lock (_sync)
        {
            foreach (var id in releasedIdentifiers)
            {
                _session.Identifiers.Release(id);
            }

            if (connection.Options.CleanSession)
            {
                // MQTT-3.1.2.4: a clean session lasts as long as the network connection.
                discarded = DiscardInflightLocked();
            }
        }

        Fail(discarded, "the clean-session connection ended before the broker acknowledged it", cause);
        if (connection.IsEstablished)
        {
            RaiseDisconnected(new MqttClientDisconnectedEventArgs(cause, cause is null));
        }
    }

    void IMqttConnectionOwner.ReleasePacketIdentifier(ushort packetIdentifier) => ReleasePacketIdentifier(packetIdentifier);

    private void ReleasePacketIdentifier(ushort packetIdentifier)
    {
        lock (_sync)
        {
            _session.Identifiers.Release(packetIdentifier);
        }
    }

    private ushort AllocateIdentifier()
    {
        lock (_sync)
        {
            return _session.Identifiers.Allocate();
        }
    }

    private MqttConnection RequireConnection()
    {
        var connection = _connection;
        return connection is { IsEstablished: true, IsOpen: true } ? connection : throw new MqttClientNotConnectedException();
    }

    private void PrepareSession(MqttClientOptions options)
    {
        OutgoingPublish[] discarded = [];
        string? reason = null;
        lock (_sync)
        {
            if (options.CleanSession || (_session.ClientId is not null && _session.ClientId != options.ClientId))
            {
                reason = options.CleanSession
                    ? "a clean session was requested, which discards the previous one (MQTT-3.1.2-6)"
                    : $"the client id changed from '{_session.ClientId}' to '{options.ClientId}', which is another session";
                discarded = DiscardInflightLocked();
            }

            _session.ClientId = options.ClientId;

            // The window is resized only while nothing is in flight (no waiter then holds the old one).
            if (_window is null || (_windowSize != options.MaxInflightMessages && _session.InflightCount == 0))
            {
                _window = new SemaphoreSlim(options.MaxInflightMessages, options.MaxInflightMessages);
                _windowSize = options.MaxInflightMessages;
            }
        }

        Fail(discarded, reason ?? string.Empty, null);
    }

    /// <summary>Drops every unacknowledged message from the session and frees their window places; the caller fails them outside the lock.</summary>
    private OutgoingPublish[] DiscardInflightLocked()
    {
        var discarded = _session.DiscardInflight();
        if (discarded.Length > 0)
        {
            _window?.Release(discarded.Length);
        }

        return discarded;
    }

    private async Task<MqttClientConnectResult> HandshakeAsync(MqttConnection connection, MqttClientOptions options, CancellationToken cancellationToken)
    {
        var connect = MqttPacketEncoder.Encode(new MqttConnectPacket
        {
            ClientId = options.ClientId,
            CleanSession = options.CleanSession,
            KeepAliveSeconds = (ushort)options.KeepAlivePeriod.TotalSeconds,
            Username = options.Username,
            Password = options.Password,
            Will = options.WillMessage,
        });
        await connection.SendAsync(connect, cancellationToken).ConfigureAwait(false);
        MqttConnAckPacket connAck;
        try
        {
            connAck = await connection.ConnAck.WaitAsync(options.Timeout, options.TimeProvider, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            throw new MqttTimeoutException($"no CONNACK from {options.Host}:{options.Port} within {options.Timeout.TotalSeconds:0.###} s of CONNECT (is it an MQTT broker?)");
        }

        if (connAck.ReturnCode != MqttConnectReturnCode.ConnectionAccepted)
        {
            throw new MqttConnectException(connAck.ReturnCode);
        }

        if (options.CleanSession && connAck.SessionPresent)
        {
            throw new MqttProtocolViolationException("MQTT-3.2.2-1", "CONNACK claims a session is present although a clean session was requested");
        }

        // MQTT-4.4.0-1: on reconnect with CleanSession 0, resend unacknowledged PUBLISH packets with their original
        // identifiers, in their original order [MQTT-4.6.0-1], with DUP set [MQTT-3.3.1-1]. Also when the broker
        // lost the session (session present 0): it then takes them as new messages, and nothing is lost.
        OutgoingPublish[] resend;
        lock (_sync)
        {
            resend = options.CleanSession ? [] : _session.InflightInOrder();
        }

        foreach (var entry in resend)
        {
            entry.MarkDuplicate();
            await connection.SendAsync(entry.Packet, CancellationToken.None).ConfigureAwait(false);
        }

        IReadOnlyList<MqttTopicFilter> restored = [];
        if (!connAck.SessionPresent)
        {
            List<MqttTopicFilter> subscriptions;
            lock (_sync)
            {
                subscriptions = _session.Subscriptions();
            }

            if (subscriptions.Count > 0)
            {
                var result = await SubscribeOnAsync(connection, subscriptions, cancellationToken).ConfigureAwait(false);
                foreach (var item in result.Items)
                {
                    if (!item.Succeeded)
                    {
                        throw new MqttSubscribeException(result);
                    }
                }

                restored = subscriptions;
            }
        }

        connection.IsEstablished = true;
        connection.StartKeepAlive();
        if (!connection.IsOpen)
        {
            throw connection.Lost();
        }

        return new MqttClientConnectResult(connAck.SessionPresent, resend.Length, restored);
    }

    private async Task<MqttClientSubscribeResult> SubscribeOnAsync(MqttConnection connection, IReadOnlyList<MqttTopicFilter> topicFilters, CancellationToken cancellationToken)
    {
        var id = AllocateIdentifier();
        byte[] packet;
        try
        {
            packet = MqttPacketEncoder.Encode(new MqttSubscribePacket(id, topicFilters));
        }
        catch
        {
            ReleasePacketIdentifier(id);
            throw;
        }

        var answer = (MqttSubAckPacket)await connection.RequestAsync(id, packet, "SUBACK", cancellationToken).ConfigureAwait(false);
        if (answer.ReturnCodes.Count != topicFilters.Count)
        {
            var error = new MqttProtocolViolationException("MQTT-3.8.4-5", $"SUBACK has {answer.ReturnCodes.Count} return codes for {topicFilters.Count} topic filters");
            connection.Close(error);
            throw error;
        }

        var items = new MqttClientSubscribeResultItem[topicFilters.Count];
        lock (_sync)
        {
            for (var i = 0; i < items.Length; i++)
            {
                items[i] = new MqttClientSubscribeResultItem(topicFilters[i], answer.ReturnCodes[i]);
                if (items[i].Succeeded)
                {
                    _session.AddSubscription(topicFilters[i]);
                }
                else
                {
                    _session.RemoveSubscription(topicFilters[i].Topic);
                }
            }
        }

        return new MqttClientSubscribeResult(items);
    }

    // Both publishes take what they need of the payload before their first await: the caller may reuse its buffer as
    // soon as PublishAsync returns, even when the publish then waits for its turn, the window or the write lock.
    private async Task PublishAtMostOnceAsync(MqttConnection connection, string topic, ReadOnlyMemory<byte> payload, bool retain, int size, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(size);
        int length;
        try
        {
            length = MqttPacketEncoder.EncodePublish(buffer, topic, payload.Span, MqttQualityOfServiceLevel.AtMostOnce, retain, dup: false, 0);
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(buffer);
            throw;
        }

        var turn = _publishOrder.EnterAsync(); // taken before the first await: call order is wire order
        try
        {
            if (!turn.IsCompleted)
            {
                await turn.ConfigureAwait(false);
            }

            try
            {
                cancellationToken.ThrowIfCancellationRequested();
                await connection.SendAsync(buffer.AsMemory(0, length), CancellationToken.None).ConfigureAwait(false);
            }
            finally
            {
                _publishOrder.Exit();
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private async Task PublishAtLeastOnceAsync(MqttConnection connection, string topic, ReadOnlyMemory<byte> payload, bool retain, int size, CancellationToken cancellationToken)
    {
        // The payload is copied now to where it sits in the packet (a PUBLISH ends with it, MQTT 3.1.1 §3.3.3); the
        // encoding under the write lock then moves it onto itself.
        var entry = new OutgoingPublish(topic, size);
        var payloadAt = size - payload.Length;
        payload.Span.CopyTo(entry.Buffer[payloadAt..]);
        var turn = _publishOrder.EnterAsync(); // taken before the first await: call order is wire order
        try
        {
            if (!turn.IsCompleted)
            {
                await turn.ConfigureAwait(false);
            }
        }
        catch
        {
            entry.Abandon();
            throw;
        }

        try
        {
            var window = _window!;
            if (!window.Wait(0, CancellationToken.None))
            {
                try
                {
                    // Packets held for one write would never be acknowledged while this waits for their PUBACKs: send them.
                    await connection.FlushHeldAsync(endHold: false, cancellationToken).ConfigureAwait(false);
                    await WaitForWindowAsync(window, connection, cancellationToken).ConfigureAwait(false);
                }
                catch
                {
                    entry.Abandon();
                    throw;
                }
            }

            try
            {
                // Registered and encoded under the write lock, so the sequence number is the place on the wire [MQTT-4.6.0-1].
                await connection.SendAsync(
                    static (state, _) => state.Client.Register(state.Connection, state.Entry, state.Entry.Buffer.Slice(state.PayloadAt, state.PayloadLength), state.Retain),
                    (Client: this, Connection: connection, Entry: entry, PayloadAt: payloadAt, PayloadLength: payload.Length, Retain: retain),
                    CancellationToken.None).ConfigureAwait(false);
            }
            catch (MqttException) when (entry.PacketIdentifier != 0)
            {
                // Registered, then the write failed: the session decides (clean: it fails the entry; persistent: resent on reconnect).
            }
            catch
            {
                entry.Abandon();
                window.Release();
                throw;
            }
        }
        finally
        {
            _publishOrder.Exit();
        }

        await entry.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    private ReadOnlyMemory<byte> Register(MqttConnection connection, OutgoingPublish entry, ReadOnlySpan<byte> payload, bool retain)
    {
        lock (_sync)
        {
            if (!connection.IsOpen || _connection != connection)
            {
                throw connection.Lost();
            }

            _session.Add(entry);
            entry.Length = MqttPacketEncoder.EncodePublish(entry.Buffer, entry.Topic, payload, MqttQualityOfServiceLevel.AtLeastOnce, retain, dup: false, entry.PacketIdentifier);
            return entry.Packet;
        }
    }

    private static async Task WaitForWindowAsync(SemaphoreSlim window, MqttConnection connection, CancellationToken cancellationToken)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, connection.Lifetime);
        try
        {
            await window.WaitAsync(linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw connection.Lost();
        }
    }

    private static void Fail(OutgoingPublish[] entries, string reason, Exception? cause)
    {
        foreach (var entry in entries)
        {
            entry.Discard(new MqttSessionDiscardedException(
                $"the QoS 1 message to '{entry.Topic}' (packet identifier {entry.PacketIdentifier}) was not acknowledged: {reason}{(cause is null ? string.Empty : $" ({cause.Message})")}",
                cause));
        }
    }

    private void RaiseDisconnected(MqttClientDisconnectedEventArgs args)
    {
        var handler = DisconnectedAsync;
        if (handler is null)
        {
            return;
        }

        _ = Task.Run(async () =>
        {
            foreach (var single in handler.GetInvocationList())
            {
                try
                {
                    await ((Func<MqttClientDisconnectedEventArgs, Task>)single)(args).ConfigureAwait(false);
                }
#pragma warning disable CA1031 // a subscriber's failure must not take the client down; subscribers log their own
                catch (Exception)
#pragma warning restore CA1031
                {
                }
            }
        });
    }
}
