using System.Net;
using System.Net.Sockets;
using Gateway.IntegrationTests.Infrastructure;

namespace Gateway.IntegrationTests.Service;

/// <summary>A listener whose port is taken: the error names the key to change, and the gateway goes on without it.</summary>
public sealed class ListenerBindTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task A_busy_port_names_the_listener_key_to_change_and_the_address_for_every_listener()
    {
        // One port number held by this test for TCP and for UDP; every listener of the gateway is pointed at it.
        using var tcp = new TcpListener(IPAddress.Loopback, 0);
        tcp.Start();
        var port = ((IPEndPoint)tcp.LocalEndpoint).Port;
        using var udp = new UdpClient(new IPEndPoint(IPAddress.Loopback, port));
        var busy = $"127.0.0.1:{port}";
        using var gateway = GatewayProcess.Start(_dir.Path,
        [
            "--Gateway:DeviceId=bind-01",
            $"--Gateway:StateDirectory={_dir.File("state")}",
            $"--Gateway:Listener:Http={busy}",
            $"--Gateway:Listener:Tcp={busy}",
            $"--Gateway:Listener:WebSocket={busy}",
            $"--Gateway:Listener:Udp={busy}",
        ]);

        foreach (var key in new[] { "Http", "Tcp", "WebSocket", "Udp" })
        {
            var line = await gateway.WaitForLineAsync($"choose a free address or port in Gateway:Listener:{key} ", Timeout);
            Assert.Contains(busy, line, StringComparison.Ordinal);
        }

        // The gateway goes on without them (exit code as before: 0 on SIGTERM).
        await gateway.WaitForLineAsync("Application started", Timeout);
        gateway.Signal(Signals.SIGTERM);
        Assert.Equal(0, await gateway.WaitForExitAsync(Timeout));
    }
}
