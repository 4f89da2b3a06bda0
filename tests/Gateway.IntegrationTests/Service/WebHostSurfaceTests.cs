using System.Net;
using System.Net.Sockets;
using Gateway.IntegrationTests.Infrastructure;

namespace Gateway.IntegrationTests.Service;

/// <summary>
/// The web console and the WebSocket listener are Kestrel apps inside the gateway. They take their addresses from the
/// gateway's own configuration keys and nothing else: no second reading of appsettings.json, no ASP.NET Core
/// environment variables, no file watcher.
/// </summary>
public sealed class WebHostSurfaceTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task A_Kestrel_section_or_ASPNETCORE_URLS_opens_no_listener_beside_the_configured_ones_and_no_file_watcher_runs()
    {
        int console = LoopbackPorts.Free(), websocket = LoopbackPorts.Free(), fromSection = LoopbackPorts.Free(), fromEnvironment = LoopbackPorts.Free();
        await File.WriteAllTextAsync(_dir.File("appsettings.json"), $$"""
            {
              "Kestrel": { "Endpoints": { "extra": { "Url": "http://127.0.0.1:{{fromSection}}" } } }
            }
            """, TestContext.Current.CancellationToken);
        using var gateway = GatewayProcess.Start(_dir.Path, [$"--Gateway:Listener:Http=127.0.0.1:{console}", $"--Gateway:Listener:WebSocket=127.0.0.1:{websocket}"], new Dictionary<string, string?>
        {
            ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{fromEnvironment}",
            ["DOTNET_URLS"] = $"http://127.0.0.1:{fromEnvironment}",
        });

        await gateway.WaitForLineAsync("Web console on", Timeout);
        await gateway.WaitForLineAsync($"ws://127.0.0.1:{websocket}/", Timeout);

        Assert.True(await Accepts(console), "the web console listens on Gateway:Listener:Http");
        Assert.True(await Accepts(websocket), "the WebSocket listener listens on Gateway:Listener:WebSocket");
        Assert.False(await Accepts(fromSection), "a Kestrel section in appsettings.json opened a listener");
        Assert.False(await Accepts(fromEnvironment), "ASPNETCORE_URLS opened a listener");
        var threads = Directory.GetDirectories($"/proc/{gateway.Id}/task").Select(t => File.ReadAllText(Path.Combine(t, "comm")).Trim()).ToList();
        Assert.DoesNotContain(".NET File Watch", threads);
    }

    private static async Task<bool> Accepts(int port)
    {
        using var client = new TcpClient();
        try
        {
            await client.ConnectAsync(IPAddress.Loopback, port, TestContext.Current.CancellationToken).AsTask().WaitAsync(Timeout, TestContext.Current.CancellationToken);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
