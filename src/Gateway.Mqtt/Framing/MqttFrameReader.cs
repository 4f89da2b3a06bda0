using System.Buffers;
using Gateway.Mqtt.Packets;

namespace Gateway.Mqtt.Framing;

/// <summary>
/// Cuts whole control packets out of a byte stream (MQTT-2.2): a pure function over a <see cref="ReadOnlySequence{T}"/>
/// in the shape of a System.IO.Pipelines message reader. Nothing is copied.
/// </summary>
public static class MqttFrameReader
{
    /// <summary>
    /// Reads one packet from the start of <paramref name="buffer"/>. On success <paramref name="buffer"/> is moved past
    /// the packet and <paramref name="frame"/> holds it; when the bytes end inside the packet, returns false and leaves
    /// <paramref name="buffer"/> as it was (read more, then call again).
    /// </summary>
    /// <param name="buffer">The unread bytes; advanced past the packet on success.</param>
    /// <param name="maximumRemainingLength">The largest body accepted; checked as soon as the header is complete, before the body arrives.</param>
    /// <param name="frame">The packet read.</param>
    /// <exception cref="MqttProtocolViolationException">A reserved packet type (0 or 15) or a remaining length over 4 bytes.</exception>
    /// <exception cref="MqttPacketTooLargeException">The body is announced larger than <paramref name="maximumRemainingLength"/>.</exception>
    public static bool TryRead(ref ReadOnlySequence<byte> buffer, int maximumRemainingLength, out MqttFrame frame)
    {
        frame = default;
        var reader = new SequenceReader<byte>(buffer);
        if (!reader.TryRead(out var first))
        {
            return false;
        }

        var type = first >> 4;
        if (type is 0 or 15)
        {
            // Table 2.1: 0 and 15 are reserved ("Forbidden") in MQTT 3.1.1.
            throw new MqttProtocolViolationException("MQTT-2.2.1", $"packet type {type} is reserved (first byte 0x{first:X2}); the peer is not speaking MQTT 3.1.1");
        }

        if (!MqttRemainingLength.TryRead(ref reader, out var remaining))
        {
            return false;
        }

        if (remaining > maximumRemainingLength)
        {
            throw new MqttPacketTooLargeException(remaining, maximumRemainingLength);
        }

        if (reader.Remaining < remaining)
        {
            return false;
        }

        var body = buffer.Slice(reader.Position, remaining);
        frame = new MqttFrame((MqttPacketType)type, (byte)(first & 0x0F), body);
        buffer = buffer.Slice(body.End);
        return true;
    }
}
