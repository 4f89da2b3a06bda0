using System.Text;

namespace Gateway.IntegrationTests.Siege;

/// <summary>One hostile message: what kind of attack it is, and its bytes (a line without its line feed, a datagram, a frame).</summary>
internal sealed record HostilePayload(string Kind, byte[] Bytes);

/// <summary>
/// The hostile inputs of issue 14, as bytes: lone surrogates (the 17-byte datagram that stops today's gateway among
/// them), invalid UTF-8 (RFC 3629 §3: overlong forms, encoded surrogates, truncated sequences, bytes never used),
/// 100k-deep nesting, numbers no 64-bit type holds, duplicate names (RFC 8259 §4 leaves them undefined; I-JSON,
/// RFC 7493 §2.3, forbids them), oversized lines, unsigned commands with 4 KB args, forged signatures, control
/// characters and plain garbage. Pure: the senders decide where and how fast.
/// </summary>
internal static class HostilePayloads
{
    public const string LoneSurrogate = "lone surrogate";
    public const string InvalidUtf8 = "invalid UTF-8";
    public const string DeepNesting = "deep nesting";
    public const string HugeNumber = "huge number";
    public const string DuplicateNames = "duplicate names";
    public const string Oversized = "oversized line";
    public const string UnsignedBigArgs = "unsigned command, 4 KB args";
    public const string ForgedSignature = "forged signature";
    public const string Garbage = "garbage";
    public const string Empty = "empty";
    public const string Replay = "replayed signed command";

    /// <summary>How deep the nesting goes where a line may be that long (the 100k).</summary>
    public const int Depth = 100_000;

    // Fits a UDP datagram (at most 65,507 bytes over IPv4).
    private const int DatagramDepth = 60_000;

    /// <summary>Hostile NDJSON lines for a peer whose longest accepted line is <paramref name="maxLineLength"/> bytes.</summary>
    public static IReadOnlyList<HostilePayload> Lines(string device, int maxLineLength) =>
    [
        .. Common(device, Depth),
        new(Empty, []),
        new(Empty, "   \r"u8.ToArray()),
        new(Oversized, Encoding.UTF8.GetBytes($$"""{"type":"ping","pad":"{{new string('x', maxLineLength + 1024)}}"}""")),
    ];

    /// <summary>Hostile datagrams for the UDP command port, the empty one included.</summary>
    public static IReadOnlyList<HostilePayload> Datagrams(string device) =>
    [
        .. Common(device, DatagramDepth),
        new(Empty, []),
        new(Empty, []),
    ];

    private static IEnumerable<HostilePayload> Common(string device, int depth)
    {
        var ts = DateTimeOffset.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture);
        var zeros = new string('0', 64);
        string Command(string id, string name, string args, string extra = "") =>
            $$"""{"type":"command","id":"{{id}}","device":"{{device}}","name":"{{name}}","args":{{args}},"key":"operator","ts":"{{ts}}","nonce":"nonce-hostile-{{id.Length}}","sig":"{{zeros}}"{{extra}}}""";

        // Lone surrogates: the escapes are valid JSON text, the string they make is not valid UTF-16.
        yield return Text(LoneSurrogate, """{"type":"\ud800"}""");
        yield return Text(LoneSurrogate, """{"type":"ping","note":"\udfff"}""");
        yield return Text(LoneSurrogate, """{"type":"hello","device":"x","firmware":"1","protocol":1,"sensors":["\ud800"],"nextSeq":1}""");
        yield return Text(LoneSurrogate, Command("\\ud800", "ping", "{}"));
        yield return Text(LoneSurrogate, Command("s-2", "output.set", """{"output":"\udbff","on":true}"""));
        yield return Text(LoneSurrogate, Command("s-3", "ping", """{"\udc00":1}"""));
        yield return Text(LoneSurrogate, Command("s-4", "output.set", """{"output":"relay","on":true}""").Replace("\"key\":\"operator\"", "\"key\":\"\\ud800\"", StringComparison.Ordinal));

