using System.Collections.Concurrent;
using System.Net.Sockets;
using System.Text.Json;

namespace Gateway.Hardware.Remote;

/// <summary>
/// The client end of the firmware-sim socket: sends requests, matches responses by id, hands pushed events to
/// <see cref="EventReceived"/>. Connects lazily and again after the connection drops; every waiter is failed
/// with the cause when it does. Synchronous calls (the I2C and GPIO APIs are synchronous) block with a timeout.
/// </summary>
public sealed class RemoteConnection : IDisposable
{
    private readonly string _socketPath;
    private readonly TimeSpan _timeout;
    private readonly ConcurrentDictionary<long, TaskCompletionSource<RemoteResponse>> _pending = new();
    private readonly Lock _connectLock = new();
    private long _nextId;
    private Socket? _socket;
    private LineStream? _lines;
    private CancellationTokenSource? _readerStop;
    private bool _disposed;

    /// <summary>Creates a connection to the Unix socket at <paramref name="socketPath"/>; nothing is sent until the first request.</summary>
    public RemoteConnection(string socketPath, TimeSpan timeout)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(socketPath);
        _socketPath = socketPath;
        _timeout = timeout;
    }

    /// <summary>
    /// An event pushed by the simulator (e.g. a GPIO edge); raised on the reader's thread. Handlers must not throw:
    /// an exception from one drops the connection (its waiters fail with it as the cause; the next request reconnects).
    /// <see cref="RemoteGpioDriver"/> catches what its edge callbacks throw, so they never reach this.
    /// </summary>
    public event Action<RemoteResponse>? EventReceived;

    /// <summary>Raised after a new connection is made (not the first), so that state such as open lines can be restored.</summary>
    public event Action? Reconnected;

    /// <summary>The socket path, for messages.</summary>
    public string SocketPath => _socketPath;

    /// <summary>Sends a request and waits for its response; an error response becomes the matching typed exception.</summary>
    /// <param name="request">The request; its id is assigned here.</param>
    /// <param name="device">The device the request concerns, for error messages (e.g. <c>i2c-1@0x76</c>).</param>
    public RemoteResponse Call(RemoteRequest request, string device)
    {
        ArgumentNullException.ThrowIfNull(request);
        var response = Send(request, device);
        return response.Ok ? response : throw RemoteErrors.ToException(response.Error, response.Message, device);
    }

    private RemoteResponse Send(RemoteRequest request, string device)
    {
        var lines = EnsureConnected(device);
        var id = Interlocked.Increment(ref _nextId);
        var waiter = new TaskCompletionSource<RemoteResponse>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[id] = waiter;
        try
        {
            var json = JsonSerializer.Serialize(request with { Id = id }, RemoteJsonContext.Default.RemoteRequest);
            lines.WriteLineAsync(json, CancellationToken.None).AsTask().GetAwaiter().GetResult();
            // WaitAny, not Wait: Wait throws a faulted task's exception wrapped in an AggregateException, so a waiter
            // failed by Drop reached the caller as that instead of the HardwareException naming the cause.
            if (Task.WaitAny([waiter.Task], _timeout) < 0)
            {
                throw new BusTimeoutException($"firmware-sim at {_socketPath} did not answer {request.Op} for {device} within {_timeout.TotalSeconds:0.#}s", device);
            }

            return waiter.Task.GetAwaiter().GetResult();
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException && ex is not HardwareException)
        {
            Drop(ex);
            throw new HardwareException($"firmware-sim connection at {_socketPath} failed during {request.Op} for {device}: {ex.Message}", device, null, ex);
        }
        finally
        {
            _pending.TryRemove(id, out _);
        }
    }

    private LineStream EnsureConnected(string device)
    {
        lock (_connectLock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_lines is not null)
            {
                return _lines;
            }

            var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            try
            {
                socket.Connect(new UnixDomainSocketEndPoint(_socketPath));
            }
            catch (SocketException ex)
            {
                socket.Dispose();
                throw new DeviceNotFoundException(
                    $"cannot reach firmware-sim at {_socketPath} ({ex.SocketErrorCode}): is it running? start it with 'firmware-sim serve --socket {_socketPath}'",
                    device, (int)ex.SocketErrorCode);
            }

            var reconnect = _socket is not null || Volatile.Read(ref _nextId) > 0;
            _socket = socket;
            _lines = new LineStream(new NetworkStream(socket, ownsSocket: true));
            _readerStop = new CancellationTokenSource();
            var lines = _lines;
            var stop = _readerStop.Token;
            _ = Task.Run(() => ReadLoop(lines, stop), CancellationToken.None);
            if (reconnect)
            {
                // Restore state (open lines, subscriptions) before any other request goes out on the new connection.
                // The handlers call Call(), which re-enters this (reentrant) lock and finds the connection ready.
                Reconnected?.Invoke();
            }

            return lines;
        }
    }

    private async Task ReadLoop(LineStream lines, CancellationToken stop)
    {
        Exception cause = new IOException($"firmware-sim at {_socketPath} closed the connection");
        try
        {
            while (await lines.ReadLineAsync(stop).ConfigureAwait(false) is { } line)
            {
                RemoteResponse? message;
                try
                {
                    message = RemoteWire.ParseResponse(line);
                }
                catch (InvalidDataException ex)
                {
                    cause = ex;
                    break;
                }

                if (message is null)
                {
                    continue;
                }

                if (message.Id is { } id)
                {
                    if (_pending.TryGetValue(id, out var waiter))
                    {
                        waiter.TrySetResult(message);
                    }
                }
                else if (message.Event is not null)
                {
                    try
                    {
                        EventReceived?.Invoke(message);
                    }
#pragma warning disable CA1031 // deliberate: whatever a handler throws ends this connection visibly (below), never the reader silently
                    catch (Exception ex)
#pragma warning restore CA1031
                    {
                        cause = new InvalidOperationException($"a handler of the firmware-sim '{message.Event}' event threw {ex.GetType().Name}: {ex.Message}", ex);
                        break;
                    }
                }
            }
        }
#pragma warning disable CA1031 // deliberate: see below
        catch (Exception ex)
#pragma warning restore CA1031
        {
            // The socket failed or closed (IOException, SocketException, ObjectDisposedException), the reader was
            // stopped (OperationCanceledException), a line was not the protocol (InvalidDataException) — or anything
            // else. Whatever it was, the connection is dropped with it as the cause: every waiter fails with it now and
            // the next request reconnects. A reader that faulted without dropping would leave every later request to
            // wait out its timeout on a connection nobody reads.
            cause = ex;
        }

        Drop(cause, lines);
    }

    // Tears the connection down and fails every waiter with the cause; the next request reconnects.
    private void Drop(Exception cause, LineStream? only = null)
    {
        LineStream? lines;
        lock (_connectLock)
        {
            if (_lines is null || (only is not null && !ReferenceEquals(only, _lines)))
            {
                return;
            }

            lines = _lines;
            _lines = null;
            _readerStop?.Cancel();
            _readerStop?.Dispose();
            _readerStop = null;
        }

        foreach (var waiter in _pending.Values)
        {
            waiter.TrySetException(new HardwareException($"firmware-sim connection at {_socketPath} lost: {cause.Message}", cause));
        }

        _ = lines.DisposeAsync().AsTask();
    }

    /// <summary>Closes the connection; pending calls fail.</summary>
    public void Dispose()
    {
        lock (_connectLock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
        }

        Drop(new ObjectDisposedException(nameof(RemoteConnection)));
    }
}
