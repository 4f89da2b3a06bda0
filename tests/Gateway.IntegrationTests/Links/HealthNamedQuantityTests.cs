using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Gateway.IntegrationTests.Infrastructure;

namespace Gateway.IntegrationTests.Links;

/// <summary>
/// A record says what it is (issue 17): a sensor quantity that happens to be called <c>health</c> is a measurement
/// and goes upstream as a <c>reading</c>; only a sensor's health change is an <c>event</c>.
/// </summary>
public sealed class HealthNamedQuantityTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task An_ads1115_channel_named_health_arrives_upstream_as_a_reading_and_a_failing_sensor_still_as_an_event()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        using var gateway = GatewayProcess.Start(_dir.Path,
        [
            "--Gateway:DeviceId=named",
            "--Gateway:Sampling:Interval=50ms",
            $"--Gateway:Upstream:Tcp:Endpoint=127.0.0.1:{port}",

            // The simulated board's ADS1115 (0x48) drives channel 1 at 3.9 V; here that channel's quantity is 'health'.
            "--Gateway:Sensors:analog:Channels:1=health",

            // Nothing answers at 0x45 on the simulated bus: this sensor fails, and its health change is an event.
            "--Gateway:Sensors:ghost:Type=Sht3x",
            "--Gateway:Sensors:ghost:Bus=1",
            "--Gateway:Sensors:ghost:Address=0x45",
        ]);

        using var limit = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        limit.CancelAfter(Timeout);
        using var client = await listener.AcceptTcpClientAsync(limit.Token);
        var stream = client.GetStream();
        using var reader = new StreamReader(stream);
        using var writer = new StreamWriter(stream) { AutoFlush = true };

        JsonElement? channel = null;
        JsonElement? healthEvent = null;
        var analogEvents = new List<string>();
        // Until the channel's first message (on main it came as an event) and the failing sensor's event are both in.
        while ((channel is null && analogEvents.Count == 0) || healthEvent is null)
        {
            var line = await reader.ReadLineAsync(limit.Token) ?? throw new InvalidOperationException("the gateway closed the connection");
            using var doc = JsonDocument.Parse(line);
            var m = doc.RootElement;
            var type = m.GetProperty("type").GetString();
            if (type is not ("reading" or "event"))
            {
                continue;
            }

            await writer.WriteLineAsync($"{{\"type\":\"ack\",\"seq\":{m.GetProperty("seq").GetInt64()}}}".AsMemory(), limit.Token);
            var sensor = m.GetProperty("sensor").GetString();
            if (type == "event" && sensor == "analog")
            {
                analogEvents.Add(line);
            }
            else if (type == "reading" && sensor == "analog" && m.GetProperty("quantity").GetString() == "health")
            {
                channel = m.Clone();
            }
            else if (type == "event" && sensor == "ghost")
            {
                healthEvent ??= m.Clone(); // the first change (failing); a later one (failed) may come before the channel's reading
            }
        }

        Assert.Empty(analogEvents);
        var reading = Assert.NotNull(channel);
        Assert.Equal("V", reading.GetProperty("unit").GetString());
        Assert.InRange(reading.GetProperty("value").GetDouble(), 3.8, 4.0);
        var change = Assert.NotNull(healthEvent);
        Assert.Equal("health", change.GetProperty("kind").GetString());
        Assert.StartsWith("failing: ", change.GetProperty("message").GetString(), StringComparison.Ordinal);

        gateway.Signal(Signals.SIGTERM);
        Assert.Equal(0, await gateway.WaitForExitAsync(Timeout));
    }
}
