using System.Buffers;
using System.Text;
using Gateway.Protocol;

namespace Gateway.Protocol.Tests;

/// <summary>Golden messages: the exact bytes on the wire, both ways.</summary>
public class MessageCodecTests
{
    private static readonly DateTimeOffset Ts = new(2026, 11, 23, 6, 30, 54, 474, TimeSpan.Zero);

    public static TheoryData<Message, string> Golden() => new()
    {
        { new ReadingMessage("pi-01", 42, Ts, "env", "temperature", 21.5, "Cel"),
          """{"type":"reading","device":"pi-01","seq":42,"ts":"2026-11-23T06:30:54.474Z","sensor":"env","quantity":"temperature","value":21.5,"unit":"Cel"}""" },
        { new EventMessage("pi-01", 43, Ts, "env", "health", "failed: no acknowledge from i2c-1@0x76"),
          """{"type":"event","device":"pi-01","seq":43,"ts":"2026-11-23T06:30:54.474Z","sensor":"env","kind":"health","message":"failed: no acknowledge from i2c-1@0x76"}""" },
        { new HelloMessage("pi-01", "0.1.0", 1, ["env", "door"], 44),
          """{"type":"hello","device":"pi-01","firmware":"0.1.0","protocol":1,"sensors":["env","door"],"nextSeq":44}""" },
        { new AckMessage(41), """{"type":"ack","seq":41}""" },
        { new GapMessage(1, 500, "MaxBytes"), """{"type":"gap","from":1,"to":500,"reason":"MaxBytes"}""" },
        { new ErrorMessage("unknown_type", "unknown message type 'x'"), """{"type":"error","code":"unknown_type","message":"unknown message type 'x'"}""" },
        { new BeaconMessage("pi-01", "0.1.0", 3600, ["tcp://192.0.2.10:7000"]),
          """{"type":"beacon","device":"pi-01","firmware":"0.1.0","uptime":3600,"listeners":["tcp://192.0.2.10:7000"]}""" },
        { new PingMessage(), """{"type":"ping"}""" },
        { new PongMessage(), """{"type":"pong"}""" },
    };

    [Theory]
    [MemberData(nameof(Golden))]
    public void Messages_are_written_as_the_golden_bytes(Message message, string golden)
        => Assert.Equal(golden.Replace("'", "\\u0027", StringComparison.Ordinal), MessageWriter.ToJson(message));

    [Theory]
    [MemberData(nameof(Golden))]
    public void Golden_bytes_parse_back_to_the_message(Message message, string golden)
    {
        var parsed = MessageParser.Parse(Encoding.UTF8.GetBytes(golden));
        if (message is BeaconMessage beacon)
        {
            var b = Assert.IsType<BeaconMessage>(parsed);
            Assert.Equal(beacon.Listeners, b.Listeners);
            Assert.Equal(beacon with { Listeners = b.Listeners }, b);
        }
        else if (message is HelloMessage hello)
        {
            var h = Assert.IsType<HelloMessage>(parsed);
            Assert.Equal(hello.Sensors, h.Sensors);
            Assert.Equal(hello with { Sensors = h.Sensors }, h);
        }
        else
        {
            Assert.Equal(message, parsed);
        }
    }

    [Fact]
    public void A_non_finite_value_is_written_as_null_and_read_back_as_NaN()
    {
        var json = MessageWriter.ToJson(new ReadingMessage("d", 1, Ts, "s", "q", double.NaN, "u"));
        Assert.Contains("\"value\":null", json, StringComparison.Ordinal);
        Assert.True(double.IsNaN(Assert.IsType<ReadingMessage>(MessageParser.Parse(Encoding.UTF8.GetBytes(json))).Value));
    }

    [Theory]
    [InlineData("not json", ErrorCodes.MalformedJson)]
    [InlineData("[1,2]", ErrorCodes.MalformedJson)]
    [InlineData("{\"seq\":1}", ErrorCodes.BadField)]
    [InlineData("{\"type\":7}", ErrorCodes.BadField)]
    [InlineData("{\"type\":\"teleport\"}", ErrorCodes.UnknownType)]
    [InlineData("{\"type\":\"ack\"}", ErrorCodes.BadField)]
    [InlineData("{\"type\":\"ack\",\"seq\":\"five\"}", ErrorCodes.BadField)]
    [InlineData("{\"type\":\"ack\",\"seq\":1.5}", ErrorCodes.BadField)]
    [InlineData("{\"type\":\"reading\",\"device\":\"d\",\"seq\":1,\"ts\":\"yesterday\",\"sensor\":\"s\",\"quantity\":\"q\",\"value\":1,\"unit\":\"u\"}", ErrorCodes.BadField)]
    [InlineData("{\"type\":\"ack\",\"seq\":1,\"x\":[[[[[[[[[[1]]]]]]]]]]}", ErrorCodes.MalformedJson)]
    public void Bad_input_becomes_an_error_message_with_a_code(string input, string code)
    {
        var error = Assert.IsType<ErrorMessage>(MessageParser.Parse(Encoding.UTF8.GetBytes(input)));
        Assert.Equal(code, error.Code);
        Assert.False(string.IsNullOrWhiteSpace(error.Message));
    }

