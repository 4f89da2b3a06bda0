using System.Text;
using Gateway.FuzzTests.Engine;
using Gateway.FuzzTests.Oracle;
using Gateway.Protocol;
using Gateway.Protocol.Transport;

namespace Gateway.FuzzTests;

/// <summary>
/// Issue 17, item 5: the one-pass parser gives every verdict the four-pass one gave (<see cref="PreviousMessageParser"/>,
/// kept as the oracle): the same message, or the same error code and text, and the same answer to "is this the peer's
/// own error?" — on generated lines and on the fuzzer's mutations of them and of the protocol corpus. The fuzzer's
/// settings apply (docs/testing.md): the suite's seed and 30,000 lines each; <c>FUZZ_SECONDS</c> runs each for that long.
/// </summary>
public sealed class OnePassParserDifferentialTests(ITestOutputHelper output)
{
    private const int Lines = 30_000;

    private static readonly FuzzSettings Settings = FuzzSettings.FromEnvironment();

    [Fact]
    public void Generated_lines_parse_to_what_the_previous_parser_gave()
    {
        var generator = new MessageLineGenerator(Settings.Seed);
        Check(generator.Next);
    }

    [Fact]
    public void Mutated_generated_lines_parse_to_what_the_previous_parser_gave()
    {
        var generator = new MessageLineGenerator(Settings.Seed + 1);
        var mutator = new Mutator(Settings.Seed, [.. Enumerable.Range(0, 500).Select(_ => generator.Next())], ProtocolInfo.DefaultMaxLineLength);
        Check(mutator.Next);
    }

    [Fact]
    public void Mutated_corpus_lines_parse_to_what_the_previous_parser_gave()
    {
        var mutator = new Mutator(Settings.Seed, Corpus.ProtocolMessages(), ProtocolInfo.DefaultMaxLineLength);
        Check(mutator.Next);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("[1,2]")]
    [InlineData("\"x\"")]
    [InlineData("7")]
    [InlineData("null")]
    [InlineData("{} {}")]
    [InlineData("{\"type\":\"ack\",\"seq\":1}x")]
    [InlineData("{\"\":{\"a\":1,\"a\":2},\"type\":\"ping\"}")]
    [InlineData("{\"\":{\"a\":\"\\ud800\"},\"type\":\"ping\"}")]
    [InlineData("{\"\":\"\\ud805\",\"type\":\"ping\"}")]
    [InlineData("{\"args\":{\"a\":1,\"a\":2},\"type\":\"ping\",\"x\":{\"b\":1,\"b\":1}}")]
    [InlineData("{\"args\":{\"a\":1,\"a\":2},\"type\":\"command\",\"id\":\"1\"}")]
    [InlineData("{\"args\":\"\\ud800\",\"type\":\"ping\"}")]
    [InlineData("{\"type\":\"result\",\"id\":\"1\",\"ok\":true,\"data\":5 }")]
    [InlineData("{\"type\":\"result\",\"id\":\"1\",\"ok\":true,\"data\":\"\\u0041\" }")]
    [InlineData("{\"type\":\"command\",\"id\":\"1\",\"args\": [1, {\"a\":[]}] }")]
    [InlineData("{\"type\":\"reading\",\"device\":\"d\",\"seq\":1,\"ts\":\"2026-11-23T06:30:54.474Z\",\"sensor\":\"s\",\"quantity\":\"q\",\"value\":1e400,\"unit\":\"u\"}")]
    [InlineData("{\"\\ud800\":1,\"type\":\"error\",\"code\":\"c\",\"message\":\"m\"}")]
    [InlineData("{\"a\":1,\"a\":2,\"type\":\"error\"}")]
    [InlineData("{\"type\":\"error\",\"code\":\"c\",\"message\":\"m\",}")]
    [InlineData("{\"type\":\"\\u0065rror\",\"code\":\"c\",\"message\":\"m\"}")]
    [InlineData("{\"\\u0074ype\":\"ack\",\"seq\":1,\"type\":\"ack\"}")]
    [InlineData("{\"type\":\"hello\",\"device\":\"d\",\"firmware\":\"f\",\"protocol\":1,\"sensors\":[\"a\",[\"b\"]],\"nextSeq\":1}")]
    public void Edge_lines_parse_to_what_the_previous_parser_gave(string line) =>
        Assert.Null(Difference(Encoding.UTF8.GetBytes(line)));

    // Lines from next, a fixed count or for FUZZ_SECONDS, each parsed by both; at most ten differences are kept.
    private void Check(Func<byte[]> next)
    {
        var differences = new List<string>();
        var outcomes = new Dictionary<string, int>(StringComparer.Ordinal);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var count = 0;
        for (; Settings.Duration is { } d ? clock.Elapsed < d : count < Lines; count++)
        {
            var line = next();
            var outcome = Label(PreviousMessageParser.Parse(line));
            outcomes[outcome] = outcomes.GetValueOrDefault(outcome) + 1;
            if (Difference(line) is { } difference && differences.Count < 10)
            {
                differences.Add(difference);
            }
        }

        output.WriteLine($"seed {Settings.Seed}, {count} lines: " + string.Join(", ", outcomes.OrderByDescending(o => o.Value).Select(o => $"{o.Key} {o.Value}")));
        Assert.True(differences.Count == 0, string.Join(Environment.NewLine + Environment.NewLine, differences));
    }

    // Null when both parsers agree on the line; else what differs, with the line.
    private static string? Difference(byte[] line)
    {
        var expected = PreviousMessageParser.Parse(line);
        var actual = MessageParser.Parse(line);
        string? difference = null;
        if (!Same(expected, actual))
        {
            difference = $"previous: {Describe(expected)}{Environment.NewLine}one-pass: {Describe(actual)}";
        }
        else if (expected is ErrorMessage && Utf8Valid(line))
        {
            // Is it the peer's own error (a message) or a line to answer (a problem)? Invalid UTF-8 is always a problem
            // now (it used to count as the peer's error when a 'type' of "error" came before the bad bytes).
            var wasPeers = PreviousMessageParser.IsErrorTyped(line);
            var isPeers = Inbound.Parse(line).Message is not null;
            if (wasPeers != isPeers)
            {
                difference = $"the peer's own error: previous {wasPeers}, one-pass {isPeers}";
            }
        }

        if (difference is null)
        {
            return null;
        }

        var shown = line.Length > 400 ? line[..400] : line;
        return $"{difference}{Environment.NewLine}line ({line.Length} bytes): {Encoding.UTF8.GetString(shown)}{Environment.NewLine}base64: {Convert.ToBase64String(shown)}";
    }

    // Messages compare by what they write (lists inside records compare by reference), errors by code and text.
    private static bool Same(Message expected, Message actual) =>
        expected.GetType() == actual.GetType() && string.Equals(MessageWriter.ToJson(expected), MessageWriter.ToJson(actual), StringComparison.Ordinal);

    private static bool Utf8Valid(byte[] line) => System.Text.Unicode.Utf8.IsValid(line);

    private static string Describe(Message message) => MessageWriter.ToJson(message);

    private static string Label(Message message) =>
        message is ErrorMessage { Code: ErrorCodes.InvalidUtf8 or ErrorCodes.MalformedJson or ErrorCodes.BadField or ErrorCodes.UnknownType } error
            ? error.Code
            : message.Type;
}
