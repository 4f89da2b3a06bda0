using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Gateway.IntegrationTests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Gateway.IntegrationTests.Links;

/// <summary>
/// Issue 14, finding 1: a line no parser expects (a lone surrogate escape, which System.Text.Json refuses to turn into
/// a string) never stops the gateway, a link or a listener. Each way in gets the poison, then must still work.
/// </summary>
public sealed class PoisonInputTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    // JSON text with \uD800 / \uDFFF escapes (valid UTF-8, valid JSON grammar; no valid string behind them).
    private static readonly string[] Poison =
    [
        """{"type":"\ud800"}""",
        """{"type":"command","id":"\udfff","name":"ping"}""",
        """{"type":"hello","device":"x","firmware":"\ud800","protocol":1,"sensors":["\udfff"],"nextSeq":1}""",
    ];

    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static async Task<string> NextLine(StreamReader reader, Func<string, bool> match, string what)
    {
        using var limit = new CancellationTokenSource(Timeout);
        while (true)
        {
            string? line;
            try
            {
                line = await reader.ReadLineAsync(limit.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"no {what} within {Timeout.TotalSeconds}s");
            }

            if (line is null)
            {
                throw new IOException($"the gateway closed the connection before {what}");
            }

            if (match(line))
            {
                return line;
            }
        }
    }

    private static bool IsType(string line, string type) => line.StartsWith($"{{\"type\":\"{type}\"", StringComparison.Ordinal);

    [Fact]
    public async Task Lone_surrogates_from_the_tcp_upstream_get_an_error_each_and_the_link_keeps_delivering_on_the_same_connection()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        using var gateway = GatewayProcess.Start(_dir.Path,
        [
            "--Gateway:DeviceId=poison-tcp",
            $"--Gateway:StateDirectory={_dir.File("state")}",
            "--Gateway:Sampling:Interval=50ms",
            $"--Gateway:Upstream:Tcp:Endpoint=127.0.0.1:{port}",
            "--Gateway:Upstream:Tcp:BackoffMax=500ms",
        ]);

        using var client = await listener.AcceptTcpClientAsync(TestContext.Current.CancellationToken);
        using var stream = client.GetStream();
        using var reader = new StreamReader(stream, Encoding.UTF8);
        await NextLine(reader, l => IsType(l, "hello"), "hello");
        foreach (var poison in Poison)
        {
            await stream.WriteAsync(Encoding.UTF8.GetBytes(poison + "\n"), TestContext.Current.CancellationToken);
            await NextLine(reader, l => IsType(l, "error"), $"an error reply to {poison}\n{gateway.Output}");
        }

        // The same connection still works both ways: a ping is answered, readings keep coming and are acknowledged.
        await stream.WriteAsync("{\"type\":\"ping\"}\n"u8.ToArray(), TestContext.Current.CancellationToken);
        await NextLine(reader, l => IsType(l, "pong"), "pong");
        var reading = await NextLine(reader, l => IsType(l, "reading"), "a reading after the poison");
        using var doc = JsonDocument.Parse(reading);
        await stream.WriteAsync(Encoding.UTF8.GetBytes($"{{\"type\":\"ack\",\"seq\":{doc.RootElement.GetProperty("seq").GetInt64()}}}\n"), TestContext.Current.CancellationToken);
        await NextLine(reader, l => IsType(l, "reading"), "readings after the ack");

        Assert.DoesNotContain(gateway.Stdout, l => l.Contains("Application is shutting down", StringComparison.Ordinal));
        gateway.Signal(Signals.SIGTERM);
        Assert.Equal(0, await gateway.WaitForExitAsync(Timeout));
    }

    [Fact]
    public async Task Lone_surrogates_from_the_websocket_upstream_get_an_error_each_and_the_link_keeps_delivering_on_the_same_socket()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        await using var app = builder.Build();
        app.UseWebSockets();
        var outcome = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        app.Map("/ingest", async context =>
        {
            using var socket = await context.WebSockets.AcceptWebSocketAsync("gateway.v1");
            try
            {
                await Next(socket, "hello");
                foreach (var poison in Poison)
                {
                    await socket.SendAsync(Encoding.UTF8.GetBytes(poison), WebSocketMessageType.Text, true, context.RequestAborted);
                    await Next(socket, "error");
                }

                await socket.SendAsync("{\"type\":\"ping\"}"u8.ToArray(), WebSocketMessageType.Text, true, context.RequestAborted);
                await Next(socket, "pong");
                await Next(socket, "reading");
                outcome.TrySetResult("ok");
            }
            catch (Exception ex) when (ex is WebSocketException or IOException or OperationCanceledException or TimeoutException)
            {
                outcome.TrySetResult($"the socket failed: {ex.Message}");
            }
        });
        await app.StartAsync(TestContext.Current.CancellationToken);
        var port = new Uri(app.Urls.First()).Port;

        using var gateway = GatewayProcess.Start(_dir.Path,
        [
            "--Gateway:DeviceId=poison-ws",
            $"--Gateway:StateDirectory={_dir.File("state")}",
            "--Gateway:Sampling:Interval=50ms",
            $"--Gateway:Upstream:WebSocket:Url=ws://127.0.0.1:{port}/ingest",
            "--Gateway:Upstream:WebSocket:BackoffMax=500ms",
        ]);

        var result = await outcome.Task.WaitAsync(Timeout, TestContext.Current.CancellationToken);
        Assert.True(result == "ok", $"{result}\n{gateway.Output}");
        gateway.Signal(Signals.SIGTERM);
        Assert.Equal(0, await gateway.WaitForExitAsync(Timeout));
    }

    [Fact]
    public async Task Lone_surrogates_from_a_tcp_listener_client_get_an_error_each_and_the_connection_stays_up()
    {
        using var gateway = GatewayProcess.Start(_dir.Path, ["--Gateway:DeviceId=poison-tl", "--Gateway:Sampling:Interval=100ms", "--Gateway:Listener:Tcp=127.0.0.1:0"]);
        var line = await gateway.WaitForLineAsync("Listener tcp listening on 127.0.0.1:", Timeout);
        var port = int.Parse(line[(line.LastIndexOf(':') + 1)..].Trim(), System.Globalization.CultureInfo.InvariantCulture);

        using var client = new TcpClient();
        await client.ConnectAsync("127.0.0.1", port, TestContext.Current.CancellationToken);
        using var stream = client.GetStream();
        using var reader = new StreamReader(stream, Encoding.UTF8);
        await NextLine(reader, l => IsType(l, "hello"), "hello");
        foreach (var poison in Poison)
        {
            await stream.WriteAsync(Encoding.UTF8.GetBytes(poison + "\n"), TestContext.Current.CancellationToken);
            await NextLine(reader, l => IsType(l, "error"), $"an error reply to {poison}\n{gateway.Output}");
        }

        await stream.WriteAsync("{\"type\":\"ping\"}\n"u8.ToArray(), TestContext.Current.CancellationToken);
        await NextLine(reader, l => IsType(l, "pong"), "pong on the same connection");
        await NextLine(reader, l => IsType(l, "reading"), "live readings on the same connection");

        gateway.Signal(Signals.SIGTERM);
        Assert.Equal(0, await gateway.WaitForExitAsync(Timeout));
    }

    [Fact]
    public async Task Lone_surrogates_from_a_websocket_listener_client_get_an_error_each_and_the_socket_stays_up()
    {
        using var gateway = GatewayProcess.Start(_dir.Path, ["--Gateway:DeviceId=poison-wl", "--Gateway:Sampling:Interval=100ms", "--Gateway:Listener:WebSocket=127.0.0.1:0"]);
        var line = await gateway.WaitForLineAsync("Listener websocket listening on ws://", Timeout);
        var url = new Uri(line[line.IndexOf("ws://", StringComparison.Ordinal)..].Trim());

        using var socket = new ClientWebSocket();
        socket.Options.AddSubProtocol("gateway.v1");
        await socket.ConnectAsync(url, TestContext.Current.CancellationToken);
        await Next(socket, "hello");
        foreach (var poison in Poison)
        {
            await socket.SendAsync(Encoding.UTF8.GetBytes(poison), WebSocketMessageType.Text, true, TestContext.Current.CancellationToken);
            await Next(socket, "error");
        }

        await socket.SendAsync("{\"type\":\"ping\"}"u8.ToArray(), WebSocketMessageType.Text, true, TestContext.Current.CancellationToken);
        await Next(socket, "pong");
        await Next(socket, "reading");

        gateway.Signal(Signals.SIGTERM);
        Assert.Equal(0, await gateway.WaitForExitAsync(Timeout));
    }

    // The next text frame of this type; fails on close or after the timeout.
    private static async Task<JsonElement> Next(WebSocket socket, string type)
    {
        var buffer = new byte[64 * 1024];
        using var limit = new CancellationTokenSource(Timeout);
        while (true)
        {
            var count = 0;
            ValueWebSocketReceiveResult result;
            do
            {
                result = await socket.ReceiveAsync(buffer.AsMemory(count), limit.Token);
                count += result.Count;
            }
            while (!result.EndOfMessage);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                throw new IOException($"the gateway closed the socket before a '{type}' arrived");
            }

            using var doc = JsonDocument.Parse(buffer.AsMemory(0, count));
            if (doc.RootElement.GetProperty("type").GetString() == type)
            {
                return doc.RootElement.Clone();
            }
        }
    }
}
