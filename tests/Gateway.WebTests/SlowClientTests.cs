using System.Net;
using System.Net.Sockets;
using System.Text;
using Gateway.IntegrationTests.Infrastructure;

namespace Gateway.WebTests;

/// <summary>
/// Connections that never complete a request (silent, or trickling headers a byte at a time) are closed by the
/// console's own time limits, so they cannot hold its slots (issue 14, finding 8).
/// </summary>
public sealed class SlowClientTests : IDisposable
{
    private const string Token = "operator-token-3c8e1a7f5b20";
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private readonly TempDirectory _dir = new();

    [Fact]
    public async Task Silent_and_trickling_connections_are_closed_and_give_their_slots_back()
    {
        var ct = TestContext.Current.CancellationToken;
        using var gateway = GatewayProcess.Start(_dir.Path,
        [
            "--Gateway:DeviceId=web-04",
            $"--Gateway:StateDirectory={_dir.File("state")}",
            "--Gateway:Listener:Http=127.0.0.1:0",
            "--Gateway:Listener:HttpMaxConnectionsPerAddress=2",
            "--Gateway:Listener:HttpKeepAliveTimeout=2s",
            "--Gateway:Listener:HttpRequestHeadersTimeout=2s",
            $"--Gateway:Commands:Keys:operator:Secret={Convert.ToBase64String([.. Enumerable.Range(1, 32).Select(i => (byte)i)])}",
            "--Gateway:Commands:Keys:operator:Allow=status",
            $"--Gateway:Commands:Keys:operator:Token={Token}",
        ]);
        var line = await gateway.WaitForLineAsync("Web console on http://", Timeout);
        var url = new Uri(line[line.IndexOf("http://", StringComparison.Ordinal)..].Split(' ')[0]);

        using var silent = new TcpClient();
        await silent.ConnectAsync(IPAddress.Loopback, url.Port, ct);
        using var trickle = new TcpClient();
        await trickle.ConnectAsync(IPAddress.Loopback, url.Port, ct);

        // Both slots of this address are held; the trickler sends a header byte every 200 ms and never ends it.
        var trickling = Trickle(trickle.GetStream(), ct);
        var silentClosed = ServerClose.WaitAsync(silent.GetStream(), ct);
        var closedInTime = await Task.WhenAll(silentClosed, trickling).WaitAsync(TimeSpan.FromSeconds(20), ct).ContinueWith(t => t.IsCompletedSuccessfully, TaskScheduler.Default);
        Assert.True(closedInTime, $"the console still held a silent or trickling connection after 20 s:\n{gateway.Output}");

        // The slots are free again: the same address logs in.
        using var client = new HttpClient { BaseAddress = url };
        using var login = await client.PostAsync("api/session", new StringContent($"{{\"token\":\"{Token}\"}}", Encoding.UTF8, "application/json"), ct);
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);

        gateway.Signal(Signals.SIGTERM);
        Assert.Equal(0, await gateway.WaitForExitAsync(Timeout));
    }

    // Sends a request's headers one byte at a time, never finishing them, until the server closes the connection.
    private static async Task Trickle(NetworkStream stream, CancellationToken ct)
    {
        var closed = ServerClose.WaitAsync(stream, ct);
        var header = Encoding.ASCII.GetBytes("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + new string('a', 400));
        for (var i = 0; i < header.Length && !closed.IsCompleted; i++)
        {
            try
            {
                await stream.WriteAsync(header.AsMemory(i, 1), ct);
            }
            catch (IOException)
            {
                break;
            }

            await Task.WhenAny(closed, Task.Delay(200, ct));
        }

        await closed;
    }

    public void Dispose() => _dir.Dispose();
}
