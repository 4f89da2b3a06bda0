using System.Text;
using System.Text.RegularExpressions;
using Gateway.Protocol.Commands;

namespace Gateway.FuzzTests.Engine;

/// <summary>
/// The seeds the mutator starts from: the golden vectors of the existing tests (copied here byte for byte, with the
/// file they come from) and the examples of docs/protocol.md, read from the document itself so that they stay in step.
/// </summary>
internal static partial class Corpus
{
    /// <summary>The secret of docs/protocol.md's worked example (the bytes 00 … 1f).</summary>
    public static readonly byte[] Secret = Convert.FromBase64String("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=");

    /// <summary>The device id the command corpus is signed for.</summary>
    public const string Device = "gw-01";

    // tests/Gateway.Protocol.Tests/MessageCodecTests.cs (Golden) and CommandSigningTests.cs.
    private static readonly string[] GoldenMessages =
    [
        """{"type":"reading","device":"pi-01","seq":42,"ts":"2026-11-23T06:30:54.474Z","sensor":"env","quantity":"temperature","value":21.5,"unit":"Cel"}""",
        """{"type":"event","device":"pi-01","seq":43,"ts":"2026-11-23T06:30:54.474Z","sensor":"env","kind":"health","message":"failed: no acknowledge from i2c-1@0x76"}""",
        """{"type":"hello","device":"pi-01","firmware":"0.1.0","protocol":1,"sensors":["env","door"],"nextSeq":44}""",
        """{"type":"ack","seq":41}""",
        """{"type":"gap","from":1,"to":500,"reason":"MaxBytes"}""",
        """{"type":"error","code":"unknown_type","message":"unknown message type \u0027x\u0027"}""",
        """{"type":"beacon","device":"pi-01","firmware":"0.1.0","uptime":3600,"listeners":["tcp://192.0.2.10:7000"]}""",
        """{"type":"ping"}""",
        """{"type":"pong"}""",
        """{"type":"result","id":"c-1","ok":true,"data":{"on":true}}""",
        """{"type":"result","id":"c-2","ok":false,"code":"not_allowed","message":"no","duplicate":true}""",
        """{"type":"reading","device":"d","seq":1,"ts":"2026-11-23T06:30:54.474Z","sensor":"s","quantity":"q","value":null,"unit":"u"}""",
    ];

    /// <summary>Protocol messages: golden vectors, the docs' examples, and signed commands that verify.</summary>
    public static IReadOnlyList<byte[]> ProtocolMessages() =>
        [.. GoldenMessages.Concat(DocsMessages()).Concat(SignedCommands()).Distinct(StringComparer.Ordinal).Select(Encoding.UTF8.GetBytes)];

    /// <summary>Commands only: signed ones that verify with <see cref="Secret"/> for <see cref="Device"/>, and the docs' command example.</summary>
    public static IReadOnlyList<byte[]> Commands() =>
        [.. SignedCommands().Concat(DocsMessages().Where(m => m.Contains("\"command\"", StringComparison.Ordinal))).Select(Encoding.UTF8.GetBytes)];

    /// <summary>Signed commands, as gwctl sends them (key "operator", the docs' secret, signed at the Unix epoch).</summary>
    public static IEnumerable<string> SignedCommands()
    {
        var at = new DateTimeOffset(2026, 11, 23, 9, 0, 0, TimeSpan.Zero);
        (string Name, string? Args)[] commands =
        [
            ("output.set", """{"output":"relay","on":true,"for":"5s"}"""),
            ("output.get", """{"output":"relay"}"""),
            ("ping", null),
            ("status", "{}"),
            ("sampling.set", """{"sensor":"env","interval":"1s","quantity":"temperature","deadband":0.5}"""),
            ("output.set", """{"output":"relay","on":false,"nested":{"list":[1,2.5,-3e-7,"x\u00e9\ud83d\ude00",null,true]}}"""),
        ];
        var i = 0;
        foreach (var (name, args) in commands)
        {
            i++;
            yield return Gateway.Protocol.MessageWriter.ToJson(CommandSigning.Create("operator", Secret, Device, $"c-{i:0000}", name, args, at, $"nonce-{i:0000}-00112233"));
        }
    }

    /// <summary>The JSON lines after → and ← in docs/protocol.md (protocol and command examples).</summary>
    public static IEnumerable<string> DocsMessages() =>
        File.ReadLines(Path.Combine(Repository.Root(), "docs", "protocol.md"))
            .Select(l => l.Trim())
            .Where(l => l.StartsWith("→ {", StringComparison.Ordinal) || l.StartsWith("← {", StringComparison.Ordinal))
            .Select(l => l[2..]);

