using System.Buffers;

namespace Gateway.Mqtt.Framing;

/// <summary>
/// The fixed header's Remaining Length (MQTT-2.2.3): seven bits per byte, least significant group first, bit 7 set on
/// every byte but the last; one to four bytes, so at most 268,435,455. Pure functions over bytes.
/// </summary>
public static class MqttRemainingLength
{
    /// <summary>The largest remaining length four bytes can carry: 0xFF 0xFF 0xFF 0x7F (MQTT-2.2.3).</summary>
    public const int Maximum = 268_435_455;

    /// <summary>The most bytes the field may take (MQTT-2.2.3).</summary>
    public const int MaximumEncodedSize = 4;

    /// <summary>How many bytes <paramref name="value"/> takes: 1 up to 127, 2 up to 16,383, 3 up to 2,097,151, else 4.</summary>
    /// <exception cref="MqttProtocolViolationException">The value is negative or above <see cref="Maximum"/>.</exception>
    public static int GetEncodedSize(int value)
    {
        Check(value);
        return value switch
        {
            < 128 => 1,
            < 16_384 => 2,
            < 2_097_152 => 3,
            _ => 4,
        };
    }

    /// <summary>Writes <paramref name="value"/> at the start of <paramref name="destination"/>; returns the bytes written.</summary>
    /// <exception cref="MqttProtocolViolationException">The value is negative or above <see cref="Maximum"/>.</exception>
    /// <exception cref="ArgumentException">The destination is too short.</exception>
    public static int Encode(int value, Span<byte> destination)
    {
        var size = GetEncodedSize(value);
        if (destination.Length < size)
        {
            throw new ArgumentException($"the remaining length {value} needs {size} bytes; the destination has {destination.Length}", nameof(destination));
        }

        var i = 0;
        do
        {
            var digit = (byte)(value & 0x7F);
            value >>= 7;
            destination[i++] = value > 0 ? (byte)(digit | 0x80) : digit;
        }
        while (value > 0);
        return i;
    }

    /// <summary>
    /// Reads a remaining length from <paramref name="reader"/>. Returns false, with the reader where it was, when the
    /// bytes end before the field does (wait for more).
    /// </summary>
    /// <exception cref="MqttProtocolViolationException">The fourth byte still has its continuation bit set (a fifth byte would be needed).</exception>
    public static bool TryRead(ref SequenceReader<byte> reader, out int value)
    {
        value = 0;
        var start = reader.Consumed;
        for (var i = 0; i < MaximumEncodedSize; i++)
        {
            if (!reader.TryRead(out var b))
            {
                reader.Rewind(reader.Consumed - start);
                value = 0;
                return false;
            }

            value |= (b & 0x7F) << (7 * i);
            if ((b & 0x80) == 0)
            {
                return true;
            }
        }

        throw new MqttProtocolViolationException("MQTT-2.2.3", "remaining length exceeds 4 bytes (the fourth byte has its continuation bit set)");
    }

    /// <summary>Reads a remaining length from the start of <paramref name="source"/>; see <see cref="TryRead(ref SequenceReader{byte}, out int)"/>.</summary>
    public static bool TryRead(ReadOnlySpan<byte> source, out int value, out int bytesConsumed)
    {
        value = 0;
        bytesConsumed = 0;
        for (var i = 0; i < MaximumEncodedSize; i++)
        {
            if (i >= source.Length)
            {
                value = 0;
                bytesConsumed = 0;
                return false;
            }

            var b = source[i];
            value |= (b & 0x7F) << (7 * i);
            if ((b & 0x80) == 0)
            {
                bytesConsumed = i + 1;
                return true;
            }
        }

        throw new MqttProtocolViolationException("MQTT-2.2.3", "remaining length exceeds 4 bytes (the fourth byte has its continuation bit set)");
    }

    private static void Check(int value)
    {
        if (value is < 0 or > Maximum)
        {
            throw new MqttProtocolViolationException("MQTT-2.2.3", $"remaining length {value} is outside 0..{Maximum}; the packet is too large for MQTT");
        }
    }
}
