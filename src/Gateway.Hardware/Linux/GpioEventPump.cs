using Gateway.Hardware.Interop;

namespace Gateway.Hardware.Linux;

/// <summary>
/// Reads GPIO edge events for the line requests of one chip on one thread: it poll()s the watched request
/// descriptors together with an eventfd, reads whole 48-byte gpio_v2_line_event records from the ready ones
/// (Documentation/userspace-api/gpio/gpio-v2-line-event-read.rst) and hands each to its watcher.
/// <para>
/// The eventfd is how the thread is told that the set changed or that it must stop: a write makes it readable and
/// poll() returns. <see cref="Unwatch"/> waits until the thread is no longer polling the descriptor, and the thread
/// only reads a descriptor after checking, under the same lock, that it is still watched; so once
/// <see cref="Unwatch"/> returns the owner may close the descriptor, and a number the kernel reuses for another file
/// is never read by mistake. Handlers run on the thread, outside every lock, and may call back into the driver
/// (even <see cref="Unwatch"/> or <see cref="Dispose"/>). An exception from a handler is caught for that record alone
/// and written to standard error: the thread, the rest of the read and the other descriptors carry on. (The driver's
/// handler already catches what its edge callbacks throw, through <see cref="Gpio.GpioLineDriver"/>, so reaching this is a
/// bug of the driver; the thread must not die of it, which would end the process and every line's edges with it.)
/// </para>
/// </summary>
internal sealed unsafe class GpioEventPump : IDisposable
{
    private const int RecordsPerRead = 16;
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(5);

    private readonly string _name;
    private readonly object _gate = new();
    private readonly Dictionary<int, Watcher> _watchers = [];
    private int _wakeFd;
    private Thread? _thread;
    private Watcher[]? _polling;
    private int _version; // changes whenever _watchers does, so the thread rebuilds its poll set only then
    private bool _stopping;
    private bool _threadExited;
    private HardwareException? _fault;

    /// <summary>Creates the pump (its thread starts with the first watch).</summary>
    /// <param name="name">The chip, for errors and the thread's name.</param>
    /// <exception cref="HardwareException">eventfd() failed.</exception>
    public GpioEventPump(string name)
    {
        _name = name;
        _wakeFd = Libc.eventfd(0, Libc.EFD_CLOEXEC | Libc.EFD_NONBLOCK);
        if (_wakeFd < 0)
        {
            throw Errno.ToException(Errno.Last, "eventfd", name);
        }
    }

    /// <summary>Whether the thread is inside poll() (for tests).</summary>
    internal bool IsPolling
    {
        get
        {
            lock (_gate)
            {
                return _polling is not null;
            }
        }
    }

    /// <summary>Whether the thread is inside poll() with <paramref name="fd"/> in its set (for tests).</summary>
    internal bool IsPollingDescriptor(int fd)
    {
        lock (_gate)
        {
            return _polling is not null && Array.Exists(_polling, w => w.Fd == fd);
        }
    }

    /// <summary>Whether the thread is running (for tests).</summary>
    internal bool IsRunning => _thread is { IsAlive: true };

    /// <summary>How many descriptors are watched (a dead one is dropped).</summary>
    internal int WatchCount
    {
        get
        {
            lock (_gate)
            {
                return _watchers.Count;
            }
        }
    }

    /// <summary>
    /// Starts reading events from <paramref name="fd"/> (made non-blocking, so a read never holds the thread outside
    /// poll) and passing each to <paramref name="onEvent"/> on the pump's thread.
    /// </summary>
    /// <exception cref="InvalidOperationException">The descriptor is already watched.</exception>
    /// <exception cref="HardwareException">The descriptor cannot be made non-blocking, or the thread has failed.</exception>
    public void Watch(int fd, Action<GpioLineEvent> onEvent)
    {
        ArgumentNullException.ThrowIfNull(onEvent);
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_stopping, this);
            if (_fault is not null)
            {
                throw new HardwareException($"the GPIO event thread of {_name} has stopped: {_fault.Message}", _name, _fault.Errno, _fault);
            }

            if (_watchers.ContainsKey(fd))
            {
                throw new InvalidOperationException($"descriptor {fd} is already watched");
            }

