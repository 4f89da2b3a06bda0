using System.Text;
using System.Text.Json;
using Gateway.Protocol.Commands;

namespace Gateway.Protocol.Tests;

/// <summary>
/// Issue 14: input that is grammatical JSON but not I-JSON (RFC 7493) — lone surrogate escapes, duplicate names —
/// gets a typed answer from every parser of the protocol, never an exception of another type.
/// </summary>
public class HostileInputTests
{
    private static readonly byte[] Secret = Convert.FromBase64String("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=");

    private static Message Parse(string json) => MessageParser.Parse(Encoding.UTF8.GetBytes(json));

    public static TheoryData<string, string> LoneSurrogates() => new()
    {
        { """{"type":"\ud800"}""", "'type'" },
        { """{"type":"\udfff"}""", "'type'" },
        { """{"type":"ack","seq":1,"note":"a\udc00b"}""", "'note'" },
        { """{"type":"reading","device":"\ud800","seq":1,"ts":"2026-11-23T06:30:54.474Z","sensor":"s","quantity":"q","value":1,"unit":"u"}""", "'device'" },
        { """{"type":"hello","device":"d","firmware":"f","protocol":1,"sensors":["env","\ud800"],"nextSeq":1}""", "'sensors[1]'" },
        { """{"type":"beacon","device":"d","firmware":"f","uptime":1,"listeners":["\udbff"]}""", "'listeners[0]'" },
        { """{"type":"command","id":"c-1","name":"\ud800"}""", "'name'" },
        { """{"type":"command","id":"\ud800"}""", "'id'" },
        { """{"type":"command","id":"c-1","key":"k","sig":"\ud800\ud800"}""", "'sig'" },
        { """{"type":"result","id":"c-1","ok":true,"data":{"x":["\ud800"]}}""", "'data.x[0]'" },
        { """{"type":"error","code":"x","message":"\ud800"}""", "'message'" },
        { """{"type":"ack","seq":1,"\ud800":1}""", "a name in the message" },
    };

