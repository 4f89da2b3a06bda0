using System.Buffers;
using Gateway.Mqtt.Packets;

namespace Gateway.Mqtt.Framing;

/// <summary>
/// One control packet cut out of the byte stream: the fixed header's type and flags (MQTT-2.2) and the body (variable
/// header and payload, exactly Remaining Length bytes). The body points into the reader's buffer: it is valid only
/// until the reader advances.
/// </summary>
/// <param name="Type">The packet type (high nibble of the first byte).</param>
/// <param name="Flags">The flags (low nibble of the first byte).</param>
/// <param name="Body">The remaining bytes of the packet.</param>
public readonly record struct MqttFrame(MqttPacketType Type, byte Flags, ReadOnlySequence<byte> Body)
{
    /// <summary>The body's length, which is the packet's Remaining Length.</summary>
    public int RemainingLength => (int)Body.Length;
}
