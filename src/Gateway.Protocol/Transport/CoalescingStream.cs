using System.Buffers;

namespace Gateway.Protocol.Transport;

/// <summary>
/// A stream that, while held (<see cref="Hold"/>), collects what is written to it and hands it to the stream beneath
/// in one write on <see cref="ReleaseAsync"/>. Under a WebSocket (or the TLS stream a WebSocket writes through), a
/// batch of messages then reaches the socket in one system call instead of one per frame, while each message is still
/// its own frame (docs/protocol.md, Framing). Reads pass straight through. Writes from another task while held (a
/// WebSocket answering a ping) join the collected bytes in order; writes to the stream beneath never overlap.
/// </summary>
public sealed class CoalescingStream : Stream
{
    private readonly Stream _inner;
    private readonly Lock _lock = new();
    private readonly SemaphoreSlim _writing = new(1, 1);
    private ArrayBufferWriter<byte> _held = new(64 * 1024);
    private ArrayBufferWriter<byte> _spare = new(64 * 1024);
    private bool _holding;

    /// <summary>Wraps <paramref name="inner"/>, which this stream owns.</summary>
    public CoalescingStream(Stream inner) => _inner = inner ?? throw new ArgumentNullException(nameof(inner));

    /// <inheritdoc/>
    public override bool CanRead => _inner.CanRead;

    /// <inheritdoc/>
    public override bool CanSeek => false;

    /// <inheritdoc/>
    public override bool CanWrite => _inner.CanWrite;

    /// <inheritdoc/>
    public override long Length => throw new NotSupportedException();

    /// <inheritdoc/>
    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    /// <summary>From now until <see cref="ReleaseAsync"/>, writes are collected instead of sent.</summary>
    public void Hold()
    {
        lock (_lock)
        {
            _holding = true;
        }
    }

    /// <summary>Sends everything collected since <see cref="Hold"/> in one write, and stops collecting.</summary>
    public async Task ReleaseAsync(CancellationToken cancellationToken)
    {
        await _writing.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ArrayBufferWriter<byte> held;
            lock (_lock)
            {
                held = _held;
                (_held, _spare) = (_spare, _held);
                _holding = false;
            }

            try
            {
                if (held.WrittenCount > 0)
                {
                    await _inner.WriteAsync(held.WrittenMemory, cancellationToken).ConfigureAwait(false);
                    await _inner.FlushAsync(cancellationToken).ConfigureAwait(false);
                }
            }
            finally
            {
                held.ResetWrittenCount();
            }
        }
        finally
        {
            _writing.Release();
        }
    }

    /// <inheritdoc/>
    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (TryCollect(buffer.Span))
        {
            return;
        }

        await _writing.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await _inner.WriteAsync(buffer, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _writing.Release();
        }
    }

    /// <inheritdoc/>
    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    /// <inheritdoc/>
    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    /// <inheritdoc/>
    public override void Write(ReadOnlySpan<byte> buffer)
    {
        if (TryCollect(buffer))
        {
            return;
        }

        _writing.Wait();
        try
        {
            _inner.Write(buffer);
        }
        finally
        {
            _writing.Release();
        }
    }

    /// <inheritdoc/>
    public override Task FlushAsync(CancellationToken cancellationToken) => _holding ? Task.CompletedTask : _inner.FlushAsync(cancellationToken);

    /// <inheritdoc/>
    public override void Flush()
    {
        if (!_holding)
        {
            _inner.Flush();
        }
    }

    /// <inheritdoc/>
    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => _inner.ReadAsync(buffer, cancellationToken);

    /// <inheritdoc/>
    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => _inner.ReadAsync(buffer, offset, count, cancellationToken);

    /// <inheritdoc/>
    public override int Read(byte[] buffer, int offset, int count) => _inner.Read(buffer, offset, count);

    /// <inheritdoc/>
    public override int Read(Span<byte> buffer) => _inner.Read(buffer);

    /// <inheritdoc/>
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    /// <inheritdoc/>
    public override void SetLength(long value) => throw new NotSupportedException();

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _inner.Dispose();
            _writing.Dispose();
        }

        base.Dispose(disposing);
    }

    /// <inheritdoc/>
    public override async ValueTask DisposeAsync()
    {
        await _inner.DisposeAsync().ConfigureAwait(false);
        _writing.Dispose();
        await base.DisposeAsync().ConfigureAwait(false);
    }

    private bool TryCollect(ReadOnlySpan<byte> bytes)
    {
        lock (_lock)
        {
            if (!_holding)
            {
                return false;
            }

            _held.Write(bytes);
            return true;
        }
    }
}
