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
    private readonly TimeSpan _writeTimeout;
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly ArrayBufferWriter<byte> _output = new(512);

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
        _writeTimeout = writeTimeout;
        _time = time ?? TimeProvider.System;
        _reader = PipeReader.Create(stream, new StreamPipeReaderOptions(leaveOpen: true));
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
            MessageWriter.WriteLine(message, _output);
            await WriteAsync(_output.WrittenMemory, cancellationToken).ConfigureAwait(false);
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
            await WriteAsync(lines, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    // Under the write lock. A write cancelled by the deadline may end in an IOException (the socket is aborted): that is
    // the peer not reading too.
    private async Task WriteAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken)
    {
        using var deadline = new CancellationTokenSource(_writeTimeout, _time);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        try
        {
            await _stream.WriteAsync(bytes, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested
            && ex is OperationCanceledException or IOException or SocketException or ObjectDisposedException)
        {
            throw new ChannelStalledException($"did not read for {_writeTimeout.TotalSeconds:0.###}s (a write of {bytes.Length} bytes did not finish)", ex);
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException)
        {
            throw new ChannelClosedException(ex.Message, ex);
        }
    }

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
        _writeLock.Dispose();
    }
}
