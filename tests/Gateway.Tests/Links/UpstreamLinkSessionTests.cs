using System.Threading.Channels;
using Gateway.Configuration;
using Gateway.Links;
using Gateway.Outbox;
using Gateway.Protocol;
using Gateway.Protocol.Transport;
using Gateway.Sampling;
using Gateway.Status;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using OutboxStore = Gateway.Outbox.Outbox;

namespace Gateway.Tests.Links;

/// <summary>
/// The acknowledged stream link's session (TCP and WebSocket share it) on scripted channels in memory, a real outbox
/// and a fake clock: hello and gaps, the window, cumulative acks moving the durable cursor, the inbound rules.
/// </summary>
public sealed class UpstreamLinkSessionTests : IAsyncDisposable
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);
    private readonly string _dir = Directory.CreateTempSubdirectory("gw-upstream-").FullName;
    private readonly WatchedTime _time = new();
    private readonly RecordingLogger _log = new();
    private readonly OutboxStore _outbox;
    private readonly TestCommands _commands;
    private readonly Channel<ScriptedChannel> _connections = Channel.CreateUnbounded<ScriptedChannel>();

    public UpstreamLinkSessionTests()
    {
        _outbox = new OutboxStore(new OutboxOptions { Path = Path.Combine(_dir, "gateway.db"), CommitInterval = TimeSpan.FromMilliseconds(20), MaxAge = TimeSpan.FromDays(1) }, TimeProvider.System, NullLogger<OutboxStore>.Instance);
        _outbox.Start();
        _commands = new TestCommands(_time);
    }

    public async ValueTask DisposeAsync()
    {
        _commands.Dispose();
        await _outbox.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    // Pacing off (MaxRate: a few readings take less than a tick), so the fake clock moves only when a test says so.
    private ScriptedLink Link(int window = 100) => new(
        new UpstreamLinkOptions { Name = "scripted", Window = window, MaxRate = int.MaxValue, Heartbeat = TimeSpan.FromSeconds(15), IdleTimeout = TimeSpan.FromSeconds(60) },
        new GatewayOptions { DeviceId = _commands.Device, StateDirectory = _dir },
        _outbox,
        _log,
        _time,
        _connections) { Commands = _commands.Pipeline };

    private ScriptedChannel Connection()
    {
        var channel = new ScriptedChannel();
        _connections.Writer.TryWrite(channel);
        return channel;
    }

    private async Task StoreAsync(int count, DateTimeOffset? at = null)
    {
        var last = _outbox.LastCommitted;
        for (var i = 0; i < count; i++)
        {
            _outbox.Accept(new SampledReading("env", "temperature", 20 + i, "Cel", at ?? DateTimeOffset.UtcNow));
        }

        await _outbox.WaitForCommitAsync(last + count - 1, Token).WaitAsync(Bound, Token);
    }

    private static async Task<List<long>> ReadingsAsync(ScriptedChannel channel, int count)
    {
        var seqs = new List<long>();
        while (seqs.Count < count)
        {
            seqs.Add((await channel.NextSentAsync<ReadingMessage>(Token)).Seq);
        }

        return seqs;
    }

    private static async Task UntilAsync(Func<bool> condition, string what)
    {
        for (var i = 0; i < 1_000 && !condition(); i++)
        {
            await Task.Delay(10, Token);
        }

        Assert.True(condition(), what);
    }

    // The link backs off on its clock before it connects again.
    private async Task ReconnectAsync(ScriptedChannel next)
    {
        for (var i = 0; i < 100 && next.Sent.Count == 0; i++)
        {
            _time.Fake.Advance(TimeSpan.FromMilliseconds(100));
            await Task.Delay(10, Token);
        }
    }

    [Fact]
    public async Task It_says_hello_announces_the_gaps_then_sends_what_is_stored()
    {
        using var link = Link();
        await link.StartAsync(Token);
        await link.Connecting.Task.WaitAsync(Bound, Token); // its cursor is open
        await StoreAsync(2, DateTimeOffset.UtcNow.AddDays(-3));
        await StoreAsync(3);
        _outbox.MaintainNow(); // 1..2 are older than MaxAge: lost before they were sent
        var channel = Connection();

        var hello = Assert.IsType<HelloMessage>(await channel.NextSentAsync(Token));
        Assert.Equal((_commands.Device, 1L, ProtocolInfo.Version), (hello.Device, hello.NextSeq, hello.ProtocolVersion));
        var gap = Assert.IsType<GapMessage>(await channel.NextSentAsync(Token));
        Assert.Equal((1L, 2L, "MaxAge"), (gap.From, gap.To, gap.Reason));
        Assert.Equal([3L, 4, 5], await ReadingsAsync(channel, 3));
        await link.StopAsync(Token);
    }

    [Fact]
    public async Task At_most_the_window_is_unacknowledged_and_a_cumulative_ack_moves_the_cursor_for_the_next_connection()
    {
        await StoreAsync(5);
        var first = Connection();
        using var link = Link(window: 2);
        await link.StartAsync(Token);
        Assert.IsType<HelloMessage>(await first.NextSentAsync(Token));
        Assert.Equal([1L, 2], await ReadingsAsync(first, 2));
        await Task.Delay(50, Token);
        Assert.Empty(first.TakeSent()); // the window is full

        first.Arrives(new AckMessage(2)); // cumulative: both
        Assert.Equal([3L, 4], await ReadingsAsync(first, 2));
        first.Arrives(new AckMessage(3));
        Assert.Equal([5L], await ReadingsAsync(first, 1));

        // The peer leaves with 4 and 5 unacknowledged: the next connection starts after 3, and resends them.
        var second = Connection();
        first.Closes();
        await ReconnectAsync(second);
        var hello = Assert.IsType<HelloMessage>(await second.NextSentAsync(Token));
        Assert.Equal(4L, hello.NextSeq);
        Assert.Equal([4L, 5], await ReadingsAsync(second, 2));
        await link.StopAsync(Token);
        await first.Disposed.WaitAsync(Bound, Token);
    }

    [Fact]
    public async Task An_ack_beyond_what_was_sent_is_answered_with_an_error_and_moves_nothing()
    {
        await StoreAsync(2);
        var channel = Connection();
        using var link = Link();
        await link.StartAsync(Token);
        Assert.Equal([1L, 2], await ReadingsAsync(channel, 2));

        channel.Arrives(new AckMessage(99));

        var error = await channel.NextSentAsync<ErrorMessage>(Token);
        Assert.Equal(ErrorCodes.UnexpectedAck, error.Code);
        Assert.Contains("only up to 2 was sent", error.Message, StringComparison.Ordinal);
        await link.StopAsync(Token);
        using var cursor = _outbox.OpenCursor("scripted", durable: true);
        Assert.Equal(0, cursor.Acknowledged);
    }

    [Fact]
    public async Task A_ping_is_answered_a_command_is_run_and_a_peers_error_is_not_bounced()
    {
        var channel = Connection();
        using var link = Link();
        await link.StartAsync(Token);
        Assert.IsType<HelloMessage>(await channel.NextSentAsync(Token));

        channel.ArrivesLine("""{"type":"error","code":"unexpected_ack","message":"the upstream complains"}""");
        channel.Arrives(new PingMessage());
        Assert.IsType<PongMessage>(await channel.NextSentAsync(Token)); // the first reply is the pong: the error got none
        channel.Arrives(_commands.Signed("ping", "c-1"));
        var result = Assert.IsType<ResultMessage>(await channel.NextSentAsync(Token));
        Assert.True(result.Ok && result.Id == "c-1", result.Message);
        channel.ArrivesLine("{");
        Assert.Equal(ErrorCodes.MalformedJson, Assert.IsType<ErrorMessage>(await channel.NextSentAsync(Token)).Code);
        await link.StopAsync(Token);

        Assert.DoesNotContain(channel.Sent, m => m is ErrorMessage { Code: "unexpected_ack" });
        Assert.Equal("up", link.State);
    }

    [Fact]
    public async Task A_peer_silent_past_the_idle_timeout_is_dropped_and_the_link_backs_off()
    {
        var channel = Connection();
        using var link = Link();
        await link.StartAsync(Token);
        Assert.IsType<HelloMessage>(await channel.NextSentAsync(Token));
        await UntilAsync(() => link.State == "up", "the link did not come up");

        for (var i = 0; i < 61 && !channel.Disposed.IsCompleted; i++)
        {
            _time.Fake.Advance(TimeSpan.FromSeconds(1)); // heartbeats go out on the way; the peer answers nothing
            await Task.Delay(5, Token);
        }

        await channel.Disposed.WaitAsync(Bound, Token);
        await UntilAsync(() => link.State == "backing off", "the link did not back off");
        Assert.Contains("nothing heard from the upstream for 60s", link.LastError, StringComparison.Ordinal);
        Assert.Contains(channel.Sent, m => m is PingMessage);
        await link.StopAsync(Token);
    }

    private sealed class ScriptedLink(UpstreamLinkOptions link, GatewayOptions options, OutboxStore outbox, RecordingLogger log, TimeProvider time, Channel<ScriptedChannel> connections)
        : UpstreamLink(link, options, outbox, new StatusBoard(), new RecordingLogger<ScriptedLink>(log), time)
    {
        public TaskCompletionSource Connecting { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public override string Kind => "scripted";

        protected override async Task<IMessageChannel> ConnectAsync(CancellationToken cancellationToken)
        {
            Connecting.TrySetResult();
            return await connections.Reader.ReadAsync(cancellationToken);
        }
    }
}
