using System.Buffers;
using Gateway.Protocol;

namespace Gateway.Links;

/// <summary>
/// One line a peer sent, parsed for a link or a listener: <see cref="MessageParser"/>'s verdict — and should the parser
/// ever throw on some input (a lone surrogate escape did, issue 14), an <c>error</c> to send back instead, so one line
/// from one peer costs that line and never the connection or the service.
/// </summary>
internal static class PeerInput
{
    /// <summary>Parses one line (without its line feed).</summary>
    public static Message Parse(in ReadOnlySequence<byte> line) => Parse(line.IsSingleSegment ? line.FirstSpan : line.ToArray());

    /// <summary>Parses one message.</summary>
    public static Message Parse(ReadOnlySpan<byte> message)
    {
        try
        {
            return MessageParser.Parse(message);
        }
#pragma warning disable CA1031 // defence in depth: whatever a parser bug throws, the peer gets an error and the line is dropped
        catch (Exception ex) when (ex is not OutOfMemoryException)
#pragma warning restore CA1031
        {
            return new ErrorMessage(ErrorCodes.MalformedJson, $"the message could not be read ({ex.GetType().Name}: {ex.Message})");
        }
    }
}
