using System.Net;
using System.Net.Sockets;
using System.Text;
using Gateway.Console.Addressing;
using Gateway.Console.Cli;
using Gateway.Console.Commanding;
using Gateway.Protocol;
using Gateway.Protocol.Commands;

namespace Gateway.Console.Tests.Sockets;

/// <summary>gwctl's command client against stand-in gateways on real loopback sockets: the failures it must explain.</summary>
public sealed class CommandClientTests
{
    private static readonly CommandKeyFile Key = new("operator", [.. Enumerable.Range(1, 32).Select(i => (byte)i)]);

    [Fact]
    public async Task Over_tcp_the_device_comes_from_the_hello_and_other_traffic_is_skipped()
    {
        using var server = new TcpListener(IPAddress.Loopback, 0);
        server.Start();
        var gateway = Task.Run(async () =>
        {
            using var client = await server.AcceptTcpClientAsync();
            var stream = client.GetStream();
            using var reader = new StreamReader(stream);
            await Write(stream, new HelloMessage("gw-07", "0.1.0", 1, ["env"], 1));
            var command = Assert.IsType<CommandMessage>(MessageParser.Parse(Encoding.UTF8.GetBytes((await reader.ReadLineAsync())!)));
            await Write(stream, FakeGateway.Reading("gw-07", 1)); // live readings keep flowing meanwhile
            await Write(stream, new ResultMessage("someone-else", true, Data: "{}"));
            await Write(stream, new ResultMessage(command.Id, true, Data: """{"pong":true}"""));
            return command;
        }, TestContext.Current.CancellationToken);

        var outcome = await CommandClient.RunAsync(GatewayAddress.Parse($"127.0.0.1:{Port(server)}"), Key, null, "ping", "{}", TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);

        var sent = await gateway;
        Assert.Equal("gw-07", sent.Device);
        Assert.Equal("gw-07", outcome.Device);
        Assert.Equal("""{"pong":true}""", outcome.Result.Data);
    }

    [Fact]
    public async Task A_closed_port_is_connection_refused_with_the_setting_to_check()
    {
        var port = ClosedPort();

        var ex = await Assert.ThrowsAsync<GwctlException>(() => CommandClient.RunAsync(GatewayAddress.Parse($"127.0.0.1:{port}"), Key, null, "ping", "{}", TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken));

        Assert.Equal(ExitCodes.Unavailable, ex.ExitCode);
        Assert.Equal($"connection refused at 127.0.0.1:{port}: is the gateway running and its listener enabled? see Gateway:Listener:Tcp", ex.Message);
    }

    [Fact]
    public async Task A_peer_that_accepts_but_says_nothing_times_out_asking_if_it_is_a_gateway()
    {
        using var server = new TcpListener(IPAddress.Loopback, 0);
        server.Start();

        var ex = await Assert.ThrowsAsync<GwctlException>(() => CommandClient.RunAsync(GatewayAddress.Parse($"127.0.0.1:{Port(server)}"), Key, null, "ping", "{}", TimeSpan.FromMilliseconds(500), TestContext.Current.CancellationToken));

        Assert.Equal(ExitCodes.Timeout, ex.ExitCode);
        Assert.Contains("no hello within 500ms: is it a gateway's listener?", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_full_listener_is_reported_as_full()
    {
        using var server = new TcpListener(IPAddress.Loopback, 0);
        server.Start();
        var refusing = Task.Run(async () =>
        {
            using var client = await server.AcceptTcpClientAsync();
            await Write(client.GetStream(), new ErrorMessage("too_many_connections", "at most 16 connections"));
        }, TestContext.Current.CancellationToken);

        var ex = await Assert.ThrowsAsync<GwctlException>(() => CommandClient.RunAsync(GatewayAddress.Parse($"127.0.0.1:{Port(server)}"), Key, null, "ping", "{}", TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken));

        Assert.Equal(ExitCodes.Unavailable, ex.ExitCode);
        Assert.Contains("is full: at most 16 connections (Gateway:Listener:MaxConnections)", ex.Message, StringComparison.Ordinal);
        await refusing;
    }

    [Fact]
    public async Task Over_udp_a_lost_datagram_is_sent_again_unchanged_so_the_gateway_runs_it_once()
    {
        using var server = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        var port = ((IPEndPoint)server.Client.LocalEndPoint!).Port;
        var gateway = Task.Run(async () =>
        {
            var first = await server.ReceiveAsync(); // "lost": not answered
            var second = await server.ReceiveAsync();
            var command = Assert.IsType<CommandMessage>(MessageParser.Parse(second.Buffer));
            await server.SendAsync(Encoding.UTF8.GetBytes(MessageWriter.ToJson(new ResultMessage(command.Id, true, Data: "{}"))), second.RemoteEndPoint);
            return (first.Buffer, second.Buffer);
        }, TestContext.Current.CancellationToken);

        var outcome = await CommandClient.RunAsync(GatewayAddress.Parse($"udp://127.0.0.1:{port}"), Key, "gw-07", "ping", "{}", TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);

        var (a, b) = await gateway;
        Assert.True(outcome.Result.Ok);
        Assert.Equal(a, b); // same id, nonce and signature: the gateway's id check makes the repeat harmless
    }

    [Fact]
    public async Task Over_udp_the_device_must_be_given()
    {
        var ex = await Assert.ThrowsAsync<GwctlException>(() => CommandClient.RunAsync(GatewayAddress.Parse("udp://127.0.0.1:9"), Key, null, "ping", "{}", TimeSpan.FromSeconds(1), TestContext.Current.CancellationToken));

        Assert.Equal(ExitCodes.Usage, ex.ExitCode);
        Assert.Contains("--device", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_closed_udp_port_is_reported_as_refused()
    {
        var port = ClosedUdpPort();

        var ex = await Assert.ThrowsAsync<GwctlException>(() => CommandClient.RunAsync(GatewayAddress.Parse($"udp://127.0.0.1:{port}"), Key, "gw-07", "ping", "{}", TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken));

        Assert.Equal(ExitCodes.Unavailable, ex.ExitCode);
        Assert.Contains("UDP command port enabled? see Gateway:Listener:Udp", ex.Message, StringComparison.Ordinal);
    }

    private static int Port(TcpListener server) => ((IPEndPoint)server.LocalEndpoint).Port;

    private static int ClosedPort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return Port(probe);
    }

    private static int ClosedUdpPort()
    {
        using var probe = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)probe.Client.LocalEndPoint!).Port;
    }

    private static async Task Write(NetworkStream stream, Message message) =>
        await stream.WriteAsync(Encoding.UTF8.GetBytes(MessageWriter.ToJson(message) + "\n"));
}
