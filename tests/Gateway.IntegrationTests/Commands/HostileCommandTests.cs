using System.Net;
using System.Net.Sockets;
using System.Text;
using Gateway.IntegrationTests.Infrastructure;
using Gateway.Protocol;
using Gateway.Protocol.Commands;

namespace Gateway.IntegrationTests.Commands;

/// <summary>Hostile input on the command paths (issue 14) against a real gateway: it stays up, answers and audits.</summary>
public sealed class HostileCommandTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static async Task<byte[]?> ReceiveAsync(UdpClient udp, TimeSpan within)
    {
        using var limit = new CancellationTokenSource(within);
        try
        {
            return (await udp.ReceiveAsync(limit.Token)).Buffer;
        }
        catch (OperationCanceledException)
        {
            return null;
        }
    }

    private static async Task<ResultMessage> SignedOverUdpAsync(UdpClient udp, CommandGateway gw, CommandMessage command)
    {
        await udp.SendAsync(Encoding.UTF8.GetBytes(MessageWriter.ToJson(command)), new IPEndPoint(IPAddress.Loopback, gw.UdpPort));
        using var limit = new CancellationTokenSource(CommandGateway.Timeout);
        while (true)
        {
            var datagram = await udp.ReceiveAsync(limit.Token);
            if (MessageParser.Parse(datagram.Buffer) is ResultMessage result && result.Id == command.Id)
            {
                return result;
            }
        }
    }

    private static bool Running(GatewayProcess process)
    {
        try
        {
            return !System.Diagnostics.Process.GetProcessById(process.Id).HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    [Fact]
    public async Task A_lone_surrogate_datagram_on_the_udp_port_does_not_stop_the_gateway_and_signed_commands_still_run()
    {
        await using var gw = await CommandGateway.StartAsync(_dir);
        using var udp = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        var gateway = new IPEndPoint(IPAddress.Loopback, gw.UdpPort);

        await udp.SendAsync("""{"type":"\ud800"}"""u8.ToArray(), gateway, TestContext.Current.CancellationToken);
        await udp.SendAsync("""{"type":"command","id":"\udfff","name":"\ud800"}"""u8.ToArray(), gateway, TestContext.Current.CancellationToken);
        await Task.Delay(500, TestContext.Current.CancellationToken); // let the gateway take both before the signed one

        var result = await SignedOverUdpAsync(udp, gw, gw.Sign("output.set", """{"output":"relay","on":true}"""));

        Assert.True(result.Ok, result.Message);
        Assert.Equal(1, gw.RelayLevel());
        Assert.True(Running(gw.Process), gw.Process.Output);
    }

    [Fact]
    public async Task A_lone_surrogate_in_args_with_a_bogus_signature_gets_a_result_and_a_log_line_over_udp_and_tcp()
    {
        await using var gw = await CommandGateway.StartAsync(_dir);
        using var udp = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        var bogus = new string('0', 64);
        var overUdp = MessageWriter.ToJson(gw.Sign("output.set", """{"output":"relay","on":true}""", id: "sur-udp") with { Signature = bogus })
            .Replace("\"relay\"", "\"\\ud800\"", StringComparison.Ordinal);
        var overTcp = overUdp.Replace("sur-udp", "sur-tcp", StringComparison.Ordinal);

        await udp.SendAsync(Encoding.UTF8.GetBytes(overUdp), new IPEndPoint(IPAddress.Loopback, gw.UdpPort), TestContext.Current.CancellationToken);
        var reply = await ReceiveAsync(udp, CommandGateway.Timeout);
        using var console = await TcpConsole.ConnectAsync(gw.TcpPort);
        var tcpResult = await console.SendRawAsync(overTcp, "sur-tcp");

        Assert.NotNull(reply);
        var udpResult = Assert.IsType<ResultMessage>(MessageParser.Parse(reply));
        Assert.Equal(("sur-udp", ResultCodes.BadField), (udpResult.Id, udpResult.Code));
        Assert.Equal(ResultCodes.BadField, tcpResult.Code);
        await gw.Process.WaitForLineAsync("sur-udp", CommandGateway.Timeout);
        await gw.Process.WaitForLineAsync("sur-tcp", CommandGateway.Timeout);
        Assert.Equal(0, gw.RelayLevel());
    }
}

/// <summary>The UDP command port cannot be used to reflect or amplify traffic at a forged source (issue 14, finding 6).</summary>
public sealed class UdpReflectionTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Replies_to_unauthenticated_datagrams_are_never_larger_than_the_request_and_are_rate_limited_per_sender()
    {
        await using var gw = await CommandGateway.StartAsync(_dir);
        using var udp = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        var gateway = new IPEndPoint(IPAddress.Loopback, gw.UdpPort);
        var unsigned = Encoding.UTF8.GetBytes(MessageWriter.ToJson(gw.Sign("output.set", """{"output":"relay","on":true}""") with { Signature = null, Key = null }));
        var requests = new byte[][] { [], "x"u8.ToArray(), "{}"u8.ToArray(), """{"type":"nonsense"}"""u8.ToArray(), unsigned };

        var oversized = new List<string>();
        foreach (var request in requests)
        {
            await udp.SendAsync(request, gateway, TestContext.Current.CancellationToken);
            using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(3));
            try
            {
                var reply = await udp.ReceiveAsync(limit.Token);
                if (reply.Buffer.Length > request.Length)
                {
                    oversized.Add($"{request.Length}-byte request got a {reply.Buffer.Length}-byte reply: {Encoding.UTF8.GetString(reply.Buffer)}");
                }
            }
            catch (OperationCanceledException)
            {
                // no reply: allowed
            }
        }

        Assert.Empty(oversized);

        // A burst of 200 large bogus datagrams from one sender: the replies are capped by the per-sender rate.
        var bogus = Encoding.UTF8.GetBytes($$"""{"type":"nonsense","pad":"{{new string('p', 400)}}"}""");
        for (var i = 0; i < 200; i++)
        {
            await udp.SendAsync(bogus, gateway, TestContext.Current.CancellationToken);
        }

        var replies = 0;
        while (true)
        {
            using var quiet = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            try
            {
                await udp.ReceiveAsync(quiet.Token);
                replies++;
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }

        Assert.InRange(replies, 1, 100);

        // A signed command still gets its full result.
        await Task.Delay(1500, TestContext.Current.CancellationToken); // the sender's rate refills
        var command = gw.Sign("ping", key: "viewer");
        await udp.SendAsync(Encoding.UTF8.GetBytes(MessageWriter.ToJson(command)), gateway, TestContext.Current.CancellationToken);
        using var answer = new CancellationTokenSource(CommandGateway.Timeout);
        ResultMessage? result = null;
        while (result is null)
        {
            result = MessageParser.Parse((await udp.ReceiveAsync(answer.Token)).Buffer) as ResultMessage;
        }

        Assert.True(result.Ok, result.Message);
    }
}

