using System.Buffers;
using System.IO.Pipelines;
using System.Net.Sockets;

namespace Gateway.Protocol.Transport;

/// <summary>
/// Protocol messages as NDJSON over a byte stream (TCP, TLS, or any <see cref="Stream"/>): lines framed by
/// <see cref="NdjsonFraming"/>, at most <c>maxLineLength</c> bytes each; a write that the peer does not take within
/// <c>writeTimeout</c> ends the connection. Owns the stream.
/// </summary>
public sealed class NdjsonChannel : IMessageChannel
{
    private readonly Stream _stream;
    private readonly PipeReader _reader;
    private readonly int _maxLineLength;
    private readonly ChannelWrites _writes;

    /// <summary>Creates the channel over <paramref name="stream"/>, which it disposes.</summary>
    /// <param name="stream">The connection, readable and writable.</param>
    /// <param name="peer">Who is at the other end, for messages.</param>
    /// <param name="maxLineLength">The longest line accepted from the peer, in bytes (without the line feed).</param>
    /// <param name="writeTimeout">How long a send may wait for the peer to read.</param>
    /// <param name="time">The clock of the write timeout; the system's by default.</param>
    public NdjsonChannel(Stream stream, string peer, int maxLineLength, TimeSpan writeTimeout, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(peer);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxLineLength, 1);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(writeTimeout, TimeSpan.Zero);
        _stream = stream;
        Peer = peer;
        _maxLineLength = maxLineLength;
        _writes = new ChannelWrites((bytes, token) => _stream.WriteAsync(bytes, token).AsTask(), newline: true, writeTimeout, time ?? TimeProvider.System);
        _reader = PipeReader.Create(stream, new StreamPipeReaderOptions(leaveOpen: true));
    }

    /// <inheritdoc/>
    public string Peer { get; }

    /// <inheritdoc/>
    public Task SendAsync(Message message, CancellationToken cancellationToken) => _writes.SendAsync(message, cancellationToken);

    /// <inheritdoc/>
    public Task SendLinesAsync(ReadOnlyMemory<byte> lines, CancellationToken cancellationToken) => _writes.SendLinesAsync(lines, cancellationToken);

    /// <inheritdoc/>
    public async Task<IReadOnlyList<Inbound>> ReceiveAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            ReadResult result;
            try
            {
                result = await _reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException)
            {
                throw new ChannelClosedException(ex.Message, ex);
            }

            var buffer = result.Buffer;
            var messages = new List<Inbound>();
            while (true)
            {
                var status = NdjsonFraming.TryReadLine(ref buffer, _maxLineLength, out var line);
                if (status == LineStatus.Incomplete)
                {
                    break;
                }

                if (status == LineStatus.TooLong)
                {
                    if (messages.Count > 0)
                    {
                        // Hand over the whole lines before it first; the next call meets the long line at once
                        // (examined = consumed, so the read does not wait for more bytes).
                        _reader.AdvanceTo(buffer.Start);
                        return messages;
                    }

                    _reader.AdvanceTo(buffer.Start, buffer.End);
                    throw new FramingViolationException($"{Peer} sent a line longer than {_maxLineLength} bytes")
                    {
                        Reply = new ErrorMessage(ErrorCodes.LineTooLong, $"a line is longer than {_maxLineLength} bytes; disconnecting"),
                    };
                }

                if (!line.IsEmpty)
                {
                    messages.Add(Inbound.Parse(line));
                }
            }

            _reader.AdvanceTo(buffer.Start, buffer.End);
            if (messages.Count > 0)
            {
                return messages;
            }

            if (result.IsCompleted)
            {
                return [];
            }
        }
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        await _reader.CompleteAsync().ConfigureAwait(false);
        await _stream.DisposeAsync().ConfigureAwait(false);
        _writes.Dispose();
    }
}
