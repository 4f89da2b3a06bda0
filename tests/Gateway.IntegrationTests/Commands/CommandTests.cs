using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Gateway.IntegrationTests.Infrastructure;
using Gateway.Protocol;
using Gateway.Protocol.Commands;

namespace Gateway.IntegrationTests.Commands;

/// <summary>Remote commands against a real gateway on a separate firmware-sim, the relay watched from the simulated side.</summary>
public sealed class CommandTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Every_refused_command_gets_its_code_and_the_relay_line_does_not_move()
    {
        await using var gw = await CommandGateway.StartAsync(_dir);
        using var console = await TcpConsole.ConnectAsync(gw.TcpPort);
        const string on = """{"output":"relay","on":true}""";
        Assert.Equal(0, gw.RelayLevel());

        var used = gw.Sign("ping");
        Assert.True((await console.SendAsync(used)).Ok);
        var cases = new (string Case, CommandMessage Command, string Code)[]
        {
            ("unsigned", gw.Sign("output.set", on) with { Signature = null, Key = null }, ResultCodes.NotSigned),
            ("bad signature", gw.Sign("output.set", on) with { Signature = new string('a', 64) }, ResultCodes.BadSignature),
            ("unknown key", CommandSigning.Create("intruder", CommandGateway.OperatorSecret, CommandGateway.Device, "u-1", "output.set", on, DateTimeOffset.UtcNow, gw.NextNonce()), ResultCodes.UnknownKey),
            ("wrong device", gw.Sign("output.set", on, device: "other-01"), ResultCodes.WrongDevice),
            ("expired", gw.Sign("output.set", on, at: DateTimeOffset.UtcNow.AddMinutes(-2)), ResultCodes.Expired),
            ("future", gw.Sign("output.set", on, at: DateTimeOffset.UtcNow.AddMinutes(2)), ResultCodes.Future),
            ("replayed nonce", gw.Sign("output.set", on, nonce: used.Nonce), ResultCodes.ReplayedNonce),
            ("not allowed for the key", gw.Sign("output.set", on, key: "viewer"), ResultCodes.NotAllowed),
            ("unknown command", gw.Sign("reboot"), ResultCodes.UnknownCommand),
            ("bad arguments", gw.Sign("output.set", """{"output":"relay","on":"yes please"}"""), ResultCodes.BadArguments),
            ("not a configured output", gw.Sign("output.set", """{"output":"gpio4","on":true}"""), ResultCodes.BadArguments),
            ("an output name in another case", gw.Sign("output.set", """{"output":"RELAY","on":true}"""), ResultCodes.BadArguments),
            ("oversized", gw.Sign("output.set", $$"""{"output":"relay","on":true,"note":"{{new string('x', 5000)}}"}"""), ResultCodes.TooLarge),
        };

        foreach (var (name, command, code) in cases)
        {
            var result = await console.SendAsync(command);
            Assert.True(!result.Ok && result.Code == code, $"{name}: expected {code}, got {(result.Ok ? "ok" : result.Code)}: {result.Message}");
            Assert.True(gw.RelayLevel() == 0, $"{name}: the relay line moved");
        }

        // The same path does move the line when everything is right: the checks above could have failed.
        Assert.True((await console.SendAsync(gw.Sign("output.set", on))).Ok);
        Assert.Equal(1, gw.RelayLevel());
    }

    [Fact]
    public async Task A_signed_output_set_drives_the_simulated_line_and_a_repeated_id_does_not_run_again()
    {
        await using var gw = await CommandGateway.StartAsync(_dir);
        using var console = await TcpConsole.ConnectAsync(gw.TcpPort);
        var switchOn = gw.Sign("output.set", """{"output":"relay","on":true}""", id: "switch-on");

        var first = await console.SendAsync(switchOn);
        Assert.True(first.Ok, first.Message);
        Assert.Equal(1, gw.RelayLevel());

        Assert.True((await console.SendAsync(gw.Sign("output.set", """{"output":"relay","on":false}"""))).Ok);
        Assert.Equal(0, gw.RelayLevel());

        var again = await console.SendAsync(switchOn); // the very same message, replayed
        Assert.True(again.Ok && again.Duplicate, MessageWriter.ToJson(again));
        Assert.Equal(first.Data, again.Data);
        Assert.Equal(0, gw.RelayLevel()); // had it run again, the relay would be on

        // Without 'for' the log says what happened and no empty duration ("set on (for (null)s)" before).
        var switched = gw.Process.Stdout.Where(l => l.Contains("Output relay set ", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, switched.Count);
        Assert.All(switched, l => Assert.DoesNotContain("for", l[l.IndexOf("Output relay set ", StringComparison.Ordinal)..], StringComparison.Ordinal));

        // With 'for' it says how long and what comes after.
        Assert.True((await console.SendAsync(gw.Sign("output.set", """{"output":"relay","on":true,"for":"1h"}"""))).Ok);
        await gw.Process.WaitForLineAsync("Output relay set on for 3600s, then back off", CommandGateway.Timeout);
    }

    [Fact]
    public async Task Started_by_hand_without_systemd_the_status_says_Running_once_started()
    {
        await using var gw = await CommandGateway.StartAsync(_dir);
        await gw.Process.WaitForLineAsync("Application started", CommandGateway.Timeout); // logged after every service started
        using var console = await TcpConsole.ConnectAsync(gw.TcpPort);

        var status = await console.SendAsync(gw.Sign("status", key: "viewer"));

        Assert.True(status.Ok, status.Message);
        using var doc = JsonDocument.Parse(status.Data!);
        Assert.StartsWith($"Running: {CommandGateway.Device}, ", doc.RootElement.GetProperty("status").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_command_signed_by_an_independent_python_signer_is_accepted()
    {
        await using var gw = await CommandGateway.StartAsync(_dir);
        using var signer = GatewayProcess.StartCommand("python3",
        [
            Path.Combine(RepositoryPaths.Root, "tests", "commands", "sign.py"), "--key", "operator", "--secret", Convert.ToBase64String(CommandGateway.OperatorSecret),
            "--device", CommandGateway.Device, "--id", "py-1", "--name", "output.set", "--args", """{"output": "relay", "on": true, "for": "1m"}""",
        ], _dir.Path);
        Assert.Equal(0, await signer.WaitForExitAsync(CommandGateway.Timeout));
        using var console = await TcpConsole.ConnectAsync(gw.TcpPort);

        var result = await console.SendRawAsync(signer.Stdout.Single(l => l.StartsWith('{')), "py-1");

        Assert.True(result.Ok, result.Message);
        Assert.Equal(1, gw.RelayLevel());
    }

    [Fact]
    public async Task Commands_work_over_the_udp_port_and_the_websocket_listener_too()
    {
        await using var gw = await CommandGateway.StartAsync(_dir);

        using var udp = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        async Task<ResultMessage> OverUdp(Message m)
        {
            await udp.SendAsync(Encoding.UTF8.GetBytes(MessageWriter.ToJson(m)), new IPEndPoint(IPAddress.Loopback, gw.UdpPort));
            using var limit = new CancellationTokenSource(CommandGateway.Timeout);
            var datagram = await udp.ReceiveAsync(limit.Token);
            Assert.True(datagram.Buffer.Length <= ProtocolInfo.MaxDatagram);
            return Assert.IsType<ResultMessage>(MessageParser.Parse(datagram.Buffer));
        }

        Assert.True((await OverUdp(gw.Sign("output.set", """{"output":"relay","on":true}"""))).Ok);
        Assert.Equal(1, gw.RelayLevel());
        Assert.Equal(ResultCodes.NotSigned, (await OverUdp(gw.Sign("output.set", """{"output":"relay","on":false}""") with { Signature = null })).Code);
        Assert.Equal(1, gw.RelayLevel());

        using var ws = new ClientWebSocket();
        ws.Options.AddSubProtocol("gateway.v1");
        await ws.ConnectAsync(new Uri($"ws://127.0.0.1:{gw.WebSocketPort}/ws"), TestContext.Current.CancellationToken);
        var command = gw.Sign("output.set", """{"output":"relay","on":false}""");
        await ws.SendAsync(Encoding.UTF8.GetBytes(MessageWriter.ToJson(command)), WebSocketMessageType.Text, true, TestContext.Current.CancellationToken);
        var buffer = new byte[64 * 1024];
        ResultMessage? result = null;
        using (var limit = new CancellationTokenSource(CommandGateway.Timeout))
        {
            while (result is null)
            {
                var r = await ws.ReceiveAsync(buffer, limit.Token);
                result = MessageParser.Parse(buffer.AsSpan(0, r.Count)) as ResultMessage;
            }
        }

        Assert.True(result.Ok && result.Id == command.Id, MessageWriter.ToJson(result));
        Assert.Equal(0, gw.RelayLevel());
    }

    [Fact]
    public async Task An_upstream_can_command_the_gateway_down_the_link_it_holds()
    {
        using var upstream = new TcpListener(IPAddress.Loopback, 0);
        upstream.Start();
        var port = ((IPEndPoint)upstream.LocalEndpoint).Port;
        await using var gw = await CommandGateway.StartAsync(_dir, $"--Gateway:Upstream:Tcp:Endpoint=127.0.0.1:{port}");

        using var client = await upstream.AcceptTcpClientAsync(TestContext.Current.CancellationToken);
        var stream = client.GetStream();
        var command = gw.Sign("output.set", """{"output":"relay","on":true}""");
        await stream.WriteAsync(Encoding.UTF8.GetBytes(MessageWriter.ToJson(command) + "\n"), TestContext.Current.CancellationToken);
        using var reader = new StreamReader(stream);
        using var limit = new CancellationTokenSource(CommandGateway.Timeout);
        ResultMessage? result = null;
        while (result is null)
        {
            var line = await reader.ReadLineAsync(limit.Token) ?? throw new IOException("link closed");
            result = MessageParser.Parse(Encoding.UTF8.GetBytes(line)) as ResultMessage;
        }

        Assert.True(result.Ok, result.Message);
        Assert.Equal(1, gw.RelayLevel());
    }

    [Fact]
    public async Task Status_config_sensor_and_sampling_commands_answer_and_secrets_never_show()
    {
        await using var gw = await CommandGateway.StartAsync(_dir);
        using var console = await TcpConsole.ConnectAsync(gw.TcpPort);

        var status = await console.SendAsync(gw.Sign("status", key: "viewer"));
        Assert.True(status.Ok, status.Message);
        using (var doc = JsonDocument.Parse(status.Data!))
        {
            Assert.Equal(CommandGateway.Device, doc.RootElement.GetProperty("device").GetString());
            Assert.Contains(doc.RootElement.GetProperty("sensors").EnumerateArray(), s => s.GetProperty("id").GetString() == "env");
            Assert.Contains(doc.RootElement.GetProperty("outputs").EnumerateArray(), o => o.GetProperty("name").GetString() == "relay");
        }

        var read = await console.SendAsync(gw.Sign("sensor.read", """{"sensor":"env"}"""));
        Assert.True(read.Ok, read.Message);
        Assert.Contains("\"quantity\":\"temperature\"", read.Data, StringComparison.Ordinal);

        var sampling = await console.SendAsync(gw.Sign("sampling.set", """{"sensor":"env","interval":"2s","quantity":"temperature","deadband":0.25}"""));
        Assert.True(sampling.Ok, sampling.Message);
        Assert.Contains("\"interval\":\"2s\"", sampling.Data, StringComparison.Ordinal);
        Assert.Contains("\"temperature\":0.25", sampling.Data, StringComparison.Ordinal);

        var config = await console.SendAsync(gw.Sign("config.get"));
        Assert.True(config.Ok, config.Message);
        Assert.Contains("\"Gateway:Commands:Keys:viewer:Secret\":\"(redacted)\"", config.Data, StringComparison.Ordinal);

        var secret = Convert.ToBase64String(CommandGateway.ViewerSecret);
        Assert.DoesNotContain(secret, config.Data, StringComparison.Ordinal);
        Assert.DoesNotContain(secret, gw.Process.Output, StringComparison.Ordinal);
        var audit = await File.ReadAllTextAsync(Path.Combine(gw.StateDirectory, "audit.log"), TestContext.Current.CancellationToken);
        Assert.Contains("\"name\":\"sampling.set\"", audit, StringComparison.Ordinal);
        Assert.DoesNotContain(secret, audit, StringComparison.Ordinal);
    }
}
