using System.Collections.Concurrent;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using Gateway.Console.Upstream;
using Gateway.Protocol;
using Gateway.Protocol.Transport;

namespace Gateway.Console.Tests.Sockets;

/// <summary>gwctl listen's server, in-process on free loopback ports, with what it reports collected.</summary>
internal sealed class ListenHarness : IAsyncDisposable, IListenOutput
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    private readonly CancellationTokenSource _stop = new();
    private readonly ListenServer _server;

    private ListenHarness(ListenOptions options, Recording? recording)
    {
        Recording = recording;
        Context = new ListenContext(options, new DeviceBook(), recording, this, TimeProvider.System, _stop);
        _server = new ListenServer(Context);
    }

    public ListenContext Context { get; }

    public Recording? Recording { get; }

    public ConcurrentQueue<Message> Readings { get; } = new();

    public ConcurrentQueue<string> Notices { get; } = new();

    public int TcpPort => _server.TcpBound!.Port;

    public int ControlPort => _server.ControlBound!.Port;

    public Uri WebSocketUrl => new(_server.WebSocketUrl!);

    public static async Task<ListenHarness> StartAsync(ListenOptions? options = null, string? recordPath = null, bool webSocket = false)
    {
        options ??= new ListenOptions();
        options = options with
        {
            Tcp = new HostEndpoint("127.0.0.1", 0),
            Control = new HostEndpoint("127.0.0.1", 0),
            WebSocket = webSocket ? new HostEndpoint("127.0.0.1", 0) : null,
        };
        var harness = new ListenHarness(options, recordPath is null ? null : Recording.Open(recordPath));
        await harness._server.StartAsync(harness._stop.Token);
        return harness;
    }

    public void Reading(Message message) => Readings.Enqueue(message);

    public void Notice(NoticeLevel level, string text) => Notices.Enqueue(text);

    public async Task<string> WaitForNoticeAsync(string text)
    {
        using var limit = new CancellationTokenSource(Timeout);
        while (!limit.IsCancellationRequested)
        {
            var hit = Notices.FirstOrDefault(n => n.Contains(text, StringComparison.Ordinal));
            if (hit is not null)
            {
                return hit;
            }

            await Task.Delay(10);
        }

        Assert.Fail($"no notice contained '{text}'; notices:\n{string.Join('\n', Notices)}");
        return string.Empty;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _server.DisposeAsync();
        if (Recording is not null)
        {
            await Recording.DisposeAsync();
        }

        _stop.Dispose();
    }
}

/// <summary>A stand-in gateway speaking the protocol over TCP or WebSocket, as the tests script it.</summary>
internal sealed class FakeGateway : IAsyncDisposable
{
    private static readonly DateTimeOffset At = new(2026, 11, 23, 9, 0, 0, TimeSpan.Zero);
    private readonly TcpClient? _tcp;
    private readonly ClientWebSocket? _ws;
    private readonly StreamReader? _reader;
    private readonly Stream? _stream;

    private FakeGateway(TcpClient tcp)
    {
        _tcp = tcp;
        _stream = tcp.GetStream();
        _reader = new StreamReader(_stream, Encoding.UTF8);
    }

    private FakeGateway(ClientWebSocket ws) => _ws = ws;

    public static async Task<FakeGateway> ConnectAsync(int port)
    {
        var tcp = new TcpClient();
        await tcp.ConnectAsync("127.0.0.1", port);
        return new FakeGateway(tcp);
    }

    public static async Task<FakeGateway> ConnectWebSocketAsync(Uri url)
    {
        var ws = new ClientWebSocket();
        ws.Options.AddSubProtocol("gateway.v1");
        await ws.ConnectAsync(url, CancellationToken.None);
        return new FakeGateway(ws);
    }

    public static ReadingMessage Reading(string device, long seq) => new(device, seq, At.AddMilliseconds(seq), "env", "temperature", 20 + (seq % 10), "Cel");

    public Task HelloAsync(string device, long nextSeq = 1) => SendAsync(new HelloMessage(device, "test", ProtocolInfo.Version, ["env"], nextSeq));

    public Task SendAsync(Message message) => SendLineAsync(MessageWriter.ToJson(message));

    public async Task SendLineAsync(string line)
    {
        if (_ws is not null)
        {
            await _ws.SendAsync(Encoding.UTF8.GetBytes(line), WebSocketMessageType.Text, true, CancellationToken.None);
            return;
        }

        await _stream!.WriteAsync(Encoding.UTF8.GetBytes(line + "\n"));
    }

    /// <summary>Sends readings <paramref name="from"/>..<paramref name="to"/> in one write (as a backlog drain does).</summary>
    public async Task SendReadingsAsync(string device, long from, long to)
    {
        if (_ws is not null)
        {
            for (var seq = from; seq <= to; seq++)
            {
                await SendAsync(Reading(device, seq));
            }

            return;
        }

        var text = new StringBuilder();
        for (var seq = from; seq <= to; seq++)
        {
            text.Append(MessageWriter.ToJson(Reading(device, seq))).Append('\n');
        }

        await _stream!.WriteAsync(Encoding.UTF8.GetBytes(text.ToString()));
    }

    /// <summary>The next message from listen; null when it closed the connection.</summary>
    public async Task<Message?> ReceiveAsync(TimeSpan? timeout = null)
    {
        using var limit = new CancellationTokenSource(timeout ?? ListenHarness.Timeout);
        if (_ws is not null)
        {
            var buffer = new byte[128 * 1024];
            var result = await _ws.ReceiveAsync(buffer, limit.Token);
            return result.MessageType == WebSocketMessageType.Close ? null : MessageParser.Parse(buffer.AsSpan(0, result.Count));
        }

        try
        {
            var line = await _reader!.ReadLineAsync(limit.Token);
            return line is null ? null : MessageParser.Parse(Encoding.UTF8.GetBytes(line));
        }
        catch (IOException)
        {
            return null; // reset by the peer
        }
    }

    /// <summary>Reads until an ack for at least <paramref name="seq"/> arrives (earlier cumulative acks are skipped).</summary>
    public async Task<AckMessage> WaitForAckAsync(long seq)
    {
        while (true)
        {
            var message = await ReceiveAsync() ?? throw new IOException($"closed before the ack for {seq}");
            if (message is AckMessage ack && ack.Seq >= seq)
            {
                return ack;
            }
        }
    }

    /// <summary>Reads until listen closes the connection; returns what came before.</summary>
    public async Task<List<Message>> ReadToCloseAsync()
    {
        var messages = new List<Message>();
        while (await ReceiveAsync() is { } message)
        {
            messages.Add(message);
        }

        return messages;
    }

    public async ValueTask DisposeAsync()
    {
        if (_ws is not null)
        {
            _ws.Dispose();
        }

        _reader?.Dispose();
        _tcp?.Dispose();
        await Task.CompletedTask;
    }
}
