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