    [Fact]
    public void Invalid_utf8_is_refused_as_such()
    {
        byte[] bytes = [.. "{\"type\":\"ack\",\"seq\":1,\"x\":\""u8, 0xC3, 0x28, .. "\"}"u8];
        Assert.Equal(ErrorCodes.InvalidUtf8, Assert.IsType<ErrorMessage>(MessageParser.Parse(bytes)).Code);
    }

    [Fact]
    public void Unknown_fields_are_ignored_for_forward_compatibility()
        => Assert.Equal(new AckMessage(5), MessageParser.Parse("{\"type\":\"ack\",\"seq\":5,\"future\":true}"u8));

    [Theory]
    [InlineData("""{"seq":5,"type":"ack"}""")]
    [InlineData("""{"future":{"a":[1,{"b":null}]},"seq":5,"type":"ack"}""")]
    [InlineData("""{"\u0074ype":"ack","s\u0065q":5}""")]
    [InlineData("""{"type":"\u0061ck","seq":5}""")]
    [InlineData(" \t{ \"type\" : \"ack\" ,\r\n \"seq\" : 5 } \n")]
    public void Members_parse_in_any_order_spacing_and_escaping(string json) =>
        Assert.Equal(new AckMessage(5), MessageParser.Parse(Encoding.UTF8.GetBytes(json)));

    [Fact]
    public void Raw_args_and_data_are_the_values_text_as_sent()
    {
        var command = Assert.IsType<CommandMessage>(MessageParser.Parse("""{"type":"command","id":"c-1","args": {"on" : true, "for":"5s"} ,"sig":"00"}"""u8));
        var result = Assert.IsType<ResultMessage>(MessageParser.Parse("""{"type":"result","id":"c-1","ok":true,"data":[1, "\u0041"] }"""u8));

        Assert.Equal("""{"on" : true, "for":"5s"}""", command.Args);
        Assert.Equal("""[1, "\u0041"]""", result.Data);
    }

    [Theory]
    [InlineData("""{"type":"ack","seq":"x","x":{"a":1,"a":2}}""", ErrorCodes.BadField, "duplicate name 'a' in 'x'")]
    [InlineData("""{"type":"ack","x":{"a":1,"a":2},"y":[}""", ErrorCodes.MalformedJson, "malformed JSON")]
    [InlineData("""{"args":{"a":1,"a":2},"type":"ping","x":"\udfff"}""", ErrorCodes.BadField, "'x' is not Unicode text")]
    [InlineData("""{"args":{"a":1,"a":2},"seq":1}""", ErrorCodes.BadField, "'type' is missing")]
    [InlineData("""{"args":{"a":1,"a":2},"type":"teleport"}""", ErrorCodes.BadField, "duplicate name 'a' in 'args'")]
    public void Verdicts_come_in_a_fixed_order_whatever_the_order_of_the_members(string json, string code, string text)
    {
        var error = Assert.IsType<ErrorMessage>(MessageParser.Parse(Encoding.UTF8.GetBytes(json)));

        Assert.Equal(code, error.Code);
        Assert.Contains(text, error.Message, StringComparison.Ordinal);
    }

    // Issue 17, item 5: every line a peer sends is parsed once, into the message, with no copy of the line and no
    // document (the four-pass parser allocated 1,808 bytes for this reading and 608 for the ack).
    [Fact]
    public void Parsing_a_reading_or_an_ack_allocates_little_more_than_the_message_itself()
    {
        var reading = Encoding.UTF8.GetBytes(MessageWriter.ToJson(new ReadingMessage("pi-01", 1_234_567, Ts, "env", "temperature", 21.53, "Cel")));
        var ack = Encoding.UTF8.GetBytes(MessageWriter.ToJson(new AckMessage(1_234_567)));
        MessageParser.Parse(reading);
        MessageParser.Parse(ack);

        var before = GC.GetAllocatedBytesForCurrentThread();
        MessageParser.Parse(reading);
        var forReading = GC.GetAllocatedBytesForCurrentThread() - before;
        before = GC.GetAllocatedBytesForCurrentThread();
        MessageParser.Parse(ack);
        var forAck = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.True(forReading <= 400, $"a reading took {forReading} bytes");
        Assert.True(forAck <= 64, $"an ack took {forAck} bytes");
    }
}
