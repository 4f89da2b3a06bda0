using System.Buffers;
using System.Net.WebSockets;
using System.Text;
using Gateway.Protocol.Transport;

namespace Gateway.Protocol.Tests.Transport;

/// <summary>
/// The link's own client data frames (RFC 6455 §5.2, §5.3), read back by the runtime's server-side WebSocket, and the
/// channel that writes them through a coalescing stream beside the frames the socket itself writes.
/// </summary>
public sealed class ClientFramesTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(125)]
    [InlineData(126)]
    [InlineData(65_535)]
    [InlineData(65_536)]
    [InlineData(70_001)]
    public async Task A_frame_of_any_length_is_read_by_a_server_websocket_as_the_same_text(int length)
    {
        var payload = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Range(0, length).Select(i => (char)('a' + (i % 26)))));
        var frames = new ArrayBufferWriter<byte>();
        var writer = new ClientFrames();
        writer.WriteText(payload, frames);
        writer.WriteText("{\"type\":\"ping\"}"u8, frames);

        using var server = WebSocket.CreateFromStream(new MemoryStream(frames.WrittenSpan.ToArray()), new WebSocketCreationOptions { IsServer = true, KeepAliveInterval = TimeSpan.Zero });

        Assert.Equal(payload, await ReceiveMessageAsync(server));
        Assert.Equal("{\"type\":\"ping\"}"u8.ToArray(), await ReceiveMessageAsync(server));
    }

    [Fact]
    public void Every_frame_has_a_fresh_masking_key_and_a_masked_payload()
    {
        var frames = new ArrayBufferWriter<byte>();
        var writer = new ClientFrames();
        var payload = "{\"type\":\"reading\",\"device\":\"pi-01\",\"seq\":1}"u8; // 44 bytes: 2-byte header, key at 2..5
        for (var i = 0; i < 3_000; i++)
        {
            writer.WriteText(payload, frames);
        }

        var size = 2 + 4 + payload.Length;
        var keys = new HashSet<uint>();
        var unmaskedCopies = 0;
        for (var i = 0; i < 3_000; i++)
        {
            var frame = frames.WrittenSpan.Slice(i * size, size);
            Assert.Equal(0x81, frame[0]); // FIN, text
            Assert.Equal(0x80 | payload.Length, frame[1]); // masked, 7-bit length
            keys.Add(BitConverter.ToUInt32(frame[2..6]));
            unmaskedCopies += frame[6..].SequenceEqual(payload) ? 1 : 0;
        }

        Assert.True(keys.Count >= 2_998, $"{keys.Count} distinct keys in 3,000 frames"); // 32-bit random keys: a repeat is a 1-in-1,000 event
        Assert.True(unmaskedCopies <= 1, $"{unmaskedCopies} frames carried the payload unmasked");
    }

    [Fact]
    public async Task A_channel_over_a_plain_coalescing_stream_writes_a_batch_as_frames_the_server_reads_and_stays_in_step_with_the_sockets_own_frames()
    {
        var (left, right) = InMemoryConnection.Create(1 << 20);
        var coalesce = new CoalescingStream(left);
        var client = WebSocket.CreateFromStream(coalesce, new WebSocketCreationOptions { IsServer = false, KeepAliveInterval = TimeSpan.Zero });
        using var server = WebSocket.CreateFromStream(right, new WebSocketCreationOptions { IsServer = true, KeepAliveInterval = TimeSpan.Zero });
        await using var channel = new WebSocketChannel(client, "link", 256, TimeSpan.FromSeconds(10), coalesce: coalesce, plainBeneath: true);

        await channel.SendLinesAsync("{\"type\":\"ack\",\"seq\":1}\n{\"type\":\"ack\",\"seq\":2}\n"u8.ToArray(), Token);
        await channel.SendAsync(new PingMessage(), Token);
        var receiving = channel.ReceiveAsync(Token); // the client socket reads, and answers the server's close itself
        await server.SendAsync("{\"type\":\"pong\"}"u8.ToArray(), WebSocketMessageType.Text, endOfMessage: true, Token);

        Assert.Equal("{\"type\":\"ack\",\"seq\":1}", Encoding.UTF8.GetString(await ReceiveMessageAsync(server)));
        Assert.Equal("{\"type\":\"ack\",\"seq\":2}", Encoding.UTF8.GetString(await ReceiveMessageAsync(server)));
        Assert.Equal("{\"type\":\"ping\"}", Encoding.UTF8.GetString(await ReceiveMessageAsync(server)));
        Assert.Equal(new PongMessage(), Assert.Single(await receiving).Message);

        await server.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "bye", Token);
        Assert.Empty(await channel.ReceiveAsync(Token)); // the end of the stream; the channel answers the close
        var close = new byte[16];
        Assert.Equal(WebSocketMessageType.Close, (await server.ReceiveAsync(close, Token)).MessageType); // the socket's own close frame, intact
        await Assert.ThrowsAsync<ChannelClosedException>(() => channel.SendLinesAsync("{\"type\":\"ack\",\"seq\":3}\n"u8.ToArray(), Token));
    }

    private static async Task<byte[]> ReceiveMessageAsync(WebSocket socket)
    {
        var message = new MemoryStream();
        var buffer = new byte[4096];
        while (true)
        {
            var result = await socket.ReceiveAsync(buffer, Token);
            Assert.Equal(WebSocketMessageType.Text, result.MessageType);
            message.Write(buffer, 0, result.Count);
            if (result.EndOfMessage)
            {
                return message.ToArray();
            }
        }
    }
}
