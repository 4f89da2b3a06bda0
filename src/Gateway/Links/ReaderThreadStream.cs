using System.Net.Sockets;

namespace Gateway.Links;

/// <summary>
/// A connected socket as a stream whose reads all happen on one thread of its own, blocked in poll(2) until bytes
/// arrive: the kernel wakes that thread directly, and what the reader does with the bytes (a session's receive loop,
/// a command run inline, its reply) goes on there. Through the runtime's sockets the same arrival woke the event-loop
/// thread, which woke a thread-pool worker, which woke a second one (the pool's rule on taking a work item): three
/// hand-overs, each a context switch, which a virtual machine and a small board make dear (docs/benchmarks.md, the
/// command round trip).
/// </summary>
/// <remarks>
/// A read asked for on another thread is handed to the reader thread and its continuation runs there, so a receive
/// loop that once waited elsewhere (a reply queued behind the live feed's write) comes back to the reader thread at
/// its next read. A cancelled read shuts the socket's receiving side (the only way to wake a thread blocked in poll):
/// the connection reads nothing more, which is what every caller does after a cancelled read (the session ends). The
/// thread starts at the first read (a connection refused at once costs none) and ends with the stream. Writes are the
/// runtime's (<see cref="NetworkStream"/>). Owns the socket. One read at a time, as a <see cref="Stream"/> allows.
/// </remarks>
internal sealed class ReaderThreadStream : Stream
{
    private readonly Socket _socket;
    private readonly NetworkStream _writes;
    private readonly object _gate = new();
    private Thread? _thread;
    private PendingRead? _pending;
    private bool _disposed;

    /// <summary>Wraps <paramref name="socket"/>, connected, which the stream owns from here on.</summary>
    public ReaderThreadStream(Socket socket)
    {
        _socket = socket ?? throw new ArgumentNullException(nameof(socket));
        _writes = new NetworkStream(socket, ownsSocket: true);
    }

    /// <summary>The thread the reads happen on (null until the first read); for tests.</summary>
    internal Thread? ReaderThread => _thread;

    /// <inheritdoc/>
    public override bool CanRead => true;

    /// <inheritdoc/>
    public override bool CanWrite => true;

    /// <inheritdoc/>
    public override bool CanSeek => false;

    /// <inheritdoc/>
    public override long Length => throw new NotSupportedException();

    /// <inheritdoc/>
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    /// <inheritdoc/>
    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (Thread.CurrentThread == _thread)
        {
            try
            {
                return new ValueTask<int>(ReadHere(buffer.Span, cancellationToken)); // the usual case: blocks this thread only
            }
            catch (Exception ex)
            {
                return ValueTask.FromException<int>(ex);
            }
        }

        // Continuations run where the read completes, the reader thread: RunContinuationsAsynchronously left off on purpose.
        var read = new PendingRead(buffer, new TaskCompletionSource<int>(), cancellationToken);
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_pending is not null)
            {
                throw new InvalidOperationException("a read is already pending on this stream");
            }

            _pending = read;
            if (_thread is null)
            {
                _thread = new Thread(Run) { IsBackground = true, Name = "listener read" };
                _thread.Start();
            }
            else
            {
                Monitor.Pulse(_gate);
            }
        }

        return new ValueTask<int>(read.Done.Task);
    }

    /// <inheritdoc/>
    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    /// <inheritdoc/>
    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    /// <inheritdoc/>
    public override int Read(Span<byte> buffer) => ReadHere(buffer, CancellationToken.None);

    /// <inheritdoc/>
    public override void Write(byte[] buffer, int offset, int count) => _writes.Write(buffer, offset, count);

    /// <inheritdoc/>
    public override void Write(ReadOnlySpan<byte> buffer) => _writes.Write(buffer);

    /// <inheritdoc/>
    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) => _writes.WriteAsync(buffer, cancellationToken);

    /// <inheritdoc/>
    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => _writes.WriteAsync(buffer, offset, count, cancellationToken);

    /// <inheritdoc/>
    public override void Flush() => _writes.Flush();

    /// <inheritdoc/>
    public override Task FlushAsync(CancellationToken cancellationToken) => _writes.FlushAsync(cancellationToken);

    /// <inheritdoc/>
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    /// <inheritdoc/>
    public override void SetLength(long value) => throw new NotSupportedException();

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            PendingRead? orphan;
            lock (_gate)
            {
                if (_disposed)
                {
                    return;
                }

                _disposed = true;
                orphan = _pending;
                _pending = null;
                Monitor.Pulse(_gate);
            }

            StopReading(); // wakes the reader thread if it waits in poll
            _writes.Dispose();
            orphan?.Done.TrySetException(new ObjectDisposedException(nameof(ReaderThreadStream)));
        }

        base.Dispose(disposing);
    }

    // The reader thread: takes each read handed to it, does it, and completes it, which runs the caller's continuation
    // here (and with it, usually, every later read), until the stream is disposed.
    private void Run()
    {
        while (true)
        {
            PendingRead read;
            lock (_gate)
            {
                while (_pending is null && !_disposed)
                {
                    Monitor.Wait(_gate);
                }

                if (_pending is null)
                {
                    return;
                }

                read = _pending;
                _pending = null;
            }

            int n;
            try
            {
                n = ReadHere(read.Buffer.Span, read.Token);
            }
            catch (OperationCanceledException ex)
            {
                read.Done.TrySetCanceled(ex.CancellationToken);
                continue;
            }
#pragma warning disable CA1031 // whatever a read throws goes to its reader: on this thread it would end the process
            catch (Exception ex)
#pragma warning restore CA1031
            {
                read.Done.TrySetException(ex);
                continue;
            }

            read.Done.TrySetResult(n);
        }
    }

    private int ReadHere(Span<byte> buffer, CancellationToken token)
    {
        token.ThrowIfCancellationRequested();
        using var registration = token.CanBeCanceled ? token.UnsafeRegister(static s => ((ReaderThreadStream)s!).StopReading(), this) : default;
        try
        {
            _socket.Poll(-1, SelectMode.SelectRead); // poll(2): bytes, the peer's end, an error, or StopReading
            token.ThrowIfCancellationRequested();
            return _socket.Receive(buffer); // ready: the runtime's receive takes it without waiting
        }
        catch (SocketException ex)
        {
            throw new IOException($"the connection failed: {ex.Message}", ex);
        }
    }

    private void StopReading()
    {
        try
        {
            _socket.Shutdown(SocketShutdown.Receive);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            // already closed or never connected: nothing waits to be woken
        }
    }

    private sealed record PendingRead(Memory<byte> Buffer, TaskCompletionSource<int> Done, CancellationToken Token);
}
