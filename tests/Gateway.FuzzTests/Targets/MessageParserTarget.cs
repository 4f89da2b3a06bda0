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
    public string Name => "protocol-parser";

    public IReadOnlyList<byte[]> Corpus { get; } = Engine.Corpus.ProtocolMessages();

    public int MaxInputBytes => ProtocolInfo.DefaultMaxLineLength;

    public bool Synchronous => true;

    // Linear in the input: its copy, System.Text.Json's token table (12 bytes a byte, rented), the names the I-JSON
    // check keeps, the written copy. Measured at most 52 bytes a byte (seed 14); the limit catches anything superlinear.
    public long AllocationLimit(int length) => (256 * 1024) + (64L * length);

    public string Run(byte[] input)
    {
        var message = MessageParser.Parse(input) ?? throw new FuzzPropertyException("Parse returned null");
        if (message is ErrorMessage { Code: var code, Message: var text } && string.IsNullOrWhiteSpace(text))
        {
            throw new FuzzPropertyException($"error {code} without a message");
        }

        var written = MessageWriter.ToJson(message);
        var again = MessageWriter.ToJson(MessageParser.Parse(System.Text.Encoding.UTF8.GetBytes(written)));
        if (!string.Equals(written, again, StringComparison.Ordinal))
        {
            throw new FuzzPropertyException($"parsed, written and parsed again it changed: {written} became {again}");
        }

        return message is ErrorMessage error ? "error " + error.Code : message.Type;
    }
}
