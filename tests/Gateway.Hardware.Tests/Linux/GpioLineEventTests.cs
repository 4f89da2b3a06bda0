using System.Device.Gpio;
using System.Buffers.Binary;
using Gateway.Hardware.Linux;

namespace Gateway.Hardware.Tests.Linux;

public class GpioLineEventTests
{
    /// <summary>A gpio_v2_line_event record as the kernel writes it (little-endian, as on the Pi and this machine).</summary>
    internal static byte[] Record(ulong timestampNs, uint id, uint offset, uint seqno, uint lineSeqno)
    {
        var bytes = new byte[48];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(0), timestampNs);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(8), id);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(12), offset);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(16), seqno);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(20), lineSeqno);
        return bytes;
    }

    [Fact]
    public void A_48_byte_record_is_decoded_field_by_field()
    {
        var e = GpioLineEvent.Parse(Record(1_234_567_890_123, 2, 17, 9, 4));

        Assert.Equal(new GpioLineEvent(1_234_567_890_123, 2, 17, 9, 4), e);
        Assert.Equal(PinEventTypes.Falling, e.EdgeType);
    }

    [Theory]
    [InlineData(1u, PinEventTypes.Rising)]
    [InlineData(2u, PinEventTypes.Falling)]
    [InlineData(0u, PinEventTypes.None)]
    [InlineData(3u, PinEventTypes.None)]
    public void The_event_id_gives_the_edge(uint id, PinEventTypes edge)
        => Assert.Equal(edge, GpioLineEvent.Parse(Record(1, id, 0, 1, 1)).EdgeType);

    [Theory]
    [InlineData(47)]
    [InlineData(49)]
    [InlineData(96)]
    public void Anything_but_one_whole_record_is_refused(int length)
        => Assert.Throws<ArgumentException>(() => GpioLineEvent.Parse(new byte[length]));

    [Fact]
    public void An_event_becomes_the_abstractions_event_args_with_timestamp_and_line_sequence()
    {
        var args = GpioLineEvent.Parse(Record(5_000_000_000, 1, 4, 12, 7)).ToEventArgs(4);

        Assert.Equal(4, args.PinNumber);
        Assert.Equal(PinEventTypes.Rising, args.ChangeType);
        Assert.Equal(5_000_000_000L, args.TimestampNanoseconds);
        Assert.Equal(7u, args.LineSequence);
    }
}
