using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Gateway.Benchmarks;

/// <summary>
/// The raw baseline of the MQTT benchmark: a plain socket writing PUBLISH QoS 1 packets built before the clock starts
/// (MQTT 3.1.1 §3.3), many per write, with at most <see cref="Window"/> unacknowledged, and reading PUBACKs (§3.4) —
/// what the broker and the subscriber take when the publisher costs nothing. Hand-built bytes, none of our client.
/// </summary>
internal sealed class RawMqttPublisher : IAsyncDisposable
{
    /// <summary>Most packets in flight (packet ids are 16 bits and must not be reused while in flight, §2.3.1).</summary>
    public const int Window = 50_000;

    private readonly Socket _socket;
    private readonly NetworkStream _stream;
    private readonly Task _run;
    private long _acked;

    private RawMqttPublisher(Socket socket, byte[][] packets)
    {
        _socket = socket;
        _stream = new NetworkStream(socket, ownsSocket: false);
        _run = Task.WhenAll(Task.Run(() => SendAsync(packets)), Task.Run(() => ReadAcksAsync(packets.Length)));
    }

    /// <summary>Connects (CONNECT, clean session, CONNACK accepted) and starts publishing <paramref name="payloads"/> to <paramref name="topic"/>.</summary>
    public static async Task<RawMqttPublisher> StartAsync(int port, string topic, IReadOnlyList<byte[]> payloads)
    {
        var packets = new byte[payloads.Count][];
        for (var i = 0; i < payloads.Count; i++)
        {
            packets[i] = Publish(topic, (ushort)((i % 65_535) + 1), payloads[i]);
        }

        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(IPAddress.Loopback, port);
        var id = Encoding.UTF8.GetBytes("bench-raw");

        // CONNECT: "MQTT", level 4, clean session, keep alive 60 s, client id (§3.1).
        byte[] connect = [0x10, (byte)(10 + 2 + id.Length), 0, 4, (byte)'M', (byte)'Q', (byte)'T', (byte)'T', 4, 0x02, 0, 60, 0, (byte)id.Length, .. id];
        await socket.SendAsync(connect);
        var connack = new byte[4];
        await socket.ReceiveAsync(connack); // 4 bytes on loopback arrive together
        if (connack[0] != 0x20 || connack[3] != 0)
        {
            throw new InvalidOperationException($"the broker refused the raw publisher: CONNACK {Convert.ToHexString(connack)}");
        }

        return new RawMqttPublisher(socket, packets);
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        await _run.WaitAsync(TimeSpan.FromMinutes(2));
        await _stream.WriteAsync(new byte[] { 0xE0, 0 }); // DISCONNECT
        await _stream.DisposeAsync();
        _socket.Dispose();
    }

    private static byte[] Publish(string topic, ushort packetId, byte[] payload)
    {
        var name = Encoding.UTF8.GetBytes(topic);
        var remaining = 2 + name.Length + 2 + payload.Length;
        var header = new List<byte> { 0x32 }; // PUBLISH, QoS 1
        do
        {
            var digit = (byte)(remaining % 128);
            remaining /= 128;
            header.Add(remaining > 0 ? (byte)(digit | 0x80) : digit); // §2.2.3
        }
        while (remaining > 0);

        var packet = new byte[header.Count + 2 + name.Length + 2 + payload.Length];
        header.CopyTo(packet);
        var at = header.Count;
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(at), (ushort)name.Length);
        name.CopyTo(packet, at + 2);
        at += 2 + name.Length;
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(at), packetId);
        payload.CopyTo(packet, at + 2);
        return packet;
    }

    private async Task SendAsync(byte[][] packets)
    {
        var chunk = new MemoryStream(256 * 1024);
        for (var i = 0; i < packets.Length;)
        {
            while (i - Interlocked.Read(ref _acked) >= Window)
            {
                await Task.Delay(1);
            }

            chunk.SetLength(0);
            var end = Math.Min(packets.Length, i + 1_000);
            for (; i < end; i++)
            {
                chunk.Write(packets[i]);
            }

            await _stream.WriteAsync(chunk.GetBuffer().AsMemory(0, (int)chunk.Length));
        }
    }

    private async Task ReadAcksAsync(int count)
    {
        var buffer = new byte[64 * 1024];
        var pending = 0;
        while (Interlocked.Read(ref _acked) < count)
        {
            var n = await _stream.ReadAsync(buffer.AsMemory(pending));
            if (n == 0)
            {
                throw new IOException($"the broker closed the connection after {_acked:N0} PUBACKs");
            }

            pending += n;
            var whole = pending / 4 * 4; // PUBACK is 4 bytes: 0x40 0x02 id id
            for (var at = 0; at < whole; at += 4)
            {
                if (buffer[at] != 0x40)
                {
                    throw new InvalidDataException($"expected PUBACK, got 0x{buffer[at]:X2}");
                }
            }

            Interlocked.Add(ref _acked, whole / 4);
            buffer.AsSpan(whole, pending - whole).CopyTo(buffer);
            pending -= whole;
        }
    }
}
