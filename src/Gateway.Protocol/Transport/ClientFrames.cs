using System.Buffers;
using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Gateway.Protocol.Transport;

/// <summary>
/// Writes WebSocket text frames as a client sends them (RFC 6455 §5.2): final, not compressed, the payload length in
/// 7, 16 or 64 bits, and masked (§5.3) with a fresh key per frame. <c>WebSocket.SendAsync</c> asks the operating system's random source for every frame's key (an OpenSSL call with its locks and a getpid
/// each time, measured as the largest cost of a frame, issue 17 item 5); these keys come from the same source 1,024
/// at a time, so they stay unpredictable as §10.3 requires. Not thread-safe: one writer (the channel's send lock).
/// </summary>
public sealed class ClientFrames
{
    private const int KeysPerRefill = 1024;
    private readonly byte[] _keys = new byte[KeysPerRefill * 4];
    private int _next = KeysPerRefill * 4;

    /// <summary>Writes one final text frame carrying <paramref name="payload"/> to <paramref name="output"/>.</summary>
    public void WriteText(ReadOnlySpan<byte> payload, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        var frame = output.GetSpan(14 + payload.Length);
        frame[0] = 0x81; // FIN, opcode 1 (text)
        int at;
        if (payload.Length < 126)
        {
            frame[1] = (byte)(0x80 | payload.Length); // MASK bit, 7-bit length
            at = 2;
        }
        else if (payload.Length <= ushort.MaxValue)
        {
            frame[1] = 0x80 | 126;
            BinaryPrimitives.WriteUInt16BigEndian(frame[2..], (ushort)payload.Length);
            at = 4;
        }
        else
        {
            frame[1] = 0x80 | 127;
            BinaryPrimitives.WriteUInt64BigEndian(frame[2..], (ulong)payload.Length);
            at = 10;
        }

        var key = NextKey();
        key.CopyTo(frame[at..]);
        at += 4;
        Mask(payload, BinaryPrimitives.ReadUInt32LittleEndian(key), frame.Slice(at, payload.Length));
        output.Advance(at + payload.Length);
    }

    private ReadOnlySpan<byte> NextKey()
    {
        if (_next == _keys.Length)
        {
            RandomNumberGenerator.Fill(_keys);
            _next = 0;
        }

        var key = _keys.AsSpan(_next, 4);
        _next += 4;
        return key;
    }

    // §5.3: octet i of the payload is XORed with octet i mod 4 of the key; eight octets at a time, then the rest.
    private static void Mask(ReadOnlySpan<byte> payload, uint key, Span<byte> masked)
    {
        var wide = key | ((ulong)key << 32);
        var i = 0;
        for (; i + 8 <= payload.Length; i += 8)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(masked[i..], BinaryPrimitives.ReadUInt64LittleEndian(payload[i..]) ^ wide);
        }

        for (; i < payload.Length; i++)
        {
            masked[i] = (byte)(payload[i] ^ (byte)(key >> (8 * (i & 3))));
        }
    }
}
