using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Gateway.Protocol;
using Gateway.Protocol.Transport;

namespace Gateway.Benchmarks.Upstreams;

/// <summary>
/// The WebSocket receiver: a minimal RFC 6455 server on a loopback port, path <c>/ingest</c>, subprotocol
/// <c>gateway.v1</c>, one message per text frame. It parses frames straight from the socket's bytes, many per read,
/// and (like <see cref="TcpBenchUpstream"/>) sends one cumulative ack after each read. Before, Kestrel with
/// ASP.NET Core's WebSocket (one <c>ReceiveAsync</c> per frame, a wake-up of an ack task per frame) bounded every
/// WebSocket figure at about 110k frames/s on this machine, the link's and the raw send's alike: the receiver, not
/// the gateway, was measured. What it checks: the upgrade request (RFC 6455 §4.2.1: GET, <c>Upgrade: websocket</c>,
/// a <c>Sec-WebSocket-Key</c>, the subprotocol), that client frames are masked (§5.1) and not fragmented (the
/// protocol sends one message per frame), and it answers close (§5.5.1) and ping (§5.5.2).
/// </summary>
internal sealed class WebSocketBenchUpstream : LoopbackBenchUpstream
{
    /// <summary>RFC 6455 §1.3: appended to the client's key before hashing it into <c>Sec-WebSocket-Accept</c>.</summary>
    private const string HandshakeGuid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

    private WebSocketBenchUpstream(bool acknowledge, LatencyHistogram? latency)
        : base(acknowledge, latency)
    {
    }

    /// <summary>Where a link or a client connects.</summary>
    public Uri Url => new($"ws://127.0.0.1:{Port}/ingest");

    /// <summary>Starts listening on a free loopback port.</summary>
    public static Task<WebSocketBenchUpstream> StartAsync(bool acknowledge, LatencyHistogram? latency = null) =>
        Task.FromResult(new WebSocketBenchUpstream(acknowledge, latency));

    /// <summary>The upgrade request a raw client sends (RFC 6455 §4.1), for <see cref="RawSend"/>.</summary>
    public byte[] UpgradeRequest() => Encoding.ASCII.GetBytes(
        $"GET /ingest HTTP/1.1\r\nHost: {Url.Authority}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
        $"Sec-WebSocket-Key: {Convert.ToBase64String(RandomNumberGenerator.GetBytes(16))}\r\nSec-WebSocket-Version: 13\r\n" +
        $"Sec-WebSocket-Protocol: {WebSocketChannel.SubProtocol}\r\n\r\n");

    /// <inheritdoc/>
    protected override async Task Serve(NetworkStream stream, CancellationToken token)
    {
        var reader = PipeReader.Create(stream);
        if (!await HandshakeAsync(reader, stream, token))
        {
            return;
        }

        var reply = new ArrayBufferWriter<byte>();
        var payload = new byte[ProtocolInfo.DefaultMaxLineLength];
        long acked = 0;
        while (true)
        {
            var result = await reader.ReadAsync(token);
            var buffer = result.Buffer;
            long last = -1;
            var pinged = false;
            var closed = false;
            reply.ResetWrittenCount();
            while (TryReadFrame(ref buffer, payload, out var opcode, out var length))
            {
                switch (opcode)
                {
                    case 0x1: // text: one protocol message
                        last = Math.Max(last, Take(payload.AsSpan(0, length), out var ping));
                        pinged |= ping;
                        break;
                    case 0x8: // close: answer with a close and end (§5.5.1)
                        WriteFrame(reply, 0x8, payload.AsSpan(0, Math.Min(length, 2)));
                        closed = true;
                        break;
                    case 0x9: // ping: pong with the same payload (§5.5.2)
                        WriteFrame(reply, 0xA, payload.AsSpan(0, length));
                        break;
                    case 0xA: // an unsolicited pong is allowed and ignored (§5.5.3)
                        break;
                    default:
                        throw new InvalidDataException($"opcode {opcode} is not one this protocol sends");
                }

                if (closed)
                {
                    break;
                }
            }

            reader.AdvanceTo(buffer.Start, buffer.End);
            if (Acknowledge && last > acked)
            {
                Message(reply, new AckMessage(last));
                acked = last;
                CountAck();
            }

            if (pinged)
            {
                Message(reply, new PongMessage());
            }

            if (reply.WrittenCount > 0)
            {
                await stream.WriteAsync(reply.WrittenMemory, token);
            }

            if (closed || result.IsCompleted)
            {
                return;
            }
        }
    }

