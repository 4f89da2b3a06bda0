using System.Net.WebSockets;
using System.Text;
using Gateway.Protocol.Transport;
using Microsoft.Extensions.Time.Testing;

namespace Gateway.Protocol.Tests.Transport;

/// <summary>
/// One message per WebSocket text frame, over an in-memory connection (RFC 6455 framing by the runtime's own
/// WebSocket on both ends): messages across frames, size limit, binary frames, bad JSON, close, cancellation.
/// </summary>
public sealed class WebSocketChannelTests : IAsyncDisposable
{
    private static readonly TimeSpan WriteTimeout = TimeSpan.FromSeconds(10);
    private readonly WebSocket _peer;
    private readonly WebSocketChannel _channel;

    // Every wait of a test is bounded: a channel that waits where it should not fails the test instead of hanging it.
    private readonly CancellationTokenSource _bound = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);

    public WebSocketChannelTests()
    {
        _bound.CancelAfter(TimeSpan.FromSeconds(30));
        (_peer, var near) = Pair();
        _channel = new WebSocketChannel(near, "test peer", maxMessage: 256, WriteTimeout);
    }

    private CancellationToken Token => _bound.Token;

    public async ValueTask DisposeAsync()
    {
        _bound.Dispose();
        await _channel.DisposeAsync();
        _peer.Dispose();
    }

    // A client and a server WebSocket joined in memory; no keep-alive pings (they would be timed).
    private static (WebSocket Client, WebSocket Server) Pair(long window = 64 * 1024)
    {
        var (left, right) = InMemoryConnection.Create(window);
        var client = WebSocket.CreateFromStream(left, new WebSocketCreationOptions { IsServer = false, KeepAliveInterval = TimeSpan.Zero });
        var server = WebSocket.CreateFromStream(right, new WebSocketCreationOptions { IsServer = true, KeepAliveInterval = TimeSpan.Zero });
        return (client, server);
    }

    private Task PeerSendsAsync(string text, bool endOfMessage = true) =>
        _peer.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, endOfMessage, Token);

    [Fact]
    public async Task A_message_sent_at_one_end_is_received_at_the_other_one_per_frame()
    {
        var (client, server) = Pair();
        await using var sender = new WebSocketChannel(client, "sender", 256, WriteTimeout);
        await using var receiver = new WebSocketChannel(server, "receiver", 256, WriteTimeout);

        await sender.SendAsync(new AckMessage(41), Token);
        await sender.SendAsync(new AckMessage(42), Token);

        Assert.Equal(new AckMessage(41), Assert.Single(await receiver.ReceiveAsync(Token)).Message);
        Assert.Equal(new AckMessage(42), Assert.Single(await receiver.ReceiveAsync(Token)).Message);
    }

    [Fact]
    public async Task A_message_split_across_frames_is_joined()
    {
        await PeerSendsAsync("{\"type\":\"ack\",", endOfMessage: false);
        await PeerSendsAsync("\"seq\":3}");

        Assert.Equal(new AckMessage(3), Assert.Single(await _channel.ReceiveAsync(Token)).Message);
    }

    [Fact]
    public async Task A_message_over_the_limit_breaks_the_framing_even_when_it_comes_in_small_frames()
    {
        for (var i = 0; i < 3; i++)
        {
            await PeerSendsAsync(new string('x', 100), endOfMessage: false);
        }

        var error = await Assert.ThrowsAsync<FramingViolationException>(() => _channel.ReceiveAsync(Token));

        Assert.Contains("test peer sent a message longer than 256 bytes", error.Message, StringComparison.Ordinal);
        Assert.Equal(ErrorCodes.LineTooLong, error.Reply?.Code);
    }

    [Fact]
    public async Task A_binary_frame_breaks_the_framing()
    {
        await _peer.SendAsync(new byte[] { 0x7B, 0x7D }, WebSocketMessageType.Binary, endOfMessage: true, Token);

        var error = await Assert.ThrowsAsync<FramingViolationException>(() => _channel.ReceiveAsync(Token));

        Assert.Contains("binary frame", error.Message, StringComparison.Ordinal);
        Assert.Equal(ErrorCodes.MalformedJson, error.Reply?.Code);
    }

    [Fact]
    public async Task Malformed_json_in_a_frame_is_a_problem_to_answer_and_the_next_frame_still_arrives()
    {
        await PeerSendsAsync("{\"type\":");
        await PeerSendsAsync("{\"type\":\"ping\"}");

        var bad = Assert.Single(await _channel.ReceiveAsync(Token));
        Assert.Null(bad.Message);
        Assert.Equal(ErrorCodes.MalformedJson, bad.Problem?.Code);
        Assert.Equal(new PingMessage(), Assert.Single(await _channel.ReceiveAsync(Token)).Message);
    }

    [Fact]
    public async Task The_peer_closing_ends_the_stream_with_an_empty_batch_and_the_close_is_answered()
    {
        var close = _peer.CloseAsync(WebSocketCloseStatus.NormalClosure, "bye", Token);

        Assert.Empty(await _channel.ReceiveAsync(Token));
        await close; // completes only when our close frame came back (RFC 6455 §5.5.1)
        Assert.Equal(WebSocketState.Closed, _peer.State);
    }

    [Fact]
    public async Task A_receive_waiting_for_a_frame_ends_when_cancelled()
    {
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(Token);
        var receive = _channel.ReceiveAsync(cancel.Token);
        Assert.False(receive.IsCompleted);

        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => receive);
    }

    [Fact]
    public async Task A_send_the_peer_does_not_read_within_the_write_timeout_ends_the_channel_as_stalled()
    {
        var time = new FakeTimeProvider();
        var writeTimeout = TimeSpan.FromMinutes(10); // far beyond the test's bound: only the channel's clock can end the send
        var (client, server) = Pair(window: 1024);
        using var peer = server; // never reads
        await using var channel = new WebSocketChannel(client, "stuck peer", 256, writeTimeout, time);

        var send = channel.SendAsync(new ErrorMessage("x", new string('y', 4096)), Token);
        Assert.False(send.IsCompleted);
        time.Advance(writeTimeout - TimeSpan.FromSeconds(1));
        Assert.False(send.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(1));

        var error = await Assert.ThrowsAsync<ChannelStalledException>(() => send);
        Assert.Contains("did not read for 600s", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Lines_sent_already_encoded_go_out_one_text_frame_per_line_without_the_line_feeds()
    {
        var (client, server) = Pair();
        await using var sender = new WebSocketChannel(client, "sender", 256, WriteTimeout);
        using var peer = server;

        await sender.SendLinesAsync("{\"type\":\"ack\",\"seq\":1}\n{\"type\":\"ping\"}\n"u8.ToArray(), Token);

        var buffer = new byte[256];
        var frames = new List<string>();
        for (var i = 0; i < 2; i++)
        {
            var result = await peer.ReceiveAsync(buffer.AsMemory(), Token);
            Assert.True(result.EndOfMessage);
            Assert.Equal(WebSocketMessageType.Text, result.MessageType);
            frames.Add(Encoding.UTF8.GetString(buffer, 0, result.Count));
        }

        Assert.Equal(["{\"type\":\"ack\",\"seq\":1}", "{\"type\":\"ping\"}"], frames);
    }
}
