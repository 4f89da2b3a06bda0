using System.Net.WebSockets;

namespace Gateway.Links;

/// <summary>
/// Presents a WebSocket as a stream of NDJSON lines, so the upstream link's logic serves both transports: each line
/// written goes out as one text frame (the protocol's WebSocket framing: one message per frame), and each message
/// received comes back as its bytes followed by a newline.
/// </summary>
internal sealed class WebSocketLineStream : Stream
{
    private readonly WebSocket _socket;
    private readonly int _maxMessage;
    private readonly byte[] _chunk = new byte[16 * 1024]; // reused: one receive at a time, and a fresh 16 KiB per message cost ~500 B per reading in acks alone
    private byte[] _pending = [];
    private int _pendingOffset;

    public WebSocketLineStream(WebSocket socket, int maxMessage)
    {
        _socket = socket;
        _maxMessage = maxMessage;
    }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        while (!buffer.IsEmpty)
        {
            var newline = buffer.Span.IndexOf((byte)'\n');
            var line = newline < 0 ? buffer : buffer[..newline];
            await _socket.SendAsync(line, WebSocketMessageType.Text, endOfMessage: true, cancellationToken).ConfigureAwait(false);
            buffer = newline < 0 ? ReadOnlyMemory<byte>.Empty : buffer[(newline + 1)..];
        }
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_pendingOffset >= _pending.Length)
        {
            var message = await ReceiveMessageAsync(cancellationToken).ConfigureAwait(false);
            if (message is null)
            {
                return 0; // the peer closed the WebSocket
            }

            _pending = message;
            _pendingOffset = 0;
        }

        var n = Math.Min(buffer.Length, _pending.Length - _pendingOffset);
        _pending.AsMemory(_pendingOffset, n).CopyTo(buffer);
        _pendingOffset += n;
        return n;
    }

    // One whole message plus a newline; a message over the limit is cut at the limit (the line framer then refuses it).
    private async Task<byte[]?> ReceiveMessageAsync(CancellationToken cancellationToken)
    {
        using var message = new MemoryStream();
        while (true)
        {
            var result = await _socket.ReceiveAsync(_chunk.AsMemory(), cancellationToken).ConfigureAwait(false);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                // Complete the closing handshake (RFC 6455 §5.5.1) before the connection goes.
                try
                {
                    await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, cancellationToken).ConfigureAwait(false);
                }
                catch (WebSocketException)
                {
                    // the peer is already gone
                }

                return null;
            }

            if (message.Length <= _maxMessage)
            {
                message.Write(_chunk, 0, result.Count);
            }

            if (result.EndOfMessage)
            {
                message.WriteByte((byte)'\n');
                return message.ToArray();
            }
        }
    }

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override void Write(byte[] buffer, int offset, int count) => WriteAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _socket.Dispose();
        }

        base.Dispose(disposing);
    }
}
