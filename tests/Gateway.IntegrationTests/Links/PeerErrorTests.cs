using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Gateway.IntegrationTests.Infrastructure;
using Gateway.Mqtt;
using Mosquitto = Gateway.Mqtt.Tests.Broker.Mosquitto;

namespace Gateway.IntegrationTests.Links;

/// <summary>
/// A peer's own <c>error</c> is never answered (docs/protocol.md, Errors: two peers that bounce errors would loop
/// forever), on a real gateway process and a real socket: the upstream link's side and a listener's. The peer sends an
/// error, then a ping; the gateway answers in order, so any reply to the error would come before the pong. The MQTT
/// link's commands topic too, through a real mosquitto: its replies go to the results topic.
/// </summary>
public sealed class PeerErrorTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private static readonly byte[] ErrorThenPing = Encoding.UTF8.GetBytes(
        """{"type":"error","code":"unexpected_ack","message":"the peer complains about something"}""" + "\n" + """{"type":"ping"}""" + "\n");

    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    // Every line up to the pong (without it); bounded in lines and time.
    private static async Task<List<string>> LinesUntilPong(StreamReader reader, string output)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(Token);
        limit.CancelAfter(Timeout);
        var lines = new List<string>();
        for (var i = 0; i < 100_000; i++)
        {
            var line = await reader.ReadLineAsync(limit.Token) ?? throw new IOException($"the gateway closed the connection before the pong\n{output}");
            if (line.StartsWith("""{"type":"pong""", StringComparison.Ordinal))
            {
                return lines;
            }

            lines.Add(line);
        }

        throw new InvalidOperationException("no pong in 100,000 lines");
    }

    private static async Task ExpectHello(StreamReader reader)
    {
        var hello = await reader.ReadLineAsync(Token).AsTask().WaitAsync(Timeout, Token);
        Assert.StartsWith("""{"type":"hello""", hello, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_error_from_the_upstream_is_not_answered_and_the_link_goes_on()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        using var gateway = GatewayProcess.Start(_dir.Path,
        [
            "--Gateway:DeviceId=peer-error-link",
            $"--Gateway:StateDirectory={_dir.File("state")}",
            "--Gateway:Sampling:Interval=50ms",
            $"--Gateway:Upstream:Tcp:Endpoint=127.0.0.1:{port}",
        ]);
        using var client = await listener.AcceptTcpClientAsync(Token).AsTask().WaitAsync(Timeout, Token);
        using var stream = client.GetStream();
        using var reader = new StreamReader(stream, Encoding.UTF8);
        await ExpectHello(reader);

        await stream.WriteAsync(ErrorThenPing, Token);
        var before = await LinesUntilPong(reader, gateway.Output);

        Assert.DoesNotContain(before, l => l.StartsWith("""{"type":"error""", StringComparison.Ordinal));
        var next = await reader.ReadLineAsync(Token).AsTask().WaitAsync(Timeout, Token); // the link goes on
        Assert.StartsWith("""{"type":"reading""", next, StringComparison.Ordinal);
        gateway.Signal(Signals.SIGTERM);
        Assert.Equal(0, await gateway.WaitForExitAsync(Timeout));
    }

    [Fact]
    public async Task An_error_from_a_listener_client_is_not_answered_and_the_connection_stays_up()
    {
        using var gateway = GatewayProcess.Start(_dir.Path, ["--Gateway:DeviceId=peer-error-listener", "--Gateway:Sampling:Interval=50ms", "--Gateway:Listener:Tcp=127.0.0.1:0"]);
        var line = await gateway.WaitForLineAsync("Listener tcp listening on 127.0.0.1:", Timeout);
        var port = int.Parse(line[(line.LastIndexOf(':') + 1)..].Trim(), System.Globalization.CultureInfo.InvariantCulture);
        using var client = new TcpClient();
        await client.ConnectAsync("127.0.0.1", port, Token);
        using var stream = client.GetStream();
        using var reader = new StreamReader(stream, Encoding.UTF8);
        await ExpectHello(reader);

        await stream.WriteAsync(ErrorThenPing, Token);
        var before = await LinesUntilPong(reader, gateway.Output);

        Assert.DoesNotContain(before, l => l.StartsWith("""{"type":"error""", StringComparison.Ordinal));
        gateway.Signal(Signals.SIGTERM);
        Assert.Equal(0, await gateway.WaitForExitAsync(Timeout));
    }

    [Fact]
    public async Task An_error_published_on_the_mqtt_commands_topic_is_not_answered_on_the_results_topic()
    {
        await using var broker = await Mosquitto.StartAsync();
        var results = new ConcurrentQueue<string>();
        var pong = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var peer = new MqttClient();
        peer.ApplicationMessageReceivedAsync += e =>
        {
            var payload = Encoding.UTF8.GetString(e.ApplicationMessage.Payload.Span);
            results.Enqueue(payload);
            if (payload.StartsWith("""{"type":"pong""", StringComparison.Ordinal))
            {
                pong.TrySetResult();
            }

            return Task.CompletedTask;
        };
        await peer.ConnectAsync(broker.Options("peer"), Token);
        await peer.SubscribeAsync("gateway/peer-error-mqtt/results", MqttQualityOfServiceLevel.AtLeastOnce, Token);
        using var gateway = GatewayProcess.Start(_dir.Path,
        [
            "--Gateway:DeviceId=peer-error-mqtt",
            $"--Gateway:StateDirectory={_dir.File("state")}",
            $"--Gateway:Upstream:Mqtt:Broker=127.0.0.1:{broker.Port}",
        ]);
        await gateway.WaitForLineAsync("subscribed to gateway/peer-error-mqtt/commands", Timeout);

        // QoS 1 from one client to one topic: delivered, and handled, in this order.
        await peer.PublishAsync("gateway/peer-error-mqtt/commands", """{"type":"error","code":"unexpected_ack","message":"the peer complains"}"""u8.ToArray(), MqttQualityOfServiceLevel.AtLeastOnce, false, Token);
        await peer.PublishAsync("gateway/peer-error-mqtt/commands", """{"type":"ping"}"""u8.ToArray(), MqttQualityOfServiceLevel.AtLeastOnce, false, Token);
        await pong.Task.WaitAsync(Timeout, Token);

        Assert.DoesNotContain(results, r => r.StartsWith("""{"type":"error""", StringComparison.Ordinal));
        gateway.Signal(Signals.SIGTERM);
        Assert.Equal(0, await gateway.WaitForExitAsync(Timeout));
    }
}
