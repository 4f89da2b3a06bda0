using System.Buffers;
using System.Net;
using System.Net.Sockets;
using Gateway.Benchmarks.Upstreams;
using Gateway.Links;
using Gateway.Protocol;
using Gateway.Protocol.Transport;

namespace Gateway.Benchmarks;

/// <summary>
/// The yardstick: the same protocol messages as a link would send, encoded beforehand, written over a raw loopback
/// TCP socket (all bytes in one write) or as WebSocket frames (one masked text frame per message, as the protocol frames
/// them, all in one write after the upgrade) to a receiver that parses every message the same way the link's receiver does, without acks.
/// </summary>
internal sealed class RawSend
{
    private readonly ReadOnlyMemory<byte> _lines;
    private readonly int[] _ends; // _ends[i]: offset just past message i's newline

    private RawSend(ReadOnlyMemory<byte> lines, int[] ends)
    {
        _lines = lines;
        _ends = ends;
    }

    /// <summary>Messages held.</summary>
    public int Count => _ends.Length;

    /// <summary>Encodes <paramref name="messages"/> as NDJSON lines, remembering where each ends.</summary>
    public static RawSend Encode(int count, Func<int, Message> message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var bytes = new ArrayBufferWriter<byte>(count * 160);
        var ends = new int[count];
        for (var i = 0; i < count; i++)
        {
            MessageWriter.WriteLine(message(i), bytes);
            ends[i] = bytes.WrittenCount;
        }

        return new RawSend(bytes.WrittenMemory, ends);
    }

    /// <summary>Writes every line over a raw loopback TCP socket and waits until the receiver has parsed the last; measures that.</summary>
    public async Task<Measured> OverTcpAsync(long lastSeq, TimeSpan timeout)
    {
        await using var receiver = new TcpBenchUpstream(acknowledge: false);
        var meter = Meter.Start();
        using var client = new TcpClient { NoDelay = true };
        await client.ConnectAsync(IPAddress.Loopback, receiver.Port);
        await client.GetStream().WriteAsync(_lines);
        await receiver.WaitForSeqAsync(lastSeq, timeout);
        var measured = meter.Read();
        Check(receiver);
        return measured;
    }

    /// <summary>
    /// Sends every message as one masked text frame (RFC 6455 §5.2, as a client must) over a raw loopback socket after
    /// the upgrade handshake, all frames encoded beforehand and written at once, and waits until the receiver has
    /// parsed the last; measures that.
    /// </summary>
    public async Task<Measured> OverWebSocketAsync(long lastSeq, TimeSpan timeout)
    {
        await using var receiver = await WebSocketBenchUpstream.StartAsync(acknowledge: false);
        var frames = Frames();
        var meter = Meter.Start();
        using var client = new TcpClient { NoDelay = true };
        await client.ConnectAsync(IPAddress.Loopback, receiver.Url.Port);
        var stream = client.GetStream();
        await stream.WriteAsync(receiver.UpgradeRequest());
        await ReadUpgradeAnswerAsync(stream);
        await stream.WriteAsync(frames);
        await receiver.WaitForSeqAsync(lastSeq, timeout);
        var measured = meter.Read();
        Check(receiver);
        return measured;
    }

    // One frame per message, without its newline: FIN + text, the mask bit and the length, a mask key, the masked payload.
    private byte[] Frames()
    {
        var output = new ArrayBufferWriter<byte>(_lines.Length + (_ends.Length * 8));
        var mask = new byte[] { 0x37, 0xFA, 0x21, 0x3D };
        var start = 0;
        foreach (var end in _ends)
        {
            var payload = _lines.Span[start..(end - 1)];
            var frame = output.GetSpan(8 + payload.Length);
            frame[0] = 0x81;
            var at = 2;
            if (payload.Length < 126)
            {
                frame[1] = (byte)(0x80 | payload.Length);
            }
            else
            {
                frame[1] = 0x80 | 126;
                System.Buffers.Binary.BinaryPrimitives.WriteUInt16BigEndian(frame[2..], (ushort)payload.Length);
                at = 4;
            }

            mask.CopyTo(frame[at..]);
            at += 4;
            for (var i = 0; i < payload.Length; i++)
            {
                frame[at + i] = (byte)(payload[i] ^ mask[i & 3]);
            }

            output.Advance(at + payload.Length);
            start = end;
        }

        return output.WrittenSpan.ToArray();
    }

    private static async Task ReadUpgradeAnswerAsync(NetworkStream stream)
    {
        var answer = new List<byte>();
        var one = new byte[1];
        while (answer.Count < 4096 && !(answer.Count >= 4 && answer[^4] == '\r' && answer[^3] == '\n' && answer[^2] == '\r' && answer[^1] == '\n'))
        {
            if (await stream.ReadAsync(one) == 0)
            {
                throw new IOException("the receiver closed during the upgrade");
            }

            answer.Add(one[0]);
        }

        var text = System.Text.Encoding.ASCII.GetString([.. answer]);
        if (!text.StartsWith("HTTP/1.1 101 ", StringComparison.Ordinal))
        {
            throw new IOException($"the receiver refused the upgrade: {text.Split('\r')[0]}");
        }
    }

    private void Check(BenchUpstream receiver)
    {
        if (receiver.Received != Count || receiver.Errors != 0)
        {
            throw new InvalidOperationException($"the raw receiver parsed {receiver.Received} of {Count} messages, {receiver.Errors} errors (first: {receiver.FirstError})");
        }
    }
}
