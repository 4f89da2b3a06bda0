using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Gateway.IntegrationTests.Siege;

/// <summary>
/// The hostile upstream the gateway's second TCP link (<c>tcp:hostile</c>) connects to — anyone on the path when TLS is
/// off. On each connection it reads the gateway's lines (noting the last seq) and, paced, sends every hostile line
/// in turn, bogus acks (ahead of what was sent, duplicated, negative), captured signed commands and unsigned ones. Every
/// 20th message it stalls: stops reading for 12 s while pinging every second (a peer that never reads), then hangs
/// up; some connections end with an oversized line. The gateway must reconnect and carry on, and its honest link
/// must not notice.
/// </summary>
internal sealed class HostileUpstream : IAsyncDisposable
{
    private const string Channel = "hostile upstream";
    private static readonly TimeSpan Stall = TimeSpan.FromSeconds(12);
    private readonly SiegeLedger _ledger;
    private readonly SiegeSettings _settings;
    private readonly TcpListener _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _connections = [];
    private readonly TaskCompletionSource _begun = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private CancellationTokenSource? _siege;
    private Task _accepting = Task.CompletedTask;
    private int _accepted;
    private long _lastSeq;

    public HostileUpstream(SiegeLedger ledger, SiegeSettings settings)
    {
        _ledger = ledger;
        _settings = settings;
        _listener = new TcpListener(IPAddress.Loopback, 0);

        // A small receive buffer: when this peer stops reading, the gateway's writes block soon.
        _listener.Server.ReceiveBufferSize = 4096;
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>How many times the gateway's hostile link connected.</summary>
    public int Connections => Volatile.Read(ref _accepted);

    /// <summary>Listens; connections are served quietly (read, never answered) until <see cref="Begin"/>.</summary>
    public void Start()
    {
        _listener.Start();
        _accepting = AcceptAsync(_stop.Token);
    }

    /// <summary>The siege begins: hostile from now until <paramref name="siege"/> ends.</summary>
    public void Begin(CancellationToken siege)
    {
        _siege = CancellationTokenSource.CreateLinkedTokenSource(siege, _stop.Token);
        _begun.TrySetResult();
    }

    private async Task AcceptAsync(CancellationToken token)
    {
        for (var i = 0; i < _settings.MaxIterations && !token.IsCancellationRequested; i++)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptSocketAsync(token);
            }
            catch (Exception ex) when (LoopbackSources.IsHangUp(ex))
            {
                return;
            }

            Interlocked.Increment(ref _accepted);
            lock (_connections)
            {
                _connections.RemoveAll(t => t.IsCompleted);
                _connections.Add(ServeAsync(socket, i, token));
            }
        }
    }

    private async Task ServeAsync(Socket socket, int connection, CancellationToken token)
    {
        using var owned = socket;
        using var ended = CancellationTokenSource.CreateLinkedTokenSource(token);
        var reading = new ManualResetEventSlim(true);
        var reader = ReadAsync(socket, reading, ended.Token);
        var payloads = _settings.Filter(HostilePayloads.Lines(SiegeGateway.Device, SiegeGateway.MaxLineLength));
        var random = new Random(connection);
        try
        {
            await _begun.Task.WaitAsync(ended.Token);
            using var siege = CancellationTokenSource.CreateLinkedTokenSource(ended.Token, _siege!.Token);
            for (var i = 0; i < _settings.MaxIterations && !siege.IsCancellationRequested && !reader.IsCompleted; i++)
            {
                var (kind, bytes) = Next(payloads, random, connection, i);
                if (kind == "stall")
                {
                    await StallAsync(socket, reading, siege.Token);
                    return;
                }

                _ledger.Hostile(Channel, kind);
                await socket.SendAsync((byte[])[.. bytes, (byte)'\n'], SocketFlags.None, siege.Token);
                if (kind == HostilePayloads.Oversized)
                {
                    return; // the gateway hangs up on an oversized line; so do we
                }

                if (!await Paced.WaitAsync(TimeSpan.FromMilliseconds(100), siege.Token))
                {
                    break;
                }
            }

            // The siege is over: from now on a quiet peer that reads and never answers.
            await reader;
        }
        catch (Exception ex) when (LoopbackSources.IsHangUp(ex))
        {
            _ledger.Outcome(Channel, "the gateway hung up");
        }
        finally
        {
            await ended.CancelAsync();
            reading.Set();
            await reader;
            reading.Dispose();
        }
    }

    // What to send next: hostile lines in turn, with bogus acks, replays and now and then a stall.
    private (string Kind, byte[] Bytes) Next(IReadOnlyList<HostilePayload> payloads, Random random, int connection, int i)
    {
        if (i == 20 && connection % 2 == 0)
        {
            return ("stall", []);
        }

        var last = Interlocked.Read(ref _lastSeq);
        return (i % 6) switch
        {
            1 => ("bogus ack", Encoding.UTF8.GetBytes($$"""{"type":"ack","seq":{{last + 1_000_000}}}""")),
            2 => ("bogus ack", Encoding.UTF8.GetBytes(random.Next(3) switch
            {
                0 => """{"type":"ack","seq":-5}""",
                1 => $$"""{"type":"ack","seq":{{last}},"seq":{{last + 50_000}}}""",
                _ => $$"""{"type":"ack","seq":{{last}}}""",
            })),
            3 when _settings.Includes(HostilePayloads.Replay) && _ledger.PickCaptured(random) is { } captured => (HostilePayloads.Replay, Encoding.UTF8.GetBytes(captured)),
            _ when payloads.Count > 0 => (payloads[(i + connection) % payloads.Count].Kind, payloads[(i + connection) % payloads.Count].Bytes),
            _ => ("ping", "{\"type\":\"ping\"}"u8.ToArray()),
        };
    }

    // A peer that never reads: keep pinging (so the link is not idle) while the gateway's writes pile up; then hang up.
    private async Task StallAsync(Socket socket, ManualResetEventSlim reading, CancellationToken token)
    {
        reading.Reset();
        _ledger.Hostile(Channel, "never-reading stall (12 s)");
        var until = DateTime.UtcNow + Stall;
        while (DateTime.UtcNow < until && !token.IsCancellationRequested)
        {
            await socket.SendAsync("{\"type\":\"ping\"}\n"u8.ToArray(), SocketFlags.None, token);
            if (!await Paced.WaitAsync(TimeSpan.FromSeconds(1), token))
            {
                return;
            }
        }
    }

    // Reads the gateway's lines (unless stalled), noting the highest seq for the acks.
    private async Task ReadAsync(Socket socket, ManualResetEventSlim reading, CancellationToken token)
    {
        var buffer = new byte[64 * 1024];
        try
        {
            while (!token.IsCancellationRequested)
            {
                while (!reading.IsSet)
                {
                    if (!await Paced.WaitAsync(TimeSpan.FromMilliseconds(200), token))
                    {
                        return;
                    }
                }

                var n = await socket.ReceiveAsync(buffer, SocketFlags.None, token);
                if (n == 0)
                {
                    return;
                }

                var chunk = buffer.AsSpan(0, n);
                var marker = "\"seq\":"u8;
                var at = chunk.LastIndexOf(marker);
                if (at >= 0 && System.Buffers.Text.Utf8Parser.TryParse(chunk[(at + marker.Length)..], out long seq, out _))
                {
                    Interlocked.Exchange(ref _lastSeq, seq);
                }

                Paced.CountCodes(chunk, _ledger, Channel);
            }
        }
        catch (Exception ex) when (LoopbackSources.IsHangUp(ex))
        {
            // hung up, or the siege is over
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _accepting;
            Task[] open;
            lock (_connections)
            {
                open = [.. _connections];
            }

            await Task.WhenAll(open).WaitAsync(TimeSpan.FromSeconds(30));
        }
        catch (TimeoutException)
        {
            // a connection still stuck; the sockets are closed with the listener's process
        }

        _siege?.Dispose();
        _stop.Dispose();
    }
}
