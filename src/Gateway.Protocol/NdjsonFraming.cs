using System.Buffers;

namespace Gateway.Protocol;

/// <summary>What <see cref="NdjsonFraming.TryReadLine"/> found.</summary>
public enum LineStatus
{
    /// <summary>A whole line was taken from the buffer.</summary>
    Line,

    /// <summary>No newline yet: read more.</summary>
    Incomplete,

    /// <summary>More than the maximum line length arrived without a newline: the peer is at fault.</summary>
    TooLong,
}

/// <summary>
/// NDJSON framing over pipelines: one message per line, <c>\n</c>-terminated (a trailing <c>\r</c> is dropped).
/// A pure function over the received bytes, in the shape of BedrockFramework's message readers.
/// </summary>
public static class NdjsonFraming
{
    /// <summary>Takes the next line off <paramref name="buffer"/> (without its terminator), advancing the buffer past it.</summary>
    public static LineStatus TryReadLine(ref ReadOnlySequence<byte> buffer, int maxLength, out ReadOnlySequence<byte> line)
    {
        var reader = new SequenceReader<byte>(buffer);
        if (reader.TryReadTo(out line, (byte)'\n', advancePastDelimiter: true))
        {
            if (line.Length > maxLength)
            {
                return LineStatus.TooLong;
            }

            if (!line.IsEmpty && EndsWithCr(line))
            {
                line = line.Slice(0, line.Length - 1);
            }

            buffer = buffer.Slice(reader.Position);
            return LineStatus.Line;
        }

        line = default;
        return buffer.Length > maxLength ? LineStatus.TooLong : LineStatus.Incomplete;
    }

    private static bool EndsWithCr(ReadOnlySequence<byte> line)
    {
        var last = line.Slice(line.Length - 1);
        return last.FirstSpan[0] == (byte)'\r';
    }
}
