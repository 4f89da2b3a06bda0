using Gateway.Protocol.Commands;

namespace Gateway.Protocol.Tests;

/// <summary>The command signature: the worked example in docs/protocol.md, and every signed field bound.</summary>
public class CommandSigningTests
{
    private static readonly byte[] Secret = Convert.FromBase64String("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=");
    private static readonly DateTimeOffset Ts = new(2026, 11, 23, 9, 0, 0, TimeSpan.Zero);

    // The "signing-example" block of docs/protocol.md as key → value.
    private static Dictionary<string, string> DocsExample()
    {
        var docs = File.ReadAllText(Path.Combine(RepositoryRoot(), "docs", "protocol.md"));
        var start = docs.IndexOf("<!-- signing-example -->", StringComparison.Ordinal);
        var end = docs.IndexOf("<!-- /signing-example -->", StringComparison.Ordinal);
        Assert.True(start >= 0 && end > start, "docs/protocol.md has no signing-example block");
        return docs[start..end].Split('\n').Skip(1)
            .Select(l => l.Trim()).Where(l => l.Contains(':', StringComparison.Ordinal) && !l.StartsWith('<'))
            .ToDictionary(l => l[..l.IndexOf(':', StringComparison.Ordinal)], l => l[(l.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim());
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Gateway.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Gateway.sln not found");
    }

    [Fact]
    public void The_worked_example_in_the_docs_gives_the_canonical_string_and_signature_printed_there()
    {
        var e = DocsExample();
        var secret = Convert.FromBase64String(e["secret"]);

        var canonical = CommandSigning.CanonicalString(e["key"], e["device"], e["id"], e["name"], e["ts"], e["nonce"], CommandSigning.CanonicalArgs(e["args"]));

        Assert.Equal(e["canonical"].Replace("\\n", "\n", StringComparison.Ordinal), canonical);
        Assert.Equal(e["sig"], CommandSigning.Sign(secret, canonical));
        Assert.True(CommandSigning.Verify(secret, canonical, e["sig"]));
    }

    [Fact]
    public void A_created_command_verifies_and_round_trips_through_the_wire()
    {
        var command = CommandSigning.Create("operator", Secret, "gw-01", "c-0001", "output.set", """{"output":"relay","on":true,"for":"5s"}""", Ts, "00112233445566778899aabbccddeeff");

        Assert.Equal("441a447c886d2db63ce6ec6f6a9b22cd16ef7c0fa57be4928af1b86df87dfb5f", command.Signature);
        var parsed = Assert.IsType<CommandMessage>(MessageParser.Parse(System.Text.Encoding.UTF8.GetBytes(MessageWriter.ToJson(command))));
        Assert.Equal(command, parsed);
        Assert.True(CommandSigning.Verify(Secret, CommandSigning.CanonicalString(parsed), parsed.Signature));
    }

    public static TheoryData<string> Tamperings() => ["key", "device", "id", "name", "ts", "nonce", "args"];

    [Theory]
    [MemberData(nameof(Tamperings))]
    public void Changing_any_signed_field_breaks_the_signature(string field)
    {
        var c = CommandSigning.Create("operator", Secret, "gw-01", "c-1", "output.set", """{"output":"relay","on":true}""", Ts, "nonce-0001");
        var tampered = field switch
        {
            "key" => c with { Key = "operator2" },
            "device" => c with { Device = "gw-02" },
            "id" => c with { Id = "c-2" },
            "name" => c with { Name = "output.get" },
            "ts" => c with { Timestamp = "2026-11-23T09:00:01.000Z" },
            "nonce" => c with { Nonce = "nonce-0002" },
            _ => c with { Args = """{"output":"relay","on":false}""" },
        };

        Assert.False(CommandSigning.Verify(Secret, CommandSigning.CanonicalString(tampered), tampered.Signature));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("zz")]
    [InlineData("441a447c886d2db63ce6ec6f6a9b22cd16ef7c0fa57be4928af1b86df87dfb5")]
    [InlineData("441a447c886d2db63ce6ec6f6a9b22cd16ef7c0fa57be4928af1b86df87dfb5g")]
    public void A_missing_short_or_non_hex_signature_does_not_verify(string? signature) =>
        Assert.False(CommandSigning.Verify(Secret, "x", signature));

    [Fact]
    public void The_same_arguments_spelled_differently_sign_alike()
    {
        var a = CommandSigning.Create("k", Secret, "d", "i", "n", """{"on":true,"output":"relay"}""", Ts, "nonce-0001");
        var b = CommandSigning.Create("k", Secret, "d", "i", "n", """{ "output" : "relay", "on" : true }""", Ts, "nonce-0001");
        Assert.Equal(a.Signature, b.Signature);
    }

    [Theory]
    [InlineData("[1,2]")]
    [InlineData("\"x\"")]
    [InlineData("{")]
    public void Args_that_are_not_an_object_are_refused(string args) =>
        Assert.Throws<FormatException>(() => CommandSigning.CanonicalArgs(args));

    [Fact]
    public void A_key_file_round_trips_and_never_prints_its_secret()
    {
        var text = CommandKeyFile.Format("operator", Secret);
        var file = CommandKeyFile.Parse(text);

        Assert.Equal("operator", file.Key);
        Assert.Equal(Secret, file.Secret);
        Assert.DoesNotContain("AAEC", file.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"key":"k","secret":"not base64!"}""", "not base64")]
    [InlineData("""{"key":"k","secret":"AAECAw=="}""", "at least 16")]
    [InlineData("""{"secret":"AAECAw=="}""", "'key' is missing")]
    [InlineData("""[1]""", "JSON object")]
    public void A_bad_key_file_says_what_is_wrong(string text, string expected) =>
        Assert.Contains(expected, Assert.Throws<FormatException>(() => CommandKeyFile.Parse(text)).Message, StringComparison.Ordinal);

    [Fact]
    public void Results_are_written_with_data_or_code_and_parsed_back()
    {
        var ok = new ResultMessage("c-1", true, Data: """{"on":true}""");
        var refused = new ResultMessage("c-2", false, "not_allowed", "no", Duplicate: true);

        Assert.Equal("""{"type":"result","id":"c-1","ok":true,"data":{"on":true}}""", MessageWriter.ToJson(ok));
        Assert.Equal("""{"type":"result","id":"c-2","ok":false,"code":"not_allowed","message":"no","duplicate":true}""", MessageWriter.ToJson(refused));
        Assert.Equal(ok, MessageParser.Parse(System.Text.Encoding.UTF8.GetBytes(MessageWriter.ToJson(ok))));
        Assert.Equal(refused, MessageParser.Parse(System.Text.Encoding.UTF8.GetBytes(MessageWriter.ToJson(refused))));
    }

    [Fact]
    public void A_command_without_an_id_is_a_bad_field_and_a_numeric_key_too()
    {
        Assert.Equal(ErrorCodes.BadField, Assert.IsType<ErrorMessage>(MessageParser.Parse("""{"type":"command","name":"ping"}"""u8)).Code);
        Assert.Equal(ErrorCodes.BadField, Assert.IsType<ErrorMessage>(MessageParser.Parse("""{"type":"command","id":"1","key":5}"""u8)).Code);
        Assert.Null(Assert.IsType<CommandMessage>(MessageParser.Parse("""{"type":"command","id":"1"}"""u8)).Signature);
    }
}