        // Invalid UTF-8 inside otherwise well-formed lines.
        yield return Bytes(InvalidUtf8, "{\"type\":\"ping\",\"note\":\"", [0xC3, 0x28], "\"}");
        yield return Bytes(InvalidUtf8, string.Empty, [0xFF, 0xFE, 0xFD], string.Empty);
        yield return Bytes(InvalidUtf8, "{\"type\":\"", [0xC0, 0xAF], "\"}");
        yield return Bytes(InvalidUtf8, "{\"type\":\"ping\",\"x\":\"", [0xED, 0xA0, 0x80], "\"}");
        yield return Bytes(InvalidUtf8, "{\"type\":\"command\",\"id\":\"", [0xE2, 0x82], "\"}");

        // Nesting far beyond any sane depth.
        yield return Text(DeepNesting, new string('[', depth));
        yield return Text(DeepNesting, "{\"type\":\"ping\",\"x\":" + new string('[', depth - 20));
        yield return Text(DeepNesting, Command("n-1", "output.set", new StringBuilder().Insert(0, "{\"a\":", (depth / 5) - 100).ToString()));

        // Numbers no 64-bit type holds.
        yield return Text(HugeNumber, """{"type":"ack","seq":1e999999}""");
        yield return Text(HugeNumber, """{"type":"ack","seq":123456789012345678901234567890}""");
        yield return Text(HugeNumber, "{\"type\":\"ack\",\"seq\":" + new string('9', 5000) + "}");
        yield return Text(HugeNumber, """{"type":"ack","seq":-9223372036854775809}""");
        yield return Text(HugeNumber, Command("h-1", "output.set", """{"output":"relay","on":true,"for":1e400}"""));
        yield return Text(HugeNumber, Command("h-2", "sampling.set", """{"sensor":"env","interval":"20ms","quantity":"temperature","deadband":-1e309}"""));

        // Duplicate names: which value wins is undefined unless they are refused.
        yield return Text(DuplicateNames, """{"type":"ping","type":"command"}""");
        yield return Text(DuplicateNames, """{"type":"ack","seq":1,"seq":2}""");
        yield return Text(DuplicateNames, Command("d-1", "output.set", """{"output":"led","output":"relay","on":true}"""));
        yield return Text(DuplicateNames, Command("d-2", "ping", "{}", $",\"sig\":\"{new string('1', 64)}\""));

        // Unsigned, with args just under MaxArgsBytes (4096): the audit-wiping flood of finding 4.
        yield return Text(UnsignedBigArgs, $$$"""{"type":"command","id":"unsigned","device":"{{{device}}}","name":"output.set","args":{"output":"relay","on":true,"note":"{{{new string('x', 4000)}}}"}}""");

        // Signed with a key that exists, but not by it.
        yield return Text(ForgedSignature, Command("f-1", "output.set", """{"output":"relay","on":true}"""));

        // Garbage: other protocols, control characters, JSON that is not an object.
        yield return Text(Garbage, "GET / HTTP/1.1");
        yield return Text(Garbage, "\u001b[2J\u001b[31m{\"type\":\"ping\"}");
        yield return Text(Garbage, """{"type":"\u001b[31mred\u0007"}""");
        yield return Bytes(Garbage, string.Empty, [0x00, 0x00, 0x01, 0x02], string.Empty);
        yield return Text(Garbage, "null");
        yield return Text(Garbage, "[]");
        yield return Text(Garbage, "42");
        yield return Text(Garbage, """{"type":"ping""");
        yield return Text(Garbage, """{"type":"result","id":"x","ok":true}""");
        yield return Text(Garbage, """{"type":"ack","seq":"12"}""");
    }

    private static HostilePayload Text(string kind, string text) => new(kind, Encoding.UTF8.GetBytes(text));

    private static HostilePayload Bytes(string kind, string before, byte[] bytes, string after) =>
        new(kind, [.. Encoding.UTF8.GetBytes(before), .. bytes, .. Encoding.UTF8.GetBytes(after)]);
}
