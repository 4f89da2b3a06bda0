using Gateway.Console.Addressing;
using Gateway.Console.Cli;
using Gateway.Console.Commanding;
using Gateway.Protocol;
using Gateway.Protocol.Commands;

namespace Gateway.Console.Tests.Sockets;

/// <summary>Commands relayed through gwctl listen's control port down a gateway's link, on real loopback sockets.</summary>
public sealed class CommandRelayTests
{
    private static readonly CommandKeyFile Key = new("operator", [.. Enumerable.Range(1, 32).Select(i => (byte)i)]);

    [Fact]
    public async Task A_command_through_listen_goes_down_the_gateways_link_and_its_result_comes_back()
    {
        await using var listen = await ListenHarness.StartAsync();
        await using var gw = await FakeGateway.ConnectAsync(listen.TcpPort);
        await gw.HelloAsync("pi-01");
        await listen.WaitForNoticeAsync("pi-01 connected");
        var address = GatewayAddress.Parse($"listen://127.0.0.1:{listen.ControlPort}/pi-01");

        var sending = CommandClient.RunAsync(address, Key, null, "output.set", """{"on":true,"output":"relay"}""", TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        var command = Assert.IsType<CommandMessage>(await gw.ReceiveAsync());

        // What arrives is exactly what gwctl send signed, for the device in the address.
        Assert.Equal("pi-01", command.Device);
        Assert.True(CommandSigning.Verify(Key.Secret, CommandSigning.CanonicalString(command), command.Signature));
        await gw.SendAsync(new ResultMessage(command.Id, true, Data: """{"output":"relay","on":true,"was":false}"""));
        var outcome = await sending;

        Assert.True(outcome.Result.Ok);
        Assert.Equal(ExitCodes.Ok, outcome.ExitCode);
        Assert.Contains("\"was\":false", outcome.Result.Data, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_device_that_is_not_connected_is_answered_not_connected()
    {
        await using var listen = await ListenHarness.StartAsync();
        await using var gw = await FakeGateway.ConnectAsync(listen.TcpPort);
        await gw.HelloAsync("pi-01");
        await listen.WaitForNoticeAsync("pi-01 connected");

        var outcome = await CommandClient.RunAsync(GatewayAddress.Parse($"listen://127.0.0.1:{listen.ControlPort}/pi-99"), Key, null, "ping", "{}", TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);

        Assert.Equal(CommandOutcome.NotConnected, outcome.Result.Code);
        Assert.Contains("connected: pi-01", outcome.Result.Message, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Unavailable, outcome.ExitCode);
    }

    [Fact]
    public async Task A_gateway_that_leaves_before_answering_fails_the_waiting_command_at_once()
    {
        await using var listen = await ListenHarness.StartAsync();
        var gw = await FakeGateway.ConnectAsync(listen.TcpPort);
        await gw.HelloAsync("pi-01");
        await listen.WaitForNoticeAsync("pi-01 connected");

        var sending = CommandClient.RunAsync(GatewayAddress.Parse($"listen://127.0.0.1:{listen.ControlPort}/pi-01"), Key, null, "status", "{}", TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
        Assert.IsType<CommandMessage>(await gw.ReceiveAsync());
        await gw.DisposeAsync(); // gone without a result

        var outcome = await sending;

        Assert.Equal(CommandOutcome.NotConnected, outcome.Result.Code);
        Assert.Contains("ended before it answered", outcome.Result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_result_for_nobody_is_dropped_and_the_link_keeps_working()
    {
        await using var listen = await ListenHarness.StartAsync();
        await using var gw = await FakeGateway.ConnectAsync(listen.TcpPort);
        await gw.HelloAsync("pi-01");

        await gw.SendAsync(new ResultMessage("nobody-asked", true, Data: "{}"));
        await gw.SendReadingsAsync("pi-01", 1, 1);

        Assert.Equal(1, (await gw.WaitForAckAsync(1)).Seq);
    }
}
