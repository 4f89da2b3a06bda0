using System.Text.Json;
namespace Gateway.Protocol.Transport;

/// <summary>
/// One message as received: either a <see cref="Message"/> the peer sent (including an <c>error</c> it sent), or the
/// parser's verdict on a line that was not a valid message (<see cref="Problem"/>), which is answered, never echoed.
/// </summary>
/// <param name="Message">The message, or null when the line was bad.</param>
/// <param name="Problem">What was wrong with the line, ready to send back; null when it parsed.</param>
public sealed record Inbound(Message? Message, ErrorMessage? Problem)
{
    /// <summary>Parses one line or frame (without its line feed).</summary>
    public static Inbound Parse(ReadOnlySpan<byte> bytes)
    {
        var message = MessageParser.Parse(bytes);
        return message is ErrorMessage error && !IsErrorTyped(bytes) ? new Inbound(null, error) : new Inbound(message, null);
    }

    // MessageParser answers bad input with an ErrorMessage, and a peer's own {"type":"error"} parses to one too: tell
    // them apart by the type field, so a peer's error is never mistaken for bad input and bounced back (an error loop).
    private static bool IsErrorTyped(ReadOnlySpan<byte> bytes)
    {
        try
        {
            var reader = new Utf8JsonReader(bytes, new JsonReaderOptions { MaxDepth = 8 });
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return false;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isType = reader.ValueTextEquals("type"u8);
                reader.Read();
                if (isType)
                {
                    return reader.TokenType == JsonTokenType.String && reader.ValueTextEquals("error"u8);
                }

                reader.Skip();
            }

            return false;
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