    // RFC 6455 §4.2.1-§4.2.2: the client's GET with the upgrade headers; the 101 answer with the accept hash and the subprotocol.
    private static async Task<bool> HandshakeAsync(PipeReader reader, NetworkStream stream, CancellationToken token)
    {
        while (true)
        {
            var result = await reader.ReadAsync(token);
            var buffer = result.Buffer;
            if (buffer.Length > 8192)
            {
                return false; // no upgrade request is that long
            }

            var request = Encoding.ASCII.GetString(buffer.ToArray());
            var headerEnd = request.IndexOf("\r\n\r\n", StringComparison.Ordinal);
            if (headerEnd < 0)
            {
                if (result.IsCompleted)
                {
                    return false;
                }

                reader.AdvanceTo(buffer.Start, buffer.End);
                continue;
            }

            reader.AdvanceTo(buffer.GetPosition(headerEnd + 4));
            var lines = request[..headerEnd].Split("\r\n");
            string? Header(string name) => lines.Skip(1).Select(l => l.Split(':', 2)).Where(p => p.Length == 2 && p[0].Trim().Equals(name, StringComparison.OrdinalIgnoreCase)).Select(p => p[1].Trim()).FirstOrDefault();
            var key = Header("Sec-WebSocket-Key");
            if (!lines[0].StartsWith("GET /ingest ", StringComparison.Ordinal) || key is null
                || !string.Equals(Header("Upgrade"), "websocket", StringComparison.OrdinalIgnoreCase)
                || !(Header("Sec-WebSocket-Protocol") ?? string.Empty).Split(',').Any(p => p.Trim() == WebSocketChannel.SubProtocol))
            {
                await stream.WriteAsync("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"u8.ToArray(), token);
                return false;
            }

#pragma warning disable CA5350 // RFC 6455 §4.2.2 prescribes SHA-1 for the accept hash; it proves nothing secret
            var accept = Convert.ToBase64String(SHA1.HashData(Encoding.ASCII.GetBytes(key + HandshakeGuid)));
#pragma warning restore CA5350
            await stream.WriteAsync(Encoding.ASCII.GetBytes(
                $"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: {accept}\r\nSec-WebSocket-Protocol: {WebSocketChannel.SubProtocol}\r\n\r\n"), token);
            return true;
        }
    }

    /// <summary>
    /// Takes one whole client frame off <paramref name="buffer"/> (RFC 6455 §5.2) and unmasks its payload into
    /// <paramref name="payload"/>; false, with <paramref name="buffer"/> untouched, when the frame is not all here yet.
    /// </summary>
    private static bool TryReadFrame(ref ReadOnlySequence<byte> buffer, byte[] payload, out int opcode, out int length)
    {
        opcode = 0;
        length = 0;
        Span<byte> header = stackalloc byte[14];
        var available = (int)Math.Min(buffer.Length, header.Length);
        if (available < 2)
        {
            return false;
        }

        buffer.Slice(0, available).CopyTo(header);
        if ((header[0] & 0x80) == 0 || (header[0] & 0x70) != 0)
        {
            throw new InvalidDataException("a fragmented frame or reserved bits set: the protocol sends one message per whole frame");
        }

        if ((header[1] & 0x80) == 0)
        {
            throw new InvalidDataException("an unmasked client frame (RFC 6455 §5.1)");
        }

        long size = header[1] & 0x7F;
        var at = 2;
        if (size == 126)
        {
            if (available < 4)
            {
                return false;
            }

            size = BinaryPrimitives.ReadUInt16BigEndian(header[2..]);
            at = 4;
        }
        else if (size == 127)
        {
            if (available < 10)
            {
                return false;
            }

            size = (long)BinaryPrimitives.ReadUInt64BigEndian(header[2..]);
            at = 10;
        }

        if (size > payload.Length)
        {
            throw new InvalidDataException($"a frame of {size} bytes; at most {payload.Length} are taken");
        }

        if (available < at + 4 || buffer.Length < at + 4 + size)
        {
            return false;
        }

        var mask = BinaryPrimitives.ReadUInt32LittleEndian(header[at..]);
        length = (int)size;
        opcode = header[0] & 0x0F;
        var body = payload.AsSpan(0, length);
        buffer.Slice(at + 4, size).CopyTo(body);
        Unmask(body, mask);
        buffer = buffer.Slice(at + 4 + size);
        return true;
    }

    // §5.3: payload byte i is XORed with mask byte i mod 4; eight bytes at a time, then the rest.
    private static void Unmask(Span<byte> body, uint mask)
    {
        var wide = mask | ((ulong)mask << 32);
        var i = 0;
        for (; i + 8 <= body.Length; i += 8)
        {
            var chunk = BinaryPrimitives.ReadUInt64LittleEndian(body[i..]);
            BinaryPrimitives.WriteUInt64LittleEndian(body[i..], chunk ^ wide);
        }

        for (; i < body.Length; i++)
        {
            body[i] ^= (byte)(mask >> (8 * (i & 3)));
        }
    }

    private static void Message(ArrayBufferWriter<byte> reply, Message message)
    {
        var json = new ArrayBufferWriter<byte>(64);
        MessageWriter.Write(message, json);
        WriteFrame(reply, 0x1, json.WrittenSpan);
    }

    // A server frame: final, unmasked (§5.1), with the 7- or 16-bit length.
    private static void WriteFrame(ArrayBufferWriter<byte> output, int opcode, ReadOnlySpan<byte> body)
    {
        var header = output.GetSpan(4 + body.Length);
        header[0] = (byte)(0x80 | opcode);
        var at = 2;
        if (body.Length < 126)
        {
            header[1] = (byte)body.Length;
        }
        else
        {
            header[1] = 126;
            BinaryPrimitives.WriteUInt16BigEndian(header[2..], (ushort)body.Length);
            at = 4;
        }

        body.CopyTo(header[at..]);
        output.Advance(at + body.Length);
    }
}
