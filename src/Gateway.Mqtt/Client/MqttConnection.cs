using System.IO.Pipelines;
using System.Threading.Channels;
using Gateway.Mqtt.Formatter;
using Gateway.Mqtt.Framing;
using Gateway.Mqtt.Packets;

namespace Gateway.Mqtt.Client;

/// <summary>
/// One network connection to the broker: serialised writes with a timeout, the receive loop (framing over
/// System.IO.Pipelines, then the codec), request/answer correlation by packet identifier, keep alive measured from
/// the last packet sent, and in-order delivery of received messages on a loop of its own (so a handler may publish
/// and wait for the PUBACK, which the receive loop reads). <see cref="Close"/> tears it all down once and fails
/// every waiter with the cause. Session state (unacknowledged QoS 1 messages, subscriptions) lives in the client.
/// </summary>
#pragma warning disable CA1001 // Close() cancels the token sources; none holds a wait handle or a live timer afterwards, and disposing the write lock would race senders
internal sealed class MqttConnection
#pragma warning restore CA1001
{
    private static readonly byte[] PingReq = [0xC0, 0x00];

    private readonly Stream _stream;
    private readonly PipeReader _reader;
    private readonly MqttClientOptions _options;
    private readonly IMqttConnectionOwner _owner;
    private readonly TimeProvider _time;
    private readonly CancellationTokenSource _lifetime = new();
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private readonly ITimer _writeWatchdog;
    private readonly Dictionary<ushort, TaskCompletionSource<MqttPacket>> _requests = [];
    private readonly Channel<MqttApplicationMessageReceivedEventArgs> _incoming;
    private readonly TaskCompletionSource<MqttConnAckPacket> _connAck = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly byte[] _pubAck = new byte[4];
    private TaskCompletionSource? _pingResponse;
    private long _lastSent;
    private int _closed;
    private volatile bool _writing;
    private readonly System.Buffers.ArrayBufferWriter<byte> _held = new(16 * 1024);
    private bool _holding; // under the send lock
    private Task _receiveLoop = Task.CompletedTask;
    private Task _deliveryLoop = Task.CompletedTask;
    private Task _keepAliveLoop = Task.CompletedTask;

    public MqttConnection(Stream stream, MqttClientOptions options, IMqttConnectionOwner owner)
    {
        _stream = stream;
        _options = options;
        _owner = owner;
        _time = options.TimeProvider;
        _writeWatchdog = _time.CreateTimer(static state => ((MqttConnection)state!).OnWriteTimeout(), this, System.Threading.Timeout.InfiniteTimeSpan, System.Threading.Timeout.InfiniteTimeSpan);
        _reader = PipeReader.Create(stream, new StreamPipeReaderOptions(bufferSize: 16 * 1024, minimumReadSize: 4 * 1024, leaveOpen: true));
        _incoming = Channel.CreateBounded<MqttApplicationMessageReceivedEventArgs>(new BoundedChannelOptions(options.ReceiveQueueCapacity)
        {
            SingleReader = true,
            SingleWriter = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        _lastSent = _time.GetTimestamp();
    }

    /// <summary>The options this connection was made with.</summary>
    public MqttClientOptions Options => _options;

    /// <summary>True until <see cref="Close"/>.</summary>
    public bool IsOpen => Volatile.Read(ref _closed) == 0;

    /// <summary>CONNACK was accepted and the session restored: the client publishes on this connection.</summary>
    public bool IsEstablished { get; set; }

    /// <summary>Why the connection ended (null while open, or when the client ended it).</summary>
    public Exception? Cause { get; private set; }

    /// <summary>Cancelled when the connection closes.</summary>
    public CancellationToken Lifetime => _lifetime.Token;

    /// <summary>The broker's CONNACK; faults with the cause if the connection ends first.</summary>
    public Task<MqttConnAckPacket> ConnAck => _connAck.Task;

    /// <summary>Completes when the receive and keep-alive loops have ended (the delivery loop may still be draining).</summary>
    public Task Completion => Task.WhenAll(_receiveLoop, _keepAliveLoop);

    /// <summary>Starts reading and delivering.</summary>
    public void Start()
    {
        _receiveLoop = Task.Run(ReceiveLoopAsync);
        _deliveryLoop = Task.Run(DeliveryLoopAsync);
    }

    /// <summary>Starts the keep-alive loop (after CONNACK), unless keep alive is off.</summary>
    public void StartKeepAlive()
    {
        if (_options.KeepAlivePeriod > TimeSpan.Zero)
        {
            _keepAliveLoop = Task.Run(KeepAliveLoopAsync);
        }
    }

    /// <summary>Writes one whole packet. Writes never interleave; one that does not finish within the timeout closes the connection.</summary>
    /// <param name="packet">The encoded packet.</param>
    /// <param name="cancellationToken">Cancels only the wait for the previous write; a packet is never cut off half-way.</param>
    public ValueTask SendAsync(ReadOnlyMemory<byte> packet, CancellationToken cancellationToken) =>
        SendAsync(static (p, _) => p, packet, cancellationToken);

    /// <summary>
    /// Writes one whole packet made by <paramref name="prepare"/> while the write lock is held, so what it records
    /// (an in-flight entry and its sequence) happens in wire order.
    /// </summary>
    public async ValueTask SendAsync<TState>(Func<TState, MqttConnection, ReadOnlyMemory<byte>> prepare, TState state, CancellationToken cancellationToken)
    {
        ThrowIfClosed();
        await _sendLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ThrowIfClosed();
            var packet = prepare(state, this);
            if (Volatile.Read(ref _holding))
            {
                System.Buffers.BuffersExtensions.Write(_held, packet.Span); // sent with the others on FlushHeldAsync
                return;
            }

            // A write that hangs (the broker stopped reading, the network went away) is cut off by the watchdog,
            // which closes the connection and so aborts the write. One timer per connection, re-armed per write.
            _writing = true;
            _writeWatchdog.Change(_options.Timeout, System.Threading.Timeout.InfiniteTimeSpan);
            await _stream.WriteAsync(packet, CancellationToken.None).ConfigureAwait(false);
            Volatile.Write(ref _lastSent, _time.GetTimestamp());
        }
        catch (Exception e) when (e is not MqttException && e is not ArgumentException)
        {
            Close(new MqttCommunicationException($"writing to the broker failed: {e.Message}", e)); // no-op when already closed
            throw Lost();
        }
        finally
        {
            _writing = false;
            _writeWatchdog.Change(System.Threading.Timeout.InfiniteTimeSpan, System.Threading.Timeout.InfiniteTimeSpan);
            _sendLock.Release();
        }
    }

    /// <summary>
    /// From now on, packets are collected instead of written, until <see cref="FlushHeldAsync"/> writes them in one
    /// write (a batch of PUBLISH packets: one system call instead of one per packet).
    /// </summary>
    public void Hold() => Volatile.Write(ref _holding, true);

    /// <summary>
    /// Writes the packets collected since <see cref="Hold"/> in one write, under the write lock and the write
    /// watchdog like any packet; <paramref name="endHold"/> says whether later packets are written again as they come
    /// (otherwise collecting goes on as before, or not, as it was). On a
    /// connection already closed the packets are dropped: the session has them (the publishers hear of it).
    /// </summary>
    public async ValueTask FlushHeldAsync(bool endHold, CancellationToken cancellationToken)
    {
        await _sendLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (endHold)
            {
                Volatile.Write(ref _holding, false);
            }
            if (_held.WrittenCount == 0 || !IsOpen)
            {
                return;
            }

            _writing = true;
            _writeWatchdog.Change(_options.Timeout, System.Threading.Timeout.InfiniteTimeSpan);
            await _stream.WriteAsync(_held.WrittenMemory, CancellationToken.None).ConfigureAwait(false);
            Volatile.Write(ref _lastSent, _time.GetTimestamp());
        }
        catch (Exception e) when (e is not MqttException && e is not OperationCanceledException)
        {
            Close(new MqttCommunicationException($"writing to the broker failed: {e.Message}", e));
            throw Lost();
        }
        finally
        {
            _held.ResetWrittenCount();
            _writing = false;
            _writeWatchdog.Change(System.Threading.Timeout.InfiniteTimeSpan, System.Threading.Timeout.InfiniteTimeSpan);
            _sendLock.Release();
        }
    }

    /// <summary>Sends a SUBSCRIBE or UNSUBSCRIBE and waits for the answer with the same identifier [MQTT-2.3.1-7].</summary>
    /// <remarks>
    /// If the caller stops waiting, the request stays registered until its answer comes (its identifier stays
    /// reserved), so a late answer is not taken for a protocol violation. No answer within the timeout closes the connection.
    /// </remarks>
    public async Task<MqttPacket> RequestAsync(ushort packetIdentifier, ReadOnlyMemory<byte> packet, string expected, CancellationToken cancellationToken)
    {
        var answer = new TaskCompletionSource<MqttPacket>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_requests)
        {
            ThrowIfClosed();
            _requests.Add(packetIdentifier, answer);
        }

        await SendAsync(packet, CancellationToken.None).ConfigureAwait(false);
        try
        {
            return await answer.Task.WaitAsync(_options.Timeout, _time, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            var error = new MqttTimeoutException($"no {expected} for packet identifier {packetIdentifier} within {Seconds(_options.Timeout)}; the connection is considered dead");
            Close(error);
            throw error;
        }
    }

    /// <summary>Sends PINGREQ and waits for PINGRESP (MQTT-3.12); none within the timeout closes the connection.</summary>
    public async Task PingAsync(CancellationToken cancellationToken)
    {
        TaskCompletionSource response;
        var send = false;
        lock (_requests)
        {
            ThrowIfClosed();
            response = _pingResponse ??= NewPing(out send);
        }

        if (send)
        {
            await SendAsync(PingReq, CancellationToken.None).ConfigureAwait(false);
        }

        try
        {
            await response.Task.WaitAsync(_options.Timeout, _time, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // MQTT-3.1.2.10: a client that gets no PINGRESP within a reasonable time should close the connection.
            var error = new MqttTimeoutException($"no PINGRESP within {Seconds(_options.Timeout)} of PINGREQ; the connection is considered dead (MQTT-3.1.2.10)");
            Close(error);
            throw error;
        }
    }

    /// <summary>
    /// Ends the connection once: cancels the loops, closes the socket, fails every waiter (CONNACK, SUBACK, UNSUBACK,
    /// PINGRESP) with the cause, and tells the owner. A null cause means the client ended it on purpose.
    /// </summary>
    public void Close(Exception? cause)
    {
        if (Interlocked.Exchange(ref _closed, 1) != 0)
        {
            return;
        }

        Cause = cause;
        _lifetime.Cancel();
        _writeWatchdog.Dispose();
        _stream.Dispose();
        var error = Lost();
        _connAck.TrySetException(cause is MqttException ? cause : error);
        List<ushort> released;
        TaskCompletionSource<MqttPacket>[] waiters;
        TaskCompletionSource? ping;
        lock (_requests)
        {
            released = [.. _requests.Keys];
            waiters = [.. _requests.Values];
            _requests.Clear();
            ping = _pingResponse;
            _pingResponse = null;
        }

        foreach (var waiter in waiters)
        {
            waiter.TrySetException(error);
        }

        ping?.TrySetException(error);
        _incoming.Writer.TryComplete();
        _owner.OnClosed(this, cause, released);
    }

    /// <summary>The exception for an operation cut short by the end of this connection: the cause itself when typed, else wrapped.</summary>
    public MqttException Lost() => Cause switch
    {
        MqttException typed => typed,
        null when !IsOpen => new MqttCommunicationException("the connection to the broker was closed by this client"),
        null => new MqttCommunicationException("the connection to the broker is closed"),
        var other => new MqttCommunicationException($"the connection to the broker was lost: {other.Message}", other),
    };

    private void OnWriteTimeout()
    {
        if (_writing)
        {
            Close(new MqttTimeoutException($"writing a packet to the broker did not finish within {Seconds(_options.Timeout)}; the connection is considered dead"));
        }
    }

    private static TaskCompletionSource NewPing(out bool send)
    {
        send = true;
        return new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    private static string Seconds(TimeSpan time) => $"{time.TotalSeconds:0.###} s";

    private void ThrowIfClosed()
    {
        if (!IsOpen)
        {
            throw Lost();
        }
    }

    private async Task ReceiveLoopAsync()
    {
        Exception? cause;
        try
        {
            cause = await ReadPacketsAsync().ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!IsOpen)
        {
            return;
        }
        catch (Exception e) when (!IsOpen && e is IOException or ObjectDisposedException)
        {
            return; // the socket was closed under the read by Close
        }
        catch (Exception e) when (e is MqttException)
        {
            cause = e;
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or System.Net.Sockets.SocketException or InvalidOperationException)
        {
            cause = new MqttCommunicationException($"reading from the broker failed: {e.Message}", e);
        }
        finally
        {
            await _reader.CompleteAsync().ConfigureAwait(false);
        }

        Close(cause);
    }

    private async Task<Exception> ReadPacketsAsync()
    {
        while (true)
        {
            var result = await _reader.ReadAsync(_lifetime.Token).ConfigureAwait(false);
            var buffer = result.Buffer;
            long left;
            try
            {
                if (!_connAck.Task.IsCompleted && !buffer.IsEmpty)
                {
                    CheckFirstByte(buffer.FirstSpan[0]);
                }

                while (MqttFrameReader.TryRead(ref buffer, _options.MaximumPacketSize, out var frame))
                {
                    var pending = Handle(frame);
                    if (!pending.IsCompletedSuccessfully)
                    {
                        await pending.ConfigureAwait(false);
                    }
                }

                left = buffer.Length;
            }
            finally
            {
                _reader.AdvanceTo(buffer.Start, buffer.End);
            }

            if (result.IsCompleted)
            {
                return left == 0
                    ? new MqttCommunicationException("the broker closed the connection")
                    : new MqttProtocolViolationException("MQTT-2.2.3", $"the broker closed the connection in the middle of a packet ({left} bytes of it had arrived)");
            }
        }
    }

    /// <summary>
    /// Before CONNACK, the first byte alone tells whether the broker speaks MQTT at all: anything but a CONNACK header
    /// is refused at once, without waiting for a body whose length garbage would announce [MQTT-3.2.0-1].
    /// </summary>
    private static void CheckFirstByte(byte first)
    {
        var type = first >> 4;
        if (type is not ((int)MqttPacketType.ConnAck or 0 or 15))
        {
            throw new MqttProtocolViolationException("MQTT-3.2.0-1", $"the first packet from the broker must be CONNACK; its first byte 0x{first:X2} announces {Name((MqttPacketType)type)}");
        }
    }

    private ValueTask Handle(in MqttFrame frame)
    {
        if (!_connAck.Task.IsCompleted && frame.Type != MqttPacketType.ConnAck)
        {
            throw new MqttProtocolViolationException("MQTT-3.2.0-1", $"the first packet from the broker must be CONNACK, was {Name(frame.Type)}");
        }

        switch (frame.Type)
        {
            case MqttPacketType.ConnAck:
                if (!_connAck.TrySetResult(MqttPacketDecoder.DecodeConnAck(frame)))
                {
                    throw new MqttProtocolViolationException("MQTT-3.2", "the broker sent a second CONNACK on one connection");
                }

                return ValueTask.CompletedTask;
            case MqttPacketType.Publish:
                return Receive(MqttPacketDecoder.DecodePublish(frame));
            case MqttPacketType.PubAck:
                _owner.OnPubAck(MqttPacketDecoder.DecodePubAck(frame));
                return ValueTask.CompletedTask;
            case MqttPacketType.SubAck:
            {
                var subAck = MqttPacketDecoder.DecodeSubAck(frame);
                Answer(subAck.PacketIdentifier, subAck, MqttPacketType.Subscribe);
                return ValueTask.CompletedTask;
            }

            case MqttPacketType.UnsubAck:
            {
                var id = MqttPacketDecoder.DecodeUnsubAck(frame);
                Answer(id, new MqttUnsubAckPacket(id), MqttPacketType.Unsubscribe);
                return ValueTask.CompletedTask;
            }

            case MqttPacketType.PingResp:
            {
                MqttPacketDecoder.DecodePingResp(frame);
                TaskCompletionSource? ping;
                lock (_requests)
                {
                    ping = _pingResponse;
                    _pingResponse = null;
                }

                ping?.TrySetResult(); // an unasked PINGRESP is harmless
                return ValueTask.CompletedTask;
            }

            case MqttPacketType.PubRec or MqttPacketType.PubRel or MqttPacketType.PubComp:
                throw MqttPacketDecoder.QosTwoNotSupported(frame.Type);
            default:
                // Table 2.1: CONNECT, SUBSCRIBE, UNSUBSCRIBE, PINGREQ and DISCONNECT flow from client to server only.
                throw new MqttProtocolViolationException("MQTT-2.2.1", $"the broker sent {Name(frame.Type)}, which only a client may send");
        }
    }

    private ValueTask Receive(MqttPublishPacket publish)
    {
        if (publish.QualityOfServiceLevel == MqttQualityOfServiceLevel.ExactlyOnce)
        {
            throw new MqttProtocolViolationException(
                "MQTT-3.8.4-6",
                $"the broker sent a QoS 2 PUBLISH on '{publish.Topic}'; this client subscribes with at most QoS 1 and the broker must not exceed the granted QoS (QoS 2 is not supported)");
        }

        var message = new MqttApplicationMessageReceivedEventArgs(
            new MqttApplicationMessage
            {
                Topic = publish.Topic,
                Payload = publish.Payload,
                QualityOfServiceLevel = publish.QualityOfServiceLevel,
                Retain = publish.Retain,
                Dup = publish.Dup,
            },
            publish.PacketIdentifier);
        return _incoming.Writer.TryWrite(message) ? ValueTask.CompletedTask : _incoming.Writer.WriteAsync(message, _lifetime.Token);
    }

    private void Answer(ushort packetIdentifier, MqttPacket answer, MqttPacketType request)
    {
        TaskCompletionSource<MqttPacket>? waiter;
        lock (_requests)
        {
            if (!_requests.Remove(packetIdentifier, out waiter))
            {
                throw new MqttProtocolViolationException("MQTT-2.3.1-7", $"{Name(answer.Type)} for packet identifier {packetIdentifier}, which no {Name(request)} is waiting for");
            }
        }

        _owner.ReleasePacketIdentifier(packetIdentifier);
        waiter.TrySetResult(answer);
    }

    private async Task DeliveryLoopAsync()
    {
        // Drains everything received, even after the connection closed: a received message is handed over, never dropped.
        // A QoS 1 message whose connection closed before its PUBACK is not acknowledged; a persistent session gets it again.
        await foreach (var message in _incoming.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            try
            {
                await _owner.DeliverAsync(message).ConfigureAwait(false);
            }
#pragma warning disable CA1031 // the handler is user code: any failure closes the connection with it as the cause
            catch (Exception e)
#pragma warning restore CA1031
            {
                Close(new MqttApplicationMessageHandlerException(
                    $"the ApplicationMessageReceivedAsync handler failed on a message from '{message.ApplicationMessage.Topic}': {e.Message}; the message is not acknowledged",
                    e));
                continue;
            }

            if (message.PacketIdentifier != 0 && IsOpen)
            {
                try
                {
                    // MQTT-4.3.2: the receiver of a QoS 1 PUBLISH answers PUBACK with its identifier [MQTT-2.3.1-6].
                    await SendAsync(
                        static (id, connection) => connection._pubAck.AsMemory(0, MqttPacketEncoder.EncodePubAck(connection._pubAck, id)),
                        message.PacketIdentifier,
                        CancellationToken.None).ConfigureAwait(false);
                }
                catch (MqttException)
                {
                    // the connection closed; its cause is already recorded and reported
                }
            }
        }
    }

    private async Task KeepAliveLoopAsync()
    {
        // MQTT-3.1.2.10 [MQTT-3.1.2-23]: the time between packets *sent* must not exceed the keep alive; when nothing
        // else went out for that long, send PINGREQ.
        var period = _options.KeepAlivePeriod;
        try
        {
            while (IsOpen)
            {
                var idle = _time.GetElapsedTime(Volatile.Read(ref _lastSent));
                if (idle < period)
                {
                    await Task.Delay(period - idle, _time, _lifetime.Token).ConfigureAwait(false);
                    continue;
                }

                await PingAsync(_lifetime.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (!IsOpen)
        {
            // closed
        }
        catch (MqttException)
        {
            // PingAsync closed the connection with the cause
        }
    }

    private static string Name(MqttPacketType type) => type.ToString().ToUpperInvariant();
}
