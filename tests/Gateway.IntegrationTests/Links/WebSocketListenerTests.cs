using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Gateway.IntegrationTests.Infrastructure;

namespace Gateway.IntegrationTests.Links;

/// <summary>The WebSocket listener on Kestrel: the same sessions as TCP, one message per frame.</summary>
public sealed class WebSocketListenerTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static async Task<JsonElement> Next(ClientWebSocket socket, string type)
    {
        var buffer = new byte[64 * 1024];
        using var limit = new CancellationTokenSource(Timeout);
        while (true)
        {
            var result = await socket.ReceiveAsync(buffer, limit.Token);
            Assert.True(result.EndOfMessage, "one message per frame");
            Assert.NotEqual(WebSocketMessageType.Close, result.MessageType);
            using var doc = JsonDocument.Parse(buffer.AsMemory(0, result.Count));
            if (doc.RootElement.GetProperty("type").GetString() == type)
            {
                return doc.RootElement.Clone();
            }
        }
    }

    [Fact]
    public async Task A_browser_gets_hello_live_readings_pong_and_error_replies_over_a_websocket()
    {
        using var gateway = GatewayProcess.Start(_dir.Path, ["--Gateway:DeviceId=wsl-01", "--Gateway:Sampling:Interval=100ms", "--Gateway:Listener:WebSocket=127.0.0.1:0"]);
        var line = await gateway.WaitForLineAsync("Listener websocket listening on ws://", Timeout);
        var url = new Uri(line[line.IndexOf("ws://", StringComparison.Ordinal)..].Trim());

        using (var socket = new ClientWebSocket())
        {
            socket.Options.AddSubProtocol("gateway.v1");
            await socket.ConnectAsync(url, TestContext.Current.CancellationToken);
            Assert.Equal("wsl-01", (await Next(socket, "hello")).GetProperty("device").GetString());
            await Next(socket, "reading");

            await socket.SendAsync("{\"type\":\"ping\"}"u8.ToArray(), WebSocketMessageType.Text, true, TestContext.Current.CancellationToken);
            await Next(socket, "pong");
            await socket.SendAsync(Encoding.UTF8.GetBytes("{\"type\":\"nonsense\"}"), WebSocketMessageType.Text, true, TestContext.Current.CancellationToken);
            Assert.Equal("unknown_type", (await Next(socket, "error")).GetProperty("code").GetString());
            await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", TestContext.Current.CancellationToken);
        }

        using (var noProtocol = new ClientWebSocket())
        {
            var refused = await Assert.ThrowsAsync<WebSocketException>(() => noProtocol.ConnectAsync(url, TestContext.Current.CancellationToken));
            Assert.Contains("400", refused.Message, StringComparison.Ordinal);
        }

        gateway.Signal(Signals.SIGTERM);
        Assert.Equal(0, await gateway.WaitForExitAsync(Timeout));
    }

    [Fact]
    public async Task One_address_gets_at_most_MaxConnectionsPerAddress_websockets_and_the_next_gets_503()
    {
        using var gateway = GatewayProcess.Start(_dir.Path, ["--Gateway:DeviceId=wsl-02", "--Gateway:Listener:WebSocket=127.0.0.1:0", "--Gateway:Listener:MaxConnectionsPerAddress=2"]);
        var line = await gateway.WaitForLineAsync("Listener websocket listening on ws://", Timeout);
        var url = new Uri(line[line.IndexOf("ws://", StringComparison.Ordinal)..].Trim());

        using var a = new ClientWebSocket();
        using var b = new ClientWebSocket();
        using var c = new ClientWebSocket();
        foreach (var socket in new[] { a, b })
        {
            socket.Options.AddSubProtocol("gateway.v1");
            await socket.ConnectAsync(url, TestContext.Current.CancellationToken);
            await Next(socket, "hello");
        }

        c.Options.AddSubProtocol("gateway.v1");
        c.Options.CollectHttpResponseDetails = true;
        await Assert.ThrowsAsync<WebSocketException>(() => c.ConnectAsync(url, TestContext.Current.CancellationToken));
        Assert.Equal(System.Net.HttpStatusCode.ServiceUnavailable, c.HttpStatusCode);

        gateway.Signal(Signals.SIGTERM);
        Assert.Equal(0, await gateway.WaitForExitAsync(Timeout));
    }
}