            SetNonBlocking(fd);
            _watchers.Add(fd, new Watcher(fd, onEvent));
            _version++;
            if (_thread is null)
            {
                _thread = new Thread(Run) { IsBackground = true, Name = $"GPIO events {_name}" };
                _thread.Start();
            }
            else
            {
                Wake(); // poll again with the new descriptor in the set
            }
        }
    }

    /// <summary>
    /// Stops watching <paramref name="fd"/>. When this returns the thread will not read it again, so the caller may
    /// close it. A handler already running for it may still finish.
    /// </summary>
    /// <returns>Whether it was watched.</returns>
    public bool Unwatch(int fd)
    {
        lock (_gate)
        {
            if (!_watchers.Remove(fd, out var watcher))
            {
                return false;
            }

            _version++;
            watcher.Active = false;
            if (Thread.CurrentThread == _thread)
            {
                return true; // called from a handler: the thread is not in poll and re-checks before every read
            }

            while (_polling is not null && Array.IndexOf(_polling, watcher) >= 0)
            {
                Wake();
                if (!Monitor.Wait(_gate, StopTimeout) && _thread is not { IsAlive: true })
                {
                    break;
                }
            }

            return true;
        }
    }

    /// <summary>Stops the thread (waking it from poll) and waits for it, unless called from a handler on it.</summary>
    public void Dispose()
    {
        Thread? thread;
        lock (_gate)
        {
            if (_stopping)
            {
                return;
            }

            _stopping = true;
            foreach (var watcher in _watchers.Values)
            {
                watcher.Active = false;
            }

            _watchers.Clear();
            thread = _thread;
            if (thread is null)
            {
                CloseWakeFd();
                return;
            }

            Wake();
        }

        if (thread != Thread.CurrentThread)
        {
            // A handler that never returns would keep the thread; after the timeout it is left to finish on its own
            // (it checks _stopping before touching any descriptor) and closes the eventfd itself on the way out.
            thread.Join(StopTimeout);
        }

        lock (_gate)
        {
            if (_threadExited)
            {
                CloseWakeFd();
            }
        }
    }

    private void Run()
    {
        var buffer = new byte[RecordsPerRead * GpioLineEvent.Size];
        Watcher[] set = [];
        Libc.pollfd[] fds = [];
        var version = -1;
        try
        {
            while (true)
            {
                lock (_gate)
                {
                    if (_stopping)
                    {
                        return;
                    }

                    if (version != _version)
                    {
                        version = _version;
                        set = [.. _watchers.Values];
                        fds = new Libc.pollfd[set.Length + 1];
                        fds[0] = new Libc.pollfd { fd = _wakeFd, events = Libc.POLLIN };
                        for (var i = 0; i < set.Length; i++)
                        {
                            fds[i + 1] = new Libc.pollfd { fd = set[i].Fd, events = Libc.POLLIN };
                        }
                    }

                    _polling = set;
                }

                int ready;
                fixed (Libc.pollfd* p = fds)
                {
                    ready = Libc.poll(p, (nuint)fds.Length, -1);
                }

                var errno = ready < 0 ? Errno.Last : 0;
                lock (_gate)
                {
                    _polling = null;
                    Monitor.PulseAll(_gate);
                }

                if (ready < 0)
                {
                    if (errno == Errno.EINTR)
                    {
                        continue;
                    }

                    throw Errno.ToException(errno, "poll", _name);
                }

                if (fds[0].revents != 0)
                {
                    DrainWakeFd();
                }

                for (var i = 0; i < set.Length; i++)
                {
                    if (fds[i + 1].revents != 0)
                    {
                        Deliver(set[i], fds[i + 1].revents, buffer);
                    }
                }
            }
        }
        catch (HardwareException ex)
        {
            lock (_gate)
            {
                _fault = ex;
            }
        }
        finally
        {
            lock (_gate)
            {
                _polling = null;
                _threadExited = true;
                if (_stopping)
                {
                    CloseWakeFd();
                }

                Monitor.PulseAll(_gate);
            }
        }
    }

    private void Deliver(Watcher watcher, short revents, byte[] buffer)
    {
        var length = Read(watcher, revents, buffer);
        for (var offset = 0; offset + GpioLineEvent.Size <= length && watcher.Active; offset += GpioLineEvent.Size)
        {
            var record = GpioLineEvent.Parse(buffer.AsSpan(offset, GpioLineEvent.Size));
            try
            {
                watcher.OnEvent(record);
            }
#pragma warning disable CA1031 // deliberate: one handler's failure must not end the thread (see the class remarks)
            catch (Exception ex)
#pragma warning restore CA1031
            {
                Console.Error.WriteLine($"GPIO events {_name}: the handler of descriptor {watcher.Fd} threw on line {record.Offset}'s event {record.LineSeqno}: {ex}");
            }
        }
    }

    private int Read(Watcher watcher, short revents, byte[] buffer)
    {
        lock (_gate)
        {
            // Unwatch (and the owner's close) may have happened since poll returned: never read a descriptor that is
            // no longer ours, its number may already belong to another file.
            if (_stopping || !watcher.Active)
            {
                return 0;
            }

            if ((revents & Libc.POLLIN) != 0)
            {
                nint n;
                fixed (byte* b = buffer)
                {
                    n = Libc.read(watcher.Fd, b, (nuint)buffer.Length);
                }

                if (n > 0)
                {
                    return (int)n;
                }

                if (n < 0 && Errno.Last is Errno.EAGAIN or Errno.EINTR)
                {
                    return 0;
                }
            }

            // POLLERR/POLLHUP/POLLNVAL, end of file or a read error: the descriptor is dead (e.g. the chip was
            // removed). Stop polling it, or poll would return at once for ever. The owner learns of it from its next
            // read or write of the line, which fails with the kernel's errno.
            _watchers.Remove(watcher.Fd);
            _version++;
            watcher.Active = false;
            return 0;
        }
    }

    private void SetNonBlocking(int fd)
    {
        var flags = Libc.fcntl(fd, Libc.F_GETFL, 0);
        if (flags < 0 || Libc.fcntl(fd, Libc.F_SETFL, flags | Libc.O_NONBLOCK) < 0)
        {
            throw Errno.ToException(Errno.Last, "fcntl(O_NONBLOCK)", _name);
        }
    }

    // Called under _gate, so the eventfd cannot be closed in between.
    private void Wake()
    {
        if (_wakeFd < 0)
        {
            return;
        }

        ulong one = 1;
        _ = Libc.write(_wakeFd, &one, sizeof(ulong)); // EAGAIN only when the counter is full: the thread is woken anyway
    }

    // Only the thread reads the eventfd, and it is closed only after the thread has exited (or by the thread itself).
    private void DrainWakeFd()
    {
        ulong count;
        _ = Libc.read(_wakeFd, &count, sizeof(ulong));
    }

    private void CloseWakeFd()
    {
        DeviceFile.Close(_wakeFd);
        _wakeFd = -1;
    }

    private sealed class Watcher(int fd, Action<GpioLineEvent> onEvent)
    {
        public int Fd { get; } = fd;

        public Action<GpioLineEvent> OnEvent { get; } = onEvent;

        public volatile bool Active = true;
    }
}