    /// <summary>
    /// firmware-sim requests: the docs' example (docs/protocol.md, "firmware-sim bus protocol") and one of each
    /// operation in its table.
    /// </summary>
    public static IReadOnlyList<byte[]> RemoteRequests()
    {
        string[] requests =
        [
            """{"id": 7, "op": "i2c.writeRead", "bus": 1, "addr": 118, "write": "D0", "read": 1}""",
            """{"id":1,"op":"hello"}""",
            """{"id":2,"op":"i2c.read","bus":1,"addr":68,"read":6}""",
            """{"id":3,"op":"i2c.write","bus":1,"addr":68,"write":"2400"}""",
            """{"id":4,"op":"gpio.info","chip":0}""",
            """{"id":5,"op":"gpio.open","chip":0,"pin":17,"mode":"Output","value":0}""",
            """{"id":6,"op":"gpio.write","chip":0,"pin":17,"value":1}""",
            """{"id":7,"op":"gpio.read","chip":0,"pin":17}""",
            """{"id":8,"op":"gpio.mode","chip":0,"pin":17,"mode":"InputPullUp","value":0}""",
            """{"id":9,"op":"gpio.debounce","chip":0,"pin":17,"debounceUs":5000}""",
            """{"id":10,"op":"gpio.subscribe","chip":0,"pin":17,"edges":"both"}""",
            """{"id":11,"op":"gpio.unsubscribe","chip":0,"pin":17}""",
            """{"id":12,"op":"gpio.close","chip":0,"pin":17}""",
            """{"id":13,"op":"w1.list","family":40}""",
            """{"id":14,"op":"w1.read","device":"28-000005e2fdc3","file":"w1_slave"}""",
            """{"id":15,"op":"fault.list"}""",
            """{"id":16,"op":"fault.inject","fault":"nack env"}""",
            """{"id":17,"op":"fault.clear","fault":"all"}""",
            """{"id":18,"op":"sim.line","chip":0,"pin":17}""",
        ];
        return [.. requests.Select(Encoding.UTF8.GetBytes)];
    }

    /// <summary>firmware-sim responses and events: the docs' examples and one of each field.</summary>
    public static IReadOnlyList<byte[]> RemoteResponses()
    {
        string[] responses =
        [
            """{"id": 7, "ok": true, "data": "60"}""",
            """{"id": 7, "ok": false, "error": "nack", "message": "no acknowledge from i2c-1@0x76 (bme280 env)"}""",
            """{"ok": false, "event": "edge", "chip": 0, "pin": 17, "edge": "rising", "ts": 75000000000, "seq": 1}""",
            """{"id":1,"ok":true,"text":"firmware-sim 0.1.0, Simulated (scenario default, seed 42)"}""",
            """{"id":4,"ok":true,"value":54,"items":["GPIO0",null,"GPIO2"]}""",
            """{"id":13,"ok":true,"items":["28-000005e2fdc3"]}""",
            """{"id":9,"ok":false,"error":"badRequest","message":"'pin' is required"}""",
        ];
        return [.. responses.Select(Encoding.UTF8.GetBytes)];
    }

    /// <summary>MQTT 3.1.1 packets: the golden vectors of tests/Gateway.Mqtt.Tests/Codec/GoldenVectorTests.cs and a PUBLISH carrying a command.</summary>
    public static IReadOnlyList<byte[]> MqttPackets()
    {
        string[] hex =
        [
            "10 1B 00 04 4D 51 54 54 04 C2 00 7B 00 03 58 59 5A 00 04 55 53 45 52 00 04 50 41 53 53",
            "3B 0E 00 05 41 2F 42 2F 43 00 7B 48 45 4C 4C 4F",
            "40 02 00 7B",
            "90 06 00 7B 00 01 02 80",
            "20 02 01 05",
            "20 02 00 05",
            "C0 00", "D0 00", "E0 00",
            "82 0E 00 07 00 05 61 2F 2B 2F 63 01 00 01 23 00",
            "A2 09 00 08 00 05 61 2F 2B 2F 63",
            "B0 02 00 08",
        ];
        var packets = hex.Select(h => Convert.FromHexString(Whitespace().Replace(h, string.Empty))).ToList();
        var command = Encoding.UTF8.GetBytes(SignedCommands().First());
        var publish = new byte[Gateway.Mqtt.Formatter.MqttPacketEncoder.GetPublishSize("gateway/gw-01/commands", command.Length, Gateway.Mqtt.MqttQualityOfServiceLevel.AtLeastOnce)];
        Gateway.Mqtt.Formatter.MqttPacketEncoder.EncodePublish(publish, "gateway/gw-01/commands", command, Gateway.Mqtt.MqttQualityOfServiceLevel.AtLeastOnce, retain: true, dup: false, packetIdentifier: 9);
        packets.Add(publish);
        packets.Add([.. packets[2], .. packets[6], .. packets[1]]); // several packets in one read
        return packets;
    }

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}