    [Theory]
    [MemberData(nameof(LoneSurrogates))]
    public void Lone_surrogate_in_any_string_gets_a_bad_field_error_naming_where_it_is(string json, string where)
    {
        var error = Assert.IsType<ErrorMessage>(Parse(json));

        Assert.Equal(ErrorCodes.BadField, error.Code);
        Assert.Contains(where, error.Message, StringComparison.Ordinal);
        Assert.Contains("lone surrogate", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_surrogate_pair_escape_is_text_and_parses()
    {
        var ack = Parse("""{"type":"ack","seq":1,"note":"\ud83d\ude00"}""");
        Assert.Equal(new AckMessage(1), ack);
        Assert.Equal("😀", Assert.IsType<ErrorMessage>(Parse("""{"type":"error","code":"x","message":"\ud83d\ude00"}""")).Message);
    }

    [Fact]
    public void A_command_with_a_lone_surrogate_in_its_args_parses_with_its_id_and_the_canonical_form_refuses_it_as_a_format_error()
    {
        // Finding 11: the pipeline needs the id to answer; it gets the command, and CanonicalArgs (its bad_field check)
        // refuses the args with a FormatException instead of throwing InvalidOperationException out of the pipeline.
        var command = Assert.IsType<CommandMessage>(Parse("""{"type":"command","id":"c-9","device":"gw-01","name":"output.set","args":{"output":"\ud800","on":true},"key":"operator","ts":"2026-11-23T09:00:00.000Z","nonce":"nonce-0001","sig":"00"}"""));

        Assert.Equal("c-9", command.Id);
        var refused = Assert.Throws<FormatException>(() => CommandSigning.CanonicalArgs(command.Args));
        Assert.Contains("'args.output'", refused.Message, StringComparison.Ordinal);
        Assert.Contains("lone surrogate", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_command_with_duplicate_names_in_its_args_parses_with_its_id_and_the_canonical_form_refuses_it_naming_the_name()
    {
        var command = Assert.IsType<CommandMessage>(Parse("""{"type":"command","id":"c-10","device":"gw-01","name":"output.set","args":{"output":"led","output":"relay","on":true},"key":"operator","ts":"2026-11-23T09:00:00.000Z","nonce":"nonce-0001","sig":"00"}"""));

        Assert.Equal("c-10", command.Id);
        var refused = Assert.Throws<FormatException>(() => CommandSigning.CanonicalArgs(command.Args));
        Assert.Contains("duplicate name 'output' in 'args'", refused.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"output":"led","output":"relay","on":true}""", "duplicate name 'output' in 'args'")]
    [InlineData("""{"a":{"b":{"c":1,"c":2}}}""", "duplicate name 'c' in 'args.a.b'")]
    [InlineData("""{"list":[{"x":1},{"x":1,"\u0078":2}]}""", "duplicate name 'x' in 'args.list[1]'")]
    public void Duplicate_names_in_args_are_refused_at_every_depth(string args, string expected) =>
        Assert.Contains(expected, Assert.Throws<FormatException>(() => CommandSigning.CanonicalArgs(args)).Message, StringComparison.Ordinal);

    [Fact]
    public void Signing_arguments_with_duplicate_names_is_refused_so_no_two_readers_can_disagree_on_what_was_signed() =>
        Assert.Throws<FormatException>(() => CommandSigning.Create("operator", Secret, "gw-01", "c-1", "output.set", """{"output":"led","output":"relay","on":true}""", DateTimeOffset.UnixEpoch, "nonce-0001"));

    [Theory]
    [InlineData("""{"type":"ack","seq":1,"seq":2}""", "duplicate name 'seq' in the message")]
    [InlineData("""{"type":"ack","type":"ping","seq":1}""", "duplicate name 'type' in the message")]
    [InlineData("""{"type":"ack","seq":1,"x":{"a":1,"a":2}}""", "duplicate name 'a' in 'x'")]
    [InlineData("""{"type":"result","id":"c-1","ok":true,"data":{"on":true,"on":false}}""", "duplicate name 'on' in 'data'")]
    [InlineData("""{"type":"command","id":"c-1","args":{},"args":{"on":true}}""", "duplicate name 'args' in the message")]
    [InlineData("""{"type":"ping","args":{"a":1,"a":2}}""", "duplicate name 'a' in 'args'")]
    public void Duplicate_names_in_a_message_are_refused_as_bad_field_naming_the_name(string json, string expected)
    {
        var error = Assert.IsType<ErrorMessage>(Parse(json));

        Assert.Equal(ErrorCodes.BadField, error.Code);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"output":"led","output":"relay","on":true}""")]
    [InlineData("""{"x":"\ud800"}""")]
    [InlineData("""{"\udc00":1}""")]
    [InlineData("""{"x":1e400}""")]
    public void The_canonicalizer_refuses_what_rfc_8785_cannot_canonicalize_with_a_format_error(string json)
    {
        using var document = JsonDocument.Parse(json);
        Assert.Throws<FormatException>(() => JsonCanonicalizer.Canonicalize(document.RootElement));
    }

    [Theory]
    [InlineData("""{"type":"hello","device":"d","firmware":"f","protocol":1,"sensors":[1],"nextSeq":1}""", "'sensors'")]
    [InlineData("""{"type":"beacon","device":"d","firmware":"f","uptime":1,"listeners":[null]}""", "'listeners'")]
    [InlineData("""{"type":"hello","device":"d","firmware":"f","protocol":4294967297,"sensors":[],"nextSeq":1}""", "'protocol'")]
    public void Wrong_typed_or_out_of_range_fields_are_bad_fields_not_exceptions(string json, string field)
    {
        var error = Assert.IsType<ErrorMessage>(Parse(json));

        Assert.Equal(ErrorCodes.BadField, error.Code);
        Assert.Contains(field, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_upper_case_signature_does_not_verify_because_only_the_documented_lower_case_form_is_accepted()
    {
        var command = CommandSigning.Create("operator", Secret, "gw-01", "c-0001", "output.set", """{"output":"relay","on":true,"for":"5s"}""", new DateTimeOffset(2026, 11, 23, 9, 0, 0, TimeSpan.Zero), "00112233445566778899aabbccddeeff");
        var canonical = CommandSigning.CanonicalString(command);

        Assert.True(CommandSigning.Verify(Secret, canonical, command.Signature));
        Assert.False(CommandSigning.Verify(Secret, canonical, command.Signature!.ToUpperInvariant()));
    }

    [Theory]
    [InlineData("""{"key":"\ud800","secret":"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="}""", "lone surrogate")]
    [InlineData("""{"key":"a","key":"b","secret":"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="}""", "duplicate name 'key'")]
    public void A_key_file_that_is_not_i_json_says_what_is_wrong(string text, string expected) =>
        Assert.Contains(expected, Assert.Throws<FormatException>(() => CommandKeyFile.Parse(text)).Message, StringComparison.Ordinal);

    [Fact]
    public void Args_holding_a_lone_surrogate_character_in_the_string_itself_are_refused_as_a_format_error() =>
        Assert.Throws<FormatException>(() => CommandSigning.CanonicalArgs("{\"x\":\"" + '\ud800' + "\"}"));

    [Fact]
    public void A_line_of_garbage_gets_a_short_error_that_does_not_echo_the_line()
    {
        // Found by the fuzzer's long run (protocol-parser, seed 2026, input 623287): 64 KiB of `n\x01"` repeated got an
        // error quoting all 64 KiB (System.Text.Json quotes an invalid literal to the next delimiter) — an echo, and
        // 4.6 MB allocated.
        var garbage = Enumerable.Repeat("n\u0001\"", 64 * 1024 / 3).SelectMany(Encoding.UTF8.GetBytes).ToArray();

        var error = Assert.IsType<ErrorMessage>(MessageParser.Parse(garbage));

        Assert.Equal(ErrorCodes.MalformedJson, error.Code);
        Assert.True(error.Message.Length <= 300, $"the error is {error.Message.Length} characters long for {garbage.Length} bytes of input");
    }
}
