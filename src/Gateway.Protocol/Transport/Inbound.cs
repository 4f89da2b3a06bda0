using System.Buffers;

namespace Gateway.Protocol.Transport;

/// <summary>
/// One message as received: either a <see cref="Message"/> the peer sent (including an <c>error</c> it sent), or the
/// parser's verdict on a line that was not a valid message (<see cref="Problem"/>), which is answered, never echoed.
/// The one parse path for what a peer sends (links, listeners, gwctl): should anything under it ever throw on some
/// input (a lone surrogate escape did, issue 14), the line is a problem to answer, so one line from one peer costs that
/// line and never the connection or the service.
/// </summary>
/// <param name="Message">The message, or null when the line was bad.</param>
/// <param name="Problem">What was wrong with the line, ready to send back; null when it parsed.</param>
public sealed record Inbound(Message? Message, ErrorMessage? Problem)
{
    /// <summary>Parses one line or frame (without its line feed).</summary>
    public static Inbound Parse(ReadOnlySpan<byte> bytes)
    {
        try
        {
            // MessageParser answers bad input with an ErrorMessage, and a peer's own {"type":"error"} parses to one too: the
            // parse says which, so a peer's error is never mistaken for bad input and bounced back (an error loop).
            var message = MessageParser.Parse(bytes, out var saysError);
            return message is ErrorMessage error && !saysError ? new Inbound(null, error) : new Inbound(message, null);
        }
#pragma warning disable CA1031 // defence in depth: whatever a parser bug throws, the peer gets an error and the line is dropped
        catch (Exception ex) when (ex is not OutOfMemoryException)
#pragma warning restore CA1031
        {
            return new Inbound(null, new ErrorMessage(ErrorCodes.MalformedJson, $"the message could not be read ({ex.GetType().Name}: {ex.Message})"));
        }
    }

    /// <summary>Parses one line (without its line feed), in one piece or in several.</summary>
    public static Inbound Parse(in ReadOnlySequence<byte> bytes) => Parse(bytes.IsSingleSegment ? bytes.FirstSpan : bytes.ToArray());
}
