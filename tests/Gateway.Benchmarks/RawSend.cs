using System.Buffers;
using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using Gateway.Benchmarks.Upstreams;
using Gateway.Links;
using Gateway.Protocol;
using Gateway.Protocol.Transport;

namespace Gateway.Benchmarks;

/// <summary>
/// The yardstick: the same protocol messages as a link would send, encoded beforehand, written over a raw loopback
/// TCP socket (all bytes in one write) or a raw client WebSocket (one text frame per message, as the protocol frames
/// them) to a receiver that parses every message the same way the link's receiver does, without acks.
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

    /// <summary>Sends every message as one text frame over a raw client WebSocket and waits until the receiver has parsed the last; measures that.</summary>
    public async Task<Measured> OverWebSocketAsync(long lastSeq, TimeSpan timeout)
    {
        await using var receiver = await WebSocketBenchUpstream.StartAsync(acknowledge: false);
        var meter = Meter.Start();
        using var socket = new ClientWebSocket();
        socket.Options.AddSubProtocol(WebSocketChannel.SubProtocol);
        socket.Options.KeepAliveInterval = TimeSpan.Zero;
        await socket.ConnectAsync(receiver.Url, CancellationToken.None);
        var start = 0;
        foreach (var end in _ends)
        {
            await socket.SendAsync(_lines[start..(end - 1)], WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None);
            start = end;
        }

        await receiver.WaitForSeqAsync(lastSeq, timeout);
        var measured = meter.Read();
        await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
        Check(receiver);
        return measured;
    }

    private void Check(BenchUpstream receiver)
    {
        if (receiver.Received != Count || receiver.Errors != 0)
        {
            throw new InvalidOperationException($"the raw receiver parsed {receiver.Received} of {Count} messages, {receiver.Errors} errors (first: {receiver.FirstError})");
        }
    }
}
