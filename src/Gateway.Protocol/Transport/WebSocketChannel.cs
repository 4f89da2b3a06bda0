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
    private readonly TimeSpan _writeTimeout;
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly ArrayBufferWriter<byte> _output = new(512);
    private readonly byte[] _chunk = new byte[16 * 1024];
    private readonly ArrayBufferWriter<byte> _message = new(1024); // reused: one receive at a time, and the parse copies what it keeps

    /// <summary>Creates the channel over an open <paramref name="socket"/>, which it closes and disposes.</summary>
    /// <param name="socket">The WebSocket, client or server side.</param>
    /// <param name="peer">Who is at the other end, for messages.</param>
    /// <param name="maxMessage">The longest message accepted from the peer, in bytes, however many frames it spans.</param>
    /// <param name="writeTimeout">How long a send may wait for the peer to read.</param>
    /// <param name="time">The clock of the write and close timeouts; the system's by default.</param>
    public WebSocketChannel(WebSocket socket, string peer, int maxMessage, TimeSpan writeTimeout, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(socket);
        ArgumentNullException.ThrowIfNull(peer);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxMessage, 1);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(writeTimeout, TimeSpan.Zero);
        _socket = socket;
        Peer = peer;
        _maxMessage = maxMessage;
        _writeTimeout = writeTimeout;
        _time = time ?? TimeProvider.System;
    }

    /// <inheritdoc/>
    public string Peer { get; }

    /// <inheritdoc/>
    public async Task SendAsync(Message message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            _output.Clear();
            MessageWriter.Write(message, _output);
            await WriteFramesAsync(_output.WrittenMemory, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <inheritdoc/>
    public async Task SendLinesAsync(ReadOnlyMemory<byte> lines, CancellationToken cancellationToken)
    {
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await WriteFramesAsync(lines, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    // Under the write lock: one text frame per line (docs/protocol.md, Framing; the line feeds are not sent), all within
    // one write timeout. Cancelling a send aborts the socket (WebSocket.SendAsync), which is what a stall ends in anyway.
    private async Task WriteFramesAsync(ReadOnlyMemory<byte> lines, CancellationToken cancellationToken)
    {
        using var deadline = new CancellationTokenSource(_writeTimeout, _time);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        var total = lines.Length;
        try
        {
            while (!lines.IsEmpty)
            {
                var newline = lines.Span.IndexOf((byte)'\n');
                var line = newline < 0 ? lines : lines[..newline];
                lines = newline < 0 ? ReadOnlyMemory<byte>.Empty : lines[(newline + 1)..];
                if (!line.IsEmpty)
                {
                    await _socket.SendAsync(line, WebSocketMessageType.Text, endOfMessage: true, timeout.Token).ConfigureAwait(false);
                }
            }
        }
        catch (Exception ex) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested
            && ex is OperationCanceledException or WebSocketException or IOException or ObjectDisposedException)
        {
            throw new ChannelStalledException($"did not read for {_writeTimeout.TotalSeconds:0.###}s (a write of {total} bytes did not finish)", ex);
        }
        catch (Exception ex) when (ex is WebSocketException or IOException or ObjectDisposedException)
        {
            throw new ChannelClosedException(ex.Message, ex);
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
        _writeLock.Dispose();
    }
}
