using System.Buffers;
using System.Net.Sockets;
using System.Net.WebSockets;

namespace Gateway.Protocol.Transport;

/// <summary>
/// The send side every channel shares: one send at a time (a lock), a message encoded into a reused buffer, and each
/// write bounded by the write timeout on the channel's clock. A write the peer does not take in time is a
/// <see cref="ChannelStalledException"/>; a broken connection a <see cref="ChannelClosedException"/>. The channel
/// supplies only how bytes reach its transport (a stream write, or one WebSocket frame per line).
/// </summary>
internal sealed class ChannelWrites : IDisposable
{
    private readonly Func<ReadOnlyMemory<byte>, CancellationToken, Task> _write;
    private readonly bool _newline;
    private readonly TimeSpan _writeTimeout;
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _lock = new(1, 1);
    private readonly ArrayBufferWriter<byte> _output = new(512);

    /// <param name="write">Writes bytes to the transport (called under the lock, with the write timeout's token).</param>
    /// <param name="newline">Whether an encoded message ends in a line feed (NDJSON) or not (one message per frame).</param>
    /// <param name="writeTimeout">How long a write may wait for the peer to read.</param>
    /// <param name="time">The clock of the write timeout.</param>
    public ChannelWrites(Func<ReadOnlyMemory<byte>, CancellationToken, Task> write, bool newline, TimeSpan writeTimeout, TimeProvider time)
    {
        _write = write;
        _newline = newline;
        _writeTimeout = writeTimeout;
        _time = time;
    }

    /// <summary>Encodes and writes <paramref name="message"/>.</summary>
    public async Task SendAsync(Message message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        await _lock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            _output.Clear();
            if (_newline)
            {
                MessageWriter.WriteLine(message, _output);
            }
            else
            {
                MessageWriter.Write(message, _output);
            }

            await WriteAsync(_output.WrittenMemory, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _lock.Release();
        }
    }

    /// <summary>Writes lines already encoded (each ending in a line feed).</summary>
    public async Task SendLinesAsync(ReadOnlyMemory<byte> lines, CancellationToken cancellationToken)
    {
        await _lock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await WriteAsync(lines, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _lock.Release();
        }
    }

    /// <inheritdoc/>
    public void Dispose() => _lock.Dispose();

    // Under the lock. A write cancelled by the deadline may end in an IOException or a WebSocketException (the
    // transport is aborted): that is the peer not reading too.
    private async Task WriteAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken)
    {
        using var deadline = new CancellationTokenSource(_writeTimeout, _time);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        try
        {
            await _write(bytes, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested
            && ex is OperationCanceledException or IOException or SocketException or WebSocketException or ObjectDisposedException)
        {
            throw new ChannelStalledException($"did not read for {_writeTimeout.TotalSeconds:0.###}s (a write of {bytes.Length} bytes did not finish)", ex);
        }
        catch (Exception ex) when (ex is IOException or SocketException or WebSocketException or ObjectDisposedException)
        {
            throw new ChannelClosedException(ex.Message, ex);
        }
    }
}
