using System.Buffers;
using System.Text;
using Gateway.Protocol;

namespace Gateway.Protocol.Tests;

public class NdjsonFramingTests
{
    private static ReadOnlySequence<byte> Segments(params string[] parts)
    {
        // A multi-segment sequence, as a pipe delivers bytes that arrived in pieces.
        var first = new Segment(Encoding.UTF8.GetBytes(parts[0]));
        var last = first;
        foreach (var part in parts.Skip(1))
        {
            last = last.Append(Encoding.UTF8.GetBytes(part));
        }

        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }

    [Fact]
    public void Lines_are_taken_one_by_one_across_segment_boundaries()
    {
        var buffer = Segments("{\"type\":\"pi", "ng\"}\n{\"type\":\"ack\",\"seq\":1}\r\n{\"ty");

        Assert.Equal(LineStatus.Line, NdjsonFraming.TryReadLine(ref buffer, 1024, out var first));
        Assert.Equal("{\"type\":\"ping\"}", Encoding.UTF8.GetString(first.ToArray()));
        Assert.Equal(LineStatus.Line, NdjsonFraming.TryReadLine(ref buffer, 1024, out var second));
        Assert.Equal("{\"type\":\"ack\",\"seq\":1}", Encoding.UTF8.GetString(second.ToArray()));
        Assert.Equal(LineStatus.Incomplete, NdjsonFraming.TryReadLine(ref buffer, 1024, out _));
        Assert.Equal("{\"ty", Encoding.UTF8.GetString(buffer.ToArray()));
    }

    [Fact]
    public void A_line_longer_than_the_limit_is_refused_with_or_without_its_newline()
    {
        var complete = Segments(new string('x', 100) + "\n");
        Assert.Equal(LineStatus.TooLong, NdjsonFraming.TryReadLine(ref complete, 64, out _));

        var endless = Segments(new string('x', 100));
        Assert.Equal(LineStatus.TooLong, NdjsonFraming.TryReadLine(ref endless, 64, out _));
    }

    [Fact]
    public void A_line_exactly_at_the_limit_is_accepted()
    {
        var buffer = Segments(new string('x', 64) + "\n");
        Assert.Equal(LineStatus.Line, NdjsonFraming.TryReadLine(ref buffer, 64, out var line));
        Assert.Equal(64, line.Length);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(byte[] data) => Memory = data;

        public Segment Append(byte[] data)
        {
            var next = new Segment(data) { RunningIndex = RunningIndex + Memory.Length };
            Next = next;
            return next;
        }
    }
}