/// <summary>A captured signed command cannot be replayed after a restart (issue 14, finding 5).</summary>
public sealed class ReplayAfterRestartTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task A_signed_output_set_replayed_after_a_restart_is_refused_and_the_relay_does_not_switch_again()
    {
        CommandMessage captured;
        await using (var gw = await CommandGateway.StartAsync(_dir))
        {
            using var console = await TcpConsole.ConnectAsync(gw.TcpPort);
            captured = gw.Sign("output.set", """{"output":"relay","on":true}""", id: "capture-1");
            Assert.True((await console.SendAsync(captured)).Ok);
            Assert.True((await console.SendAsync(gw.Sign("output.set", """{"output":"relay","on":false}"""))).Ok);
            Assert.Equal(0, gw.RelayLevel());
        }

        await using (var gw = await CommandGateway.StartAsync(_dir))
        {
            using var console = await TcpConsole.ConnectAsync(gw.TcpPort);
            var replayed = await console.SendAsync(captured);
            var sameNonceNewId = await console.SendRawAsync(MessageWriter.ToJson(captured).Replace("capture-1", "capture-2", StringComparison.Ordinal), "capture-2");

            Assert.True(replayed.Duplicate, MessageWriter.ToJson(replayed)); // answered with the first result, not run
            Assert.Equal(0, gw.RelayLevel());
            Assert.False(sameNonceNewId.Ok); // re-signed with another id it would need the secret; as sent, the signature no longer matches
            Assert.Equal(0, gw.RelayLevel());
        }
    }
}
