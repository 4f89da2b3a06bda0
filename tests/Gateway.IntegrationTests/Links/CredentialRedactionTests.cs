using System.Net.Sockets;
using System.Text;
using Gateway.IntegrationTests.Infrastructure;
using Gateway.Protocol;
using Gateway.Protocol.Commands;

namespace Gateway.IntegrationTests.Links;

/// <summary>Issue 14, finding 12: credentials in a link's URL never reach the log, <c>status</c> or <c>config.get</c>.</summary>
public sealed class CredentialRedactionTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private static readonly byte[] Secret = [.. Enumerable.Range(40, 32).Select(i => (byte)i)];
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Userinfo_and_query_values_of_a_link_url_and_the_mqtt_username_are_never_logged_or_shown()
    {
        // Nothing listens on the upstream's port: the link goes down again and again, logging its target each time.
        using var closed = new TcpListener(System.Net.IPAddress.Loopback, 0);
        closed.Start();
        var deadPort = ((System.Net.IPEndPoint)closed.LocalEndpoint).Port;
        closed.Stop();
        using var gateway = GatewayProcess.Start(_dir.Path,
        [
            "--Gateway:DeviceId=redact-01",
            $"--Gateway:StateDirectory={_dir.File("state")}",
            $"--Gateway:Upstream:WebSocket:Url=ws://alice:hunter2pw@127.0.0.1:{deadPort}/ingest?access_token=s3cretTok&site=north",
            "--Gateway:Upstream:WebSocket:BackoffMax=200ms",
            $"--Gateway:Upstream:Mqtt:Broker=127.0.0.1:{deadPort}",
            "--Gateway:Upstream:Mqtt:Username=mqtt-account-name",
            "--Gateway:Upstream:Mqtt:Password=mqtt-password-value",
            "--Gateway:Listener:Tcp=127.0.0.1:0",
            $"--Gateway:Commands:Keys:viewer:Secret={Convert.ToBase64String(Secret)}",
            "--Gateway:Commands:Keys:viewer:Allow=status,config.get",
        ]);
        var listening = await gateway.WaitForLineAsync("Listener tcp listening on 127.0.0.1:", Timeout);
        var port = int.Parse(listening[(listening.LastIndexOf(':') + 1)..].Trim(), System.Globalization.CultureInfo.InvariantCulture);
        var down = await gateway.WaitForLineAsync("Link websocket to ", Timeout);
        Assert.Contains($"ws://(redacted)@127.0.0.1:{deadPort}/ingest?access_token=(redacted)&site=(redacted)", down, StringComparison.Ordinal);

        using var client = new TcpClient();
        await client.ConnectAsync("127.0.0.1", port, TestContext.Current.CancellationToken);
        using var stream = client.GetStream();
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var results = new List<string>();
        foreach (var name in new[] { "status", "config.get" })
        {
            var command = CommandSigning.Create("viewer", Secret, "redact-01", $"r-{name}", name, "{}", DateTimeOffset.UtcNow, CommandSigning.NewNonce());
            await stream.WriteAsync(Encoding.UTF8.GetBytes(MessageWriter.ToJson(command) + "\n"), TestContext.Current.CancellationToken);
            using var limit = new CancellationTokenSource(Timeout);
            string? line;
            do
            {
                line = await reader.ReadLineAsync(limit.Token);
            }
            while (line is not null && !line.Contains($"\"r-{name}\"", StringComparison.Ordinal));
            Assert.NotNull(line);
            Assert.Contains("\"ok\":true", line, StringComparison.Ordinal);
            results.Add(line);
        }

        using (var status = System.Text.Json.JsonDocument.Parse(results[0]))
        using (var config = System.Text.Json.JsonDocument.Parse(results[1]))
        {
            var targets = status.RootElement.GetProperty("data").GetProperty("links").EnumerateArray().Select(l => l.GetProperty("target").GetString()).ToList();
            Assert.Contains($"ws://(redacted)@127.0.0.1:{deadPort}/ingest?access_token=(redacted)&site=(redacted)", targets);
            var values = config.RootElement.GetProperty("data").GetProperty("config");
            Assert.Equal("(redacted)", values.GetProperty("Gateway:Upstream:Mqtt:Username").GetString());
            Assert.Equal($"ws://(redacted)@127.0.0.1:{deadPort}/ingest?access_token=(redacted)&site=(redacted)", values.GetProperty("Gateway:Upstream:WebSocket:Url").GetString());
        }
        gateway.Signal(Signals.SIGTERM);
        Assert.Equal(0, await gateway.WaitForExitAsync(Timeout));
        foreach (var secret in new[] { "hunter2pw", "s3cretTok", "north", "alice", "mqtt-account-name", "mqtt-password-value" })
        {
            Assert.DoesNotContain(secret, gateway.Output, StringComparison.Ordinal);
            Assert.All(results, r => Assert.DoesNotContain(secret, r, StringComparison.Ordinal));
        }
    }
}
