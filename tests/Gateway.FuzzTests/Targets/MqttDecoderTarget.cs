using System.Buffers;
using Gateway.FuzzTests.Engine;
using Gateway.Mqtt;
using Gateway.Mqtt.Formatter;
using Gateway.Mqtt.Framing;

namespace Gateway.FuzzTests.Targets;

/// <summary>
/// The MQTT 3.1.1 packet decoder (src/Gateway.Mqtt): framing (<see cref="MqttFrameReader"/>) then
/// <see cref="MqttPacketDecoder.Decode"/>, on bytes as a broker (or anyone on the path without TLS) sends them, split
/// into two segments at an input-dependent point as a pipe delivers them. Property: packets, "need more bytes", or the
/// documented <see cref="MqttProtocolViolationException"/> / <see cref="MqttPacketTooLargeException"/>; nothing else.
/// </summary>
internal sealed class MqttDecoderTarget : IFuzzTarget
{
    private const int MaximumRemainingLength = 256 * 1024;

    public string Name => "mqtt-decoder";

    public IReadOnlyList<byte[]> Corpus { get; } = Engine.Corpus.MqttPackets();

    public int MaxInputBytes => MaximumRemainingLength + 5;

    public bool Synchronous => true;

    // Each decoded packet is a record with its topic (filters) as strings and its payload copied out of the frame:
    // linear in the input, at most 30 bytes a byte measured (many tiny SUBSCRIBE packets); the limit leaves room.
    public long AllocationLimit(int length) => (64 * 1024) + (48L * length);

    public string Run(byte[] input)
    {
        var buffer = TwoSegments(input, input.Length == 0 ? 0 : (input[0] + input.Length) % (input.Length + 1));
        var packets = 0;
        try
        {
            // Each frame takes at least two bytes, so this ends within input.Length / 2 rounds.
            while (MqttFrameReader.TryRead(ref buffer, MaximumRemainingLength, out var frame))
            {
                _ = MqttPacketDecoder.Decode(frame) ?? throw new FuzzPropertyException("Decode returned null");
                packets++;
            }

            return packets == 0 ? "incomplete" : buffer.IsEmpty ? "packets" : "packets, then incomplete";
        }
        catch (MqttProtocolViolationException)
        {
            return "protocol violation";
        }
        catch (MqttPacketTooLargeException)
        {
            return "too large";
        }
    }

    private static ReadOnlySequence<byte> TwoSegments(byte[] input, int cut)
    {
        if (cut <= 0 || cut >= input.Length)
        {
            return new ReadOnlySequence<byte>(input);
        }

        var first = new Segment(input.AsMemory(0, cut), 0);
        var last = first.Append(input.AsMemory(cut));
        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }
}
