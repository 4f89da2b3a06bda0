using System.Buffers;
using System.Net.WebSockets;
namespace Gateway.Protocol.Transport;

/// <summary>
/// Protocol messages over a WebSocket: one message per text frame (docs/protocol.md, Framing), subprotocol
/// <see cref="SubProtocol"/>. A message over the size limit, or a binary one, breaks the framing. Owns the socket.
/// </summary>
public sealed class WebSocketChannel : IMessageChannel
{
    /// <summary>The WebSocket subprotocol of protocol version 1.</summary>
    public const string SubProtocol = "gateway.v1";

    private readonly WebSocket _socket;
    private readonly int _maxMessage;
    private readonly TimeProvider _time;
    private readonly ChannelWrites _writes;
    private readonly CoalescingStream? _coalesce;
    private readonly ClientFrames? _frames;
    private readonly ArrayBufferWriter<byte> _batch = new(64 * 1024);
    private readonly byte[] _chunk = new byte[16 * 1024];
    private readonly ArrayBufferWriter<byte> _message = new(1024); // reused: one receive at a time, and the parse copies what it keeps

    /// <summary>Creates the channel over an open <paramref name="socket"/>, which it closes and disposes.</summary>
    /// <param name="socket">The WebSocket, client or server side.</param>
    /// <param name="peer">Who is at the other end, for messages.</param>
    /// <param name="maxMessage">The longest message accepted from the peer, in bytes, however many frames it spans.</param>
    /// <param name="writeTimeout">How long a send may wait for the peer to read.</param>
    /// <param name="time">The clock of the write and close timeouts; the system's by default.</param>
    /// <param name="coalesce">The stream under a client <paramref name="socket"/>, when it is one: a batch of messages then reaches it in one write.</param>
    /// <param name="plainBeneath">
    /// True when the socket writes straight to <paramref name="coalesce"/> (no TLS between): the channel then writes a
    /// batch's data frames itself (<see cref="ClientFrames"/>, masked as a client must) beside the control frames
    /// (pong, close) the socket writes there. Never for a server-side socket (its frames are unmasked).
    /// </param>
    public WebSocketChannel(WebSocket socket, string peer, int maxMessage, TimeSpan writeTimeout, TimeProvider? time = null, CoalescingStream? coalesce = null, bool plainBeneath = false)
    {
        ArgumentNullException.ThrowIfNull(socket);
        ArgumentNullException.ThrowIfNull(peer);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxMessage, 1);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(writeTimeout, TimeSpan.Zero);
        _socket = socket;
        Peer = peer;
        _maxMessage = maxMessage;
        _time = time ?? TimeProvider.System;
        _coalesce = coalesce;
        _frames = coalesce is not null && plainBeneath ? new ClientFrames() : null;
        _writes = new ChannelWrites(WriteFramesAsync, newline: false, writeTimeout, _time);
    }

    /// <inheritdoc/>
    public string Peer { get; }

    /// <inheritdoc/>
    public Task SendAsync(Message message, CancellationToken cancellationToken) => _writes.SendAsync(message, cancellationToken);

    /// <inheritdoc/>
    public Task SendLinesAsync(ReadOnlyMemory<byte> lines, CancellationToken cancellationToken) => _writes.SendLinesAsync(lines, cancellationToken);

    // One text frame per line (docs/protocol.md, Framing; the line feeds are not sent), all within one write timeout
    // (ChannelWrites). Cancelling a send aborts the socket (WebSocket.SendAsync), which is what a stall ends in anyway.
    // Over a coalescing stream the channel frames the batch itself and it reaches the socket in one write: per frame,
    // WebSocket.SendAsync cost more than the rest of a reading's way out (issue 17, item 5).
    private async Task WriteFramesAsync(ReadOnlyMemory<byte> lines, CancellationToken timeout)
    {
        if (_coalesce is null)
        {
            await SendFramesAsync(lines, timeout).ConfigureAwait(false);
            return;
        }

        if (_frames is null)
        {
            // Under TLS: the socket frames, the TLS stream encrypts, and the coalescing stream beneath collects.
            _coalesce.Hold();
            try
            {
                // While held, a frame only joins the collected bytes and cannot wait for the peer, so it needs no
                // deadline of its own (with a cancellable token WebSocket.SendAsync takes a slower path per frame):
                // the deadline aborts the socket instead, once per batch, and bounds the one real write.
                using (timeout.UnsafeRegister(static s => ((WebSocket)s!).Abort(), _socket))
                {
                    await SendFramesAsync(lines, CancellationToken.None).ConfigureAwait(false);
                }
            }
            finally
            {
                await _coalesce.ReleaseAsync(timeout).ConfigureAwait(false);
            }

            return;
        }

        if (_socket.State != WebSocketState.Open)
        {
            throw new WebSocketException(WebSocketError.InvalidState, $"the WebSocket is {_socket.State}, not open: no more data frames");
        }

        _batch.ResetWrittenCount();
        while (!lines.IsEmpty)
        {
            var line = NextLine(ref lines);
            if (!line.IsEmpty)
            {
                _frames.WriteText(line.Span, _batch);
            }
        }

        try
        {
            await _coalesce.WriteAsync(_batch.WrittenMemory, timeout).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            _socket.Abort(); // half a frame may have gone out: the connection cannot go on
            throw;
        }
    }

    private async Task SendFramesAsync(ReadOnlyMemory<byte> lines, CancellationToken timeout)
    {
        while (!lines.IsEmpty)
        {
            var line = NextLine(ref lines);
            if (!line.IsEmpty)
            {
                await _socket.SendAsync(line, WebSocketMessageType.Text, endOfMessage: true, timeout).ConfigureAwait(false);
            }
        }
    }

    // The line up to the next line feed (without it), or the rest when there is none; rest moves past it.
    private static ReadOnlyMemory<byte> NextLine(ref ReadOnlyMemory<byte> rest)
    {
        var newline = rest.Span.IndexOf((byte)'\n');
        var line = newline < 0 ? rest : rest[..newline];
        rest = newline < 0 ? ReadOnlyMemory<byte>.Empty : rest[(newline + 1)..];
        return line;
    }

    /// <inheritdoc/>
    public async Task<IReadOnlyList<Inbound>> ReceiveAsync(CancellationToken cancellationToken)
    {
        var message = _message;
        message.ResetWrittenCount();
        while (true)
        {
            ValueWebSocketReceiveResult result;
            try
            {
                result = await _socket.ReceiveAsync(_chunk.AsMemory(), cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is WebSocketException or IOException or ObjectDisposedException)
            {
                throw new ChannelClosedException(ex.Message, ex);
            }

            if (result.MessageType == WebSocketMessageType.Close)
            {
                await CloseQuietly(WebSocketCloseStatus.NormalClosure, null).ConfigureAwait(false);
                return [];
            }

            if (result.MessageType == WebSocketMessageType.Binary)
            {
                throw new FramingViolationException($"{Peer} sent a binary frame")
                {
                    Reply = new ErrorMessage(ErrorCodes.MalformedJson, "messages are JSON in text frames; disconnecting"),
                };
            }

            if (message.WrittenCount + result.Count > _maxMessage)
            {
                throw new FramingViolationException($"{Peer} sent a message longer than {_maxMessage} bytes")
                {
                    Reply = new ErrorMessage(ErrorCodes.LineTooLong, $"a message is longer than {_maxMessage} bytes; disconnecting"),
                };
            }

            message.Write(_chunk.AsSpan(0, result.Count));
            if (result.EndOfMessage && message.WrittenCount > 0)
            {
                return [Inbound.Parse(message.WrittenSpan)];
            }
        }
    }

    /// <summary>Ends the connection with a close frame (RFC 6455 §5.5.1), without waiting long for the peer.</summary>
    public async Task CloseQuietly(WebSocketCloseStatus status, string? reason)
    {
        if (_socket.State is not (WebSocketState.Open or WebSocketState.CloseReceived))
        {
            return;
        }

        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(2), _time);
        try
        {
            await _socket.CloseOutputAsync(status, reason, limit.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is WebSocketException or IOException or OperationCanceledException or ObjectDisposedException)
        {
            // the peer is already gone
        }
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        await CloseQuietly(WebSocketCloseStatus.NormalClosure, null).ConfigureAwait(false);
        _socket.Dispose();
        _writes.Dispose();
    }
}
