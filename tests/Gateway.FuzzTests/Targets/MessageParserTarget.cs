using Gateway.FuzzTests.Engine;
using Gateway.Protocol;

namespace Gateway.FuzzTests.Targets;

/// <summary>
/// <see cref="MessageParser.Parse"/>, which every link, listener and the UDP command port run on each line or datagram.
/// Property: a message or an <see cref="ErrorMessage"/> for any bytes, never an exception; what parses writes back to
/// JSON that parses to the same text again (no message the gateway accepts is one it cannot say).
/// </summary>
internal sealed class MessageParserTarget : IFuzzTarget
{
    // An error the gateway's parser makes says what was wrong briefly; a peer's own error message is echoed as sent.
    private const int MaxErrorText = 512;

    public string Name => "protocol-parser";

    public IReadOnlyList<byte[]> Corpus { get; } = Engine.Corpus.ProtocolMessages();

    public int MaxInputBytes => ProtocolInfo.DefaultMaxLineLength;

    public bool Synchronous => true;

    // Linear in the input: the reader's exception message (which can quote the whole line), the names the I-JSON check
    // of nested objects keeps, the strings of the message, the written copy. The four-pass parser (a copy of the line
    // and a JsonDocument, 12 bytes a byte) measured at most 71 bytes a byte (seed 2026, 862,163 inputs); the one-pass
    // parser needs less; anything superlinear fails.
    public long AllocationLimit(int length) => (256 * 1024) + (96L * length);

    public string Run(byte[] input)
    {
        var message = MessageParser.Parse(input) ?? throw new FuzzPropertyException("Parse returned null");
        if (message is ErrorMessage { Code: var code, Message: var text } && (string.IsNullOrWhiteSpace(text) || (text.Length > MaxErrorText && !IsPeersOwnError(input))))
        {
            throw new FuzzPropertyException($"error {code} with a message of {text.Length} characters (empty, or echoing the input)");
        }

        var written = MessageWriter.ToJson(message);
        var again = MessageWriter.ToJson(MessageParser.Parse(System.Text.Encoding.UTF8.GetBytes(written)));
        if (!string.Equals(written, again, StringComparison.Ordinal))
        {
            throw new FuzzPropertyException($"parsed, written and parsed again it changed: {written} became {again}");
        }

        return message is ErrorMessage error ? "error " + error.Code : message.Type;
    }

    // {"type":"error",…} from the peer parses to an ErrorMessage carrying the peer's own text, however long.
    private static bool IsPeersOwnError(byte[] input)
    {
        try
        {
            using var document = System.Text.Json.JsonDocument.Parse(input);
            return document.RootElement.ValueKind == System.Text.Json.JsonValueKind.Object
                && document.RootElement.TryGetProperty("type", out var type) && type.ValueKind == System.Text.Json.JsonValueKind.String
                && type.ValueEquals("error");
        }
#pragma warning disable CA1031 // any failure to read it means it is not a well-formed error message from the peer
        catch (Exception)
#pragma warning restore CA1031
        {
            return false;
        }
    }
}
