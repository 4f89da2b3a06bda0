using System.Text;
using Gateway.Protocol.Transport;
using Microsoft.Extensions.Time.Testing;

namespace Gateway.Protocol.Tests.Transport;

/// <summary>NDJSON over an in-memory connection: framing, size limit, bad lines, close, cancellation, a peer that stops reading.</summary>
public sealed class NdjsonChannelTests : IAsyncDisposable
{
    private static readonly TimeSpan WriteTimeout = TimeSpan.FromSeconds(10);
    private readonly Stream _peer;
    private readonly NdjsonChannel _channel;

    // Every wait of a test is bounded: a channel that waits where it should not fails the test instead of hanging it.
    private readonly CancellationTokenSource _bound = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);

    public NdjsonChannelTests()
    {
        _bound.CancelAfter(TimeSpan.FromSeconds(30));
        (var near, _peer) = InMemoryConnection.Create();
        _channel = new NdjsonChannel(near, "test peer", maxLineLength: 256, WriteTimeout);
    }

    private CancellationToken Token => _bound.Token;

    public async ValueTask DisposeAsync()
    {
        _bound.Dispose();
        await _channel.DisposeAsync();
        await _peer.DisposeAsync();
    }

    private Task PeerWritesAsync(string text) => _peer.WriteAsync(Encoding.UTF8.GetBytes(text), Token).AsTask();

    [Fact]
    public async Task A_message_sent_at_one_end_is_received_at_the_other()
    {
        var reading = new ReadingMessage("pi-01", 7, new DateTimeOffset(2026, 12, 7, 8, 0, 0, TimeSpan.Zero), "bme280", "temperature", 21.5, "°C");
        var (near, far) = InMemoryConnection.Create();
        await using var sender = new NdjsonChannel(near, "sender", 256, WriteTimeout);
        await using var receiver = new NdjsonChannel(far, "receiver", 256, WriteTimeout);

        await sender.SendAsync(reading, Token);
        await sender.SendAsync(new AckMessage(7), Token);

        var received = new List<Inbound>();
        for (var i = 0; i < 2 && received.Count < 2; i++)
        {
            received.AddRange(await receiver.ReceiveAsync(Token));
        }

        Assert.Equal([new Inbound(reading, null), new Inbound(new AckMessage(7), null)], received);
    }

    [Fact]
    public async Task Lines_that_arrive_together_come_out_together_and_a_line_split_across_writes_is_joined()
    {
        await PeerWritesAsync("{\"type\":\"ack\",\"seq\":1}\r\n\n{\"type\":\"ack\",\"seq\":2}\n{\"type\":\"ack\",");

        Assert.Equal([new AckMessage(1), new AckMessage(2)], (await _channel.ReceiveAsync(Token)).Select(i => i.Message));

        await PeerWritesAsync("\"seq\":3}\n");
        Assert.Equal(new AckMessage(3), Assert.Single(await _channel.ReceiveAsync(Token)).Message);
    }

    [Fact]
    public async Task A_line_over_the_limit_breaks_the_framing_after_the_whole_lines_before_it_are_handed_over()
    {
        await PeerWritesAsync("{\"type\":\"ping\"}\n" + new string('x', 300) + "\n");

        Assert.Equal(new PingMessage(), Assert.Single(await _channel.ReceiveAsync(Token)).Message);
        var error = await Assert.ThrowsAsync<FramingViolationException>(() => _channel.ReceiveAsync(Token));

        Assert.Contains("test peer sent a line longer than 256 bytes", error.Message, StringComparison.Ordinal);
        Assert.Equal(ErrorCodes.LineTooLong, error.Reply?.Code);
    }

    [Fact]
    public async Task A_line_over_the_limit_is_refused_before_its_end_arrives()
    {
        await PeerWritesAsync(new string('x', 300)); // no line feed yet: the channel must not wait for one

        await Assert.ThrowsAsync<FramingViolationException>(() => _channel.ReceiveAsync(Token));
    }

    [Fact]
    public async Task A_malformed_line_is_a_problem_to_answer_and_the_next_line_still_arrives()
    {
        await PeerWritesAsync("{\"type\":\n{\"type\":\"ping\"}\n");

        var batch = await _channel.ReceiveAsync(Token);

        Assert.Equal(2, batch.Count);
        Assert.Null(batch[0].Message);
        Assert.Equal(ErrorCodes.MalformedJson, batch[0].Problem?.Code);
        Assert.Equal(new PingMessage(), batch[1].Message);
    }

    [Fact]
    public async Task The_peer_closing_ends_the_stream_with_an_empty_batch_and_a_half_line_is_dropped()
    {
        await PeerWritesAsync("{\"type\":\"ping\"}\n{\"type\":");
        await _peer.DisposeAsync();

        Assert.Single(await _channel.ReceiveAsync(Token));
        Assert.Empty(await _channel.ReceiveAsync(Token));
    }

    [Fact]
    public async Task A_receive_waiting_for_a_line_ends_when_cancelled()
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
        var (near, far) = InMemoryConnection.Create(window: 1024);
        await using var peer = far; // never read
        await using var channel = new NdjsonChannel(near, "stuck peer", 256, writeTimeout, time);
        var big = new ErrorMessage("x", new string('y', 4096));

        var send = channel.SendAsync(big, Token);
        Assert.False(send.IsCompleted);
        time.Advance(writeTimeout - TimeSpan.FromSeconds(1));
        Assert.False(send.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(1));

        var error = await Assert.ThrowsAsync<ChannelStalledException>(() => send);
        Assert.Contains("did not read for 600s", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Lines_sent_already_encoded_reach_the_peer_as_they_are()
    {
        var (near, far) = InMemoryConnection.Create();
        await using var sender = new NdjsonChannel(near, "sender", 256, WriteTimeout);
        await using var receiver = new NdjsonChannel(far, "receiver", 256, WriteTimeout);

        await sender.SendLinesAsync("{\"type\":\"ack\",\"seq\":1}\n{\"type\":\"ping\"}\n"u8.ToArray(), Token);

        var received = new List<Inbound>();
        for (var i = 0; i < 2 && received.Count < 2; i++)
        {
            received.AddRange(await receiver.ReceiveAsync(Token));
        }

        Assert.Equal([new AckMessage(1), new PingMessage()], received.Select(r => r.Message));
    }
}
