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
    private readonly byte[] _chunk = new byte[16 * 1024];
    private readonly ArrayBufferWriter<byte> _message = new(1024); // reused: one receive at a time, and the parse copies what it keeps

    /// <summary>Creates the channel over an open <paramref name="socket"/>, which it closes and disposes.</summary>
    /// <param name="socket">The WebSocket, client or server side.</param>
    /// <param name="peer">Who is at the other end, for messages.</param>
    /// <param name="maxMessage">The longest message accepted from the peer, in bytes, however many frames it spans.</param>
    /// <param name="writeTimeout">How long a send may wait for the peer to read.</param>
    /// <param name="time">The clock of the write and close timeouts; the system's by default.</param>
    /// <param name="coalesce">The stream under the socket, when it is one: a batch of messages then reaches it in one write.</param>
    public WebSocketChannel(WebSocket socket, string peer, int maxMessage, TimeSpan writeTimeout, TimeProvider? time = null, CoalescingStream? coalesce = null)
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
    // Over a coalescing stream the frames are collected and reach the socket in one write.
    private async Task WriteFramesAsync(ReadOnlyMemory<byte> lines, CancellationToken timeout)
    {
        if (_coalesce is null)
        {
            await SendFramesAsync(lines, timeout).ConfigureAwait(false);
            return;
        }

        _coalesce.Hold();
        try
        {
            await SendFramesAsync(lines, timeout).ConfigureAwait(false);
        }
        finally
        {
            await _coalesce.ReleaseAsync(timeout).ConfigureAwait(false);
        }
    }

    private async Task SendFramesAsync(ReadOnlyMemory<byte> lines, CancellationToken timeout)
    {
        while (!lines.IsEmpty)
        {
            var newline = lines.Span.IndexOf((byte)'\n');
            var line = newline < 0 ? lines : lines[..newline];
            lines = newline < 0 ? ReadOnlyMemory<byte>.Empty : lines[(newline + 1)..];
            if (!line.IsEmpty)
            {
                await _socket.SendAsync(line, WebSocketMessageType.Text, endOfMessage: true, timeout).ConfigureAwait(false);
            }
        }
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
