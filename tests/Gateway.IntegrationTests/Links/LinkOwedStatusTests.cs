using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Gateway.IntegrationTests.Infrastructure;
using Gateway.Protocol;
using Gateway.Protocol.Commands;

namespace Gateway.IntegrationTests.Links;

/// <summary>
/// Issue 18, item 2: <c>status</c> and the periodic summary say what each link still owes its peer. Found from outside: the console showed
/// "0 pending" while the TCP link had been down for 1.5 minutes, and nothing said the link owed 513 readings.
/// </summary>
public sealed class LinkOwedStatusTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private static readonly byte[] Secret = [.. Enumerable.Range(7, 32).Select(i => (byte)i)];
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Status_shows_a_down_links_growing_backlog_with_its_oldest_age_and_after_it_is_back_its_last_ack()
    {
        await using var upstream = new TestUpstream();
        upstream.Start();
        await upstream.KillAsync(); // its port is known and nothing listens on it yet
        using var gateway = GatewayProcess.Start(_dir.Path,
        [
            "--Gateway:DeviceId=owed-01",
            $"--Gateway:StateDirectory={_dir.File("state")}",
            "--Gateway:Sampling:Interval=50ms",
            $"--Gateway:Upstream:Tcp:Endpoint=127.0.0.1:{upstream.Port}",
            "--Gateway:Upstream:Tcp:BackoffMax=300ms",
            "--Gateway:Listener:Tcp=127.0.0.1:0",
            $"--Gateway:Commands:Keys:viewer:Secret={Convert.ToBase64String(Secret)}",
            "--Gateway:Commands:Keys:viewer:Allow=status",
            "--Gateway:Logging:Summary=10s",
        ]);
        var listening = await gateway.WaitForLineAsync("Listener tcp listening on 127.0.0.1:", Timeout);
        var port = int.Parse(listening[(listening.LastIndexOf(':') + 1)..].Trim(), System.Globalization.CultureInfo.InvariantCulture);
        using var client = new TcpClient();
        await client.ConnectAsync("127.0.0.1", port, TestContext.Current.CancellationToken);
        using var stream = client.GetStream();
        using var reader = new StreamReader(stream, Encoding.UTF8);

        await Task.Delay(2_000, TestContext.Current.CancellationToken); // down: readings pile up
        var down = await TcpLink(stream, reader, "s1");
        Assert.NotEqual("up", down.GetProperty("state").GetString());
        Assert.True(down.GetProperty("backlog").GetInt64() > 10, down.ToString());
        Assert.Equal(0, down.GetProperty("acknowledged").GetInt64());
        Assert.InRange(down.GetProperty("oldestUnacknowledgedSeconds").GetInt64(), 1, 60);
        Assert.Equal(JsonValueKind.Null, down.GetProperty("lastAck").ValueKind);

        upstream.Start(); // back on the same port: the backlog drains and the peer acknowledges
        await upstream.WaitForSeqAsync(down.GetProperty("backlog").GetInt64() + 5, Timeout);
        JsonElement up;
        var deadline = DateTime.UtcNow + Timeout;
        do
        {
            await Task.Delay(300, TestContext.Current.CancellationToken);
            up = await TcpLink(stream, reader, $"s{DateTime.UtcNow.Ticks}");
        }
        while (up.GetProperty("acknowledged").GetInt64() < down.GetProperty("backlog").GetInt64() && DateTime.UtcNow < deadline);

        Assert.Equal("up", up.GetProperty("state").GetString());
        Assert.True(up.GetProperty("acknowledged").GetInt64() >= down.GetProperty("backlog").GetInt64(), up.ToString());
        Assert.True(up.GetProperty("backlog").GetInt64() < 100, up.ToString()); // only what was sampled since the last ack
        Assert.InRange(up.GetProperty("lastAckSeconds").GetInt64(), 0, 5);
        Assert.EndsWith("Z", up.GetProperty("lastAck").GetString(), StringComparison.Ordinal);

        // The periodic summary says the same: what the link delivered since its last line and what it still owes.
        var summary = await gateway.WaitForLineAsync("links: tcp up (delivered ", Timeout);
        Assert.Matches(@"links: tcp up \(delivered \d+, owes \d+\)", summary);
    }

    // Runs status over the console connection and returns the TCP link's entry.
    private static async Task<JsonElement> TcpLink(NetworkStream stream, StreamReader reader, string id)
    {
        var command = CommandSigning.Create("viewer", Secret, "owed-01", id, "status", "{}", DateTimeOffset.UtcNow, CommandSigning.NewNonce());
        await stream.WriteAsync(Encoding.UTF8.GetBytes(MessageWriter.ToJson(command) + "\n"), TestContext.Current.CancellationToken);
        using var limit = new CancellationTokenSource(Timeout);
        string? line;
        do
        {
            line = await reader.ReadLineAsync(limit.Token);
        }
        while (line is not null && !line.Contains($"\"{id}\"", StringComparison.Ordinal));

        Assert.NotNull(line);
        using var result = JsonDocument.Parse(line);
        Assert.True(result.RootElement.GetProperty("ok").GetBoolean(), line);
        return result.RootElement.GetProperty("data").GetProperty("links").EnumerateArray().Single(l => l.GetProperty("kind").GetString() == "tcp").Clone();
    }
}
