using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Gateway.IntegrationTests.Infrastructure;
using Gateway.Protocol;
using Microsoft.Data.Sqlite;

namespace Gateway.IntegrationTests.Outbox;

/// <summary>
/// A corrupt outbox loses the readings it held; the upstream must be told, with a <c>gap</c> (reason <c>corrupt</c>)
/// that starts right after what it acknowledged and ends right before the first seq of the fresh database.
/// </summary>
public sealed class CorruptOutboxGapTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private string Database => _dir.File("state/gateway.db");

    private GatewayProcess Start(int upstreamPort) => GatewayProcess.Start(_dir.Path,
    [
        "--Gateway:DeviceId=corrupt",
        $"--Gateway:StateDirectory={_dir.File("state")}",
        "--Gateway:Sampling:Interval=50ms",
        $"--Gateway:Upstream:Tcp:Endpoint=127.0.0.1:{upstreamPort}",
        "--Gateway:Upstream:Tcp:BackoffMax=500ms",
    ]);

    [Fact]
    public async Task After_a_corrupt_outbox_each_link_is_told_the_exact_range_it_lost_and_readings_continue()
    {
        await using var upstream = new RecordingUpstream();
        upstream.Start();

        // Stored and acknowledged, then stored and not acknowledged.
        using (var first = Start(upstream.Port))
        {
            await upstream.WaitForAsync(() => upstream.Readings.Count >= 300, Timeout, "300 readings before acks stop");
            upstream.Acking = false;
            var acked = upstream.LastAcked;
            await upstream.WaitForAsync(() => upstream.MaxSeq >= acked + 500, Timeout, "500 readings after acks stopped");
            first.Signal(Signals.SIGTERM);
            Assert.Equal(0, await first.WaitForExitAsync(Timeout));
        }

        var (cursor, lastSeq) = CursorAndLastSeq();
        Assert.True(lastSeq > cursor + 100, $"the outbox should hold unacknowledged readings: cursor {cursor}, last seq {lastSeq}");
        CorruptReadingsTable();

        upstream.Clear();
        upstream.Acking = true;
        using var second = Start(upstream.Port);
        await second.WaitForLineAsync("is not a usable database", Timeout);
        await upstream.WaitForAsync(() => upstream.MaxSeq > lastSeq, Timeout, $"readings above seq {lastSeq} after the restart");

        var gaps = upstream.Messages.OfType<GapMessage>().Where(g => g.Reason == "corrupt").ToList();
        Assert.True(gaps.Count == 1, $"expected one gap with reason corrupt, got: {string.Join(", ", upstream.Messages.OfType<GapMessage>())}\n{second.Output}");
        var gap = gaps[0];
        var firstAfter = upstream.Readings.Min();
        Assert.Equal(cursor + 1, gap.From);   // from what the link acknowledged
        Assert.Equal(firstAfter - 1, gap.To); // up to the fresh database's first seq
        Assert.True(gap.To >= lastSeq, $"the gap {gap.From}..{gap.To} must cover every stored seq up to {lastSeq}");
        await upstream.WaitForAsync(() => upstream.Readings.Count >= 100, Timeout, "readings continuing after the gap");
        Assert.Single(Directory.GetFiles(_dir.File("state"), "gateway.db.corrupt-*"), f => !f.EndsWith("-wal", StringComparison.Ordinal) && !f.EndsWith("-shm", StringComparison.Ordinal));

        second.Signal(Signals.SIGTERM);
        Assert.Equal(0, await second.WaitForExitAsync(Timeout));
    }

    private (long Cursor, long LastSeq) CursorAndLastSeq()
    {
        using var db = new SqliteConnection($"Data Source={Database};Mode=ReadOnly;Pooling=False");
        db.Open();
        using var command = db.CreateCommand();
        command.CommandText = "SELECT (SELECT seq FROM cursors WHERE link = 'tcp'), (SELECT value FROM meta WHERE key = 'last_seq')";
        using var reader = command.ExecuteReader();
        reader.Read();
        return (reader.GetInt64(0), reader.GetInt64(1));
    }

    // Real damage where it hurts most: the root page of the readings b-tree overwritten with garbage, the rest intact.
    private void CorruptReadingsTable()
    {
        long root, pageSize;
        using (var db = new SqliteConnection($"Data Source={Database};Mode=ReadOnly;Pooling=False"))
        {
            db.Open();
            using var command = db.CreateCommand();
            command.CommandText = "SELECT (SELECT rootpage FROM sqlite_master WHERE name = 'readings'), (SELECT page_size FROM pragma_page_size())";
            using var reader = command.ExecuteReader();
            reader.Read();
            root = reader.GetInt64(0);
            pageSize = reader.GetInt64(1);
        }

        Assert.True(root > 1);
        using var file = new FileStream(Database, FileMode.Open, FileAccess.Write);
        file.Position = (root - 1) * pageSize;
        file.Write([.. Enumerable.Repeat((byte)0xA5, (int)pageSize)]);
        file.Flush(flushToDisk: true);
    }

    /// <summary>An upstream that records every message in order and acknowledges readings while <see cref="Acking"/>.</summary>
    private sealed class RecordingUpstream : IAsyncDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly CancellationTokenSource _stop = new();
        private ConcurrentQueue<Message> _messages = new();
        private Task _accepting = Task.CompletedTask;
        private long _lastAcked;

        public volatile bool Acking = true;

        public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

        public IReadOnlyList<Message> Messages => [.. _messages];

        public IReadOnlyList<long> Readings => [.. _messages.OfType<ReadingMessage>().Select(r => r.Seq).Concat(_messages.OfType<EventMessage>().Select(e => e.Seq))];

        public long MaxSeq => Readings.DefaultIfEmpty(0).Max();

        public long LastAcked => Interlocked.Read(ref _lastAcked);

        public void Start()
        {
            _listener.Start();
            _accepting = AcceptLoop();
        }

        public void Clear() => _messages = new ConcurrentQueue<Message>();

        public async Task WaitForAsync(Func<bool> condition, TimeSpan timeout, string what)
        {
            var deadline = DateTime.UtcNow + timeout;
            while (!condition())
            {
                Assert.True(DateTime.UtcNow < deadline, $"upstream: no {what} within {timeout.TotalSeconds}s; max seq {MaxSeq}, {Readings.Count} readings");
                await Task.Delay(50);
            }
        }

        private async Task AcceptLoop()
        {
            while (!_stop.IsCancellationRequested)
            {
                Socket socket;
                try
                {
                    socket = await _listener.AcceptSocketAsync(_stop.Token);
                }
                catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
                {
                    return;
                }

                _ = Task.Run(() => Serve(socket), CancellationToken.None);
            }
        }

        private async Task Serve(Socket socket)
        {
            try
            {
                await using var stream = new NetworkStream(socket, ownsSocket: true);
                using var reader = new StreamReader(stream, Encoding.UTF8);
                while (await reader.ReadLineAsync(_stop.Token) is { } line)
                {
                    var message = MessageParser.Parse(Encoding.UTF8.GetBytes(line));
                    _messages.Enqueue(message);
                    var seq = message switch { ReadingMessage r => r.Seq, EventMessage e => e.Seq, _ => 0 };
                    if (seq > 0 && Acking)
                    {
                        await stream.WriteAsync(Encoding.UTF8.GetBytes($"{{\"type\":\"ack\",\"seq\":{seq}}}\n"), _stop.Token);
                        Interlocked.Exchange(ref _lastAcked, seq);
                    }
                    else if (message is PingMessage)
                    {
                        await stream.WriteAsync("{\"type\":\"pong\"}\n"u8.ToArray(), _stop.Token);
                    }
                }
            }
            catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
            {
                // the gateway went away
            }
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            _listener.Stop();
            await _accepting;
            _stop.Dispose();
        }
    }
}
