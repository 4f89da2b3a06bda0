using System.Net.WebSockets;
using System.Text;
using Gateway.Protocol.Transport;

namespace Gateway.Protocol.Tests.Transport;

/// <summary>A batch of writes reaches the stream beneath in one write while held, in order, and nothing is lost or reordered.</summary>
public class CoalescingStreamTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Writes_while_held_reach_the_stream_beneath_in_one_write_on_release()
    {
        var inner = new CountingStream();
        await using var stream = new CoalescingStream(inner);

        stream.Hold();
        await stream.WriteAsync("one"u8.ToArray(), Token);
        stream.Write("two"u8);
        await stream.WriteAsync("three"u8.ToArray().AsMemory(), Token);
        Assert.Equal(0, inner.Writes);
        await stream.ReleaseAsync(Token);

        Assert.Equal(1, inner.Writes);
        Assert.Equal("onetwothree", Encoding.ASCII.GetString(inner.ToArray()));
    }

    [Fact]
    public async Task Writes_when_not_held_pass_straight_through()
    {
        var inner = new CountingStream();
        await using var stream = new CoalescingStream(inner);

        await stream.WriteAsync("a"u8.ToArray(), Token);
        await stream.WriteAsync("b"u8.ToArray(), Token);
        stream.Hold();
        await stream.ReleaseAsync(Token); // nothing held: nothing written

        Assert.Equal(2, inner.Writes);
        Assert.Equal("ab", Encoding.ASCII.GetString(inner.ToArray()));
    }

    [Fact]
    public async Task A_batch_of_websocket_frames_is_one_write_and_each_message_is_still_its_own_frame()
    {
        var inner = new CountingStream();
        var stream = new CoalescingStream(inner);
        using var client = WebSocket.CreateFromStream(stream, new WebSocketCreationOptions { IsServer = false, KeepAliveInterval = TimeSpan.Zero });

        stream.Hold();
        for (var i = 0; i < 100; i++)
        {
            await client.SendAsync(Encoding.UTF8.GetBytes($"{{\"n\":{i}}}"), WebSocketMessageType.Text, endOfMessage: true, Token);
        }

        await stream.ReleaseAsync(Token);
        Assert.Equal(1, inner.Writes);

        // The bytes read back by a server-side WebSocket: 100 messages, in order.
        using var server = WebSocket.CreateFromStream(new MemoryStream(inner.ToArray()), new WebSocketCreationOptions { IsServer = true, KeepAliveInterval = TimeSpan.Zero });
        var buffer = new byte[64];
        for (var i = 0; i < 100; i++)
        {
            var result = await server.ReceiveAsync(buffer, Token);
            Assert.True(result.EndOfMessage);
            Assert.Equal($"{{\"n\":{i}}}", Encoding.UTF8.GetString(buffer, 0, result.Count));
        }
    }

    [Fact]
    public async Task Reads_pass_through()
    {
        await using var stream = new CoalescingStream(new MemoryStream("hello"u8.ToArray()));
        var buffer = new byte[8];
        stream.Hold();

        var n = await stream.ReadAsync(buffer, Token);

        Assert.Equal("hello", Encoding.ASCII.GetString(buffer, 0, n));
    }

    // Counts the writes that reach it (each of the write methods, however the caller calls it).
    private sealed class CountingStream : Stream
    {
        private readonly MemoryStream _bytes = new();

        public int Writes { get; private set; }

        public override bool CanRead => true; // as a socket's stream is (WebSocket.CreateFromStream asks); nothing to read

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => _bytes.Length;

        public override long Position { get => _bytes.Position; set => throw new NotSupportedException(); }

        public byte[] ToArray() => _bytes.ToArray();

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            Writes++;
            _bytes.Write(buffer);
        }

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            Write(buffer.Span);
            return ValueTask.CompletedTask;
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        {
            Write(buffer.AsSpan(offset, count));
            return Task.CompletedTask;
        }

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => 0;

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
