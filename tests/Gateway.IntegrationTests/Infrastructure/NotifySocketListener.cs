using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using System.Threading.Channels;

namespace Gateway.IntegrationTests.Infrastructure;

/// <summary>
/// Plays systemd's side of sd_notify: a datagram socket (a path, or an abstract name) that records every
/// assignment the gateway sends, with the time it arrived.
/// </summary>
internal sealed class NotifySocketListener : IDisposable
{
    private readonly Socket _socket;
    private readonly Channel<Notification> _received = Channel.CreateUnbounded<Notification>();
    private readonly List<Notification> _all = [];
    private readonly Lock _lock = new();
    private readonly Task _loop;
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    public readonly record struct Notification(TimeSpan At, string Text);

    private NotifySocketListener(string address, string environmentValue)
    {
        EnvironmentValue = environmentValue;
        _socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        _socket.Bind(new UnixDomainSocketEndPoint(address));
        _loop = Task.Run(ReceiveLoop);
    }

    /// <summary>The value to put in the gateway's NOTIFY_SOCKET.</summary>
    public string EnvironmentValue { get; }

    public static NotifySocketListener AtPath(string path) => new(path, path);

    public static NotifySocketListener Abstract(string name) => new("\0" + name, "@" + name);

    /// <summary>Every assignment received so far (one datagram may carry several lines).</summary>
    public IReadOnlyList<Notification> All
    {
        get
        {
            lock (_lock)
            {
                return [.. _all];
            }
        }
    }

    public TimeSpan Now => _clock.Elapsed;

    /// <summary>Waits for the next assignment matching <paramref name="predicate"/>, skipping others.</summary>
    public async Task<Notification> WaitForAsync(Func<string, bool> predicate, TimeSpan timeout, string what)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            while (true)
            {
                var n = await _received.Reader.ReadAsync(cts.Token);
                if (predicate(n.Text))
                {
                    return n;
                }
            }
        }
        catch (OperationCanceledException)
        {
            Assert.Fail($"no {what} within {timeout.TotalSeconds}s; received: {string.Join(" | ", All.Select(a => a.Text))}");
            throw;
        }
    }

    /// <summary>Waits until any assignment received so far (earlier ones included) matches.</summary>
    public async Task<Notification> WaitForAnyAsync(Func<string, bool> predicate, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            foreach (var n in All)
            {
                if (predicate(n.Text))
                {
                    return n;
                }
            }

            await Task.Delay(20);
        }

        Assert.Fail($"no {what} within {timeout.TotalSeconds}s; received: {string.Join(" | ", All.Select(a => a.Text))}");
        throw new InvalidOperationException();
    }

    public Task<Notification> WaitForAsync(string exact, TimeSpan timeout) => WaitForAsync(t => t == exact, timeout, exact);

    private async Task ReceiveLoop()
    {
        var buffer = new byte[8192];
        while (true)
        {
            int n;
            try
            {
                n = await _socket.ReceiveAsync(buffer, SocketFlags.None);
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
            {
                _received.Writer.TryComplete();
                return;
            }

            var at = _clock.Elapsed;
            foreach (var line in Encoding.UTF8.GetString(buffer, 0, n).Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                var notification = new Notification(at, line);
                lock (_lock)
                {
                    _all.Add(notification);
                }

                _received.Writer.TryWrite(notification);
            }
        }
    }

    public void Dispose()
    {
        _socket.Dispose();
        _loop.Wait(TimeSpan.FromSeconds(5));
    }
}
