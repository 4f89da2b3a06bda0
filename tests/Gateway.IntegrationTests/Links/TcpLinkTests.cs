using Gateway.IntegrationTests.Infrastructure;

namespace Gateway.IntegrationTests.Links;

/// <summary>The TCP upstream link with real sockets: nothing the gateway stored is lost across upstream outages.</summary>
public sealed class TcpLinkTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private GatewayProcess Start(int port, params string[] extra) => GatewayProcess.Start(_dir.Path,
    [
        "--Gateway:DeviceId=linked",
        $"--Gateway:StateDirectory={_dir.File("state")}",
        "--Gateway:Sampling:Interval=10ms",
        $"--Gateway:Upstream:Tcp:Endpoint=127.0.0.1:{port}",
        "--Gateway:Upstream:Tcp:Window=500",
        "--Gateway:Upstream:Tcp:BackoffMax=500ms",
        .. extra,
    ]);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Through_upstream_restarts_and_dropped_connections_every_stored_reading_is_delivered_or_still_stored(bool tls)
    {
        using var cert = tls ? TestCertificates.SelfSigned() : null;
        string[] tlsArgs = cert is null ? [] : ["--Gateway:Upstream:Tcp:Tls=true", $"--Gateway:Upstream:Tcp:CaFile={TestCertificates.WritePem(cert, _dir.File("ca.pem"))}"];
        await using var upstream = new TestUpstream(cert);
        upstream.Start();
        using var gateway = Start(upstream.Port, tlsArgs);
        await upstream.WaitForSeqAsync(500, Timeout);

        // Dropped mid-stream, three times.
        for (var i = 0; i < 3; i++)
        {
            upstream.DropConnections();
            await upstream.WaitForSeqAsync(upstream.MaxSeq + 300, Timeout);
        }

        // Down for two seconds (readings pile up in the outbox), then back on the same port.
        await upstream.KillAsync();
        var beforeOutage = upstream.MaxSeq;
        await Task.Delay(2_000, TestContext.Current.CancellationToken);
        upstream.Start();
        await upstream.WaitForSeqAsync(beforeOutage + 3_000, Timeout); // the backlog drains
        Assert.True(upstream.Hellos >= 5, $"{upstream.Hellos} hellos: one per connection");

        gateway.Signal(Signals.SIGTERM);
        Assert.Equal(0, await gateway.WaitForExitAsync(Timeout));

        // Every committed seq is either received upstream (de-duplicated) or still in the outbox, unacknowledged.
        var received = upstream.Received.Where(r => r.Device == "linked").Select(r => r.Seq).ToHashSet();
        var missing = DeliveryCheck.Missing(_dir.File("state/gateway.db"), received);
        Assert.True(missing.Count == 0, $"{missing.Count} readings neither delivered nor stored, first {string.Join(", ", missing.Take(10))}");
        Assert.True(received.Count > 4_000, $"{received.Count} delivered");
    }

    [Fact]
    public async Task Garbage_from_the_upstream_gets_an_error_reply_and_the_link_keeps_delivering()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        using var gateway = Start(port);

        using var client = await listener.AcceptTcpClientAsync(TestContext.Current.CancellationToken);
        using var stream = client.GetStream();
        using var reader = new StreamReader(stream);
        var hello = await reader.ReadLineAsync(TestContext.Current.CancellationToken);
        Assert.StartsWith("{\"type\":\"hello\",\"device\":\"linked\"", hello, StringComparison.Ordinal);

        await stream.WriteAsync("this is not json\n{\"type\":\"teleport\"}\n{\"type\":\"ack\",\"seq\":999999999}\n"u8.ToArray(), TestContext.Current.CancellationToken);
        var errors = new List<string>();
        while (errors.Count < 3)
        {
            var line = await reader.ReadLineAsync(TestContext.Current.CancellationToken);
            Assert.NotNull(line);
            if (line.StartsWith("{\"type\":\"error\"", StringComparison.Ordinal))
            {
                errors.Add(line);
            }
        }

        Assert.Contains(errors, e => e.Contains("malformed_json", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("unknown_type", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("unexpected_ack", StringComparison.Ordinal));
        var reading = await reader.ReadLineAsync(TestContext.Current.CancellationToken);
        Assert.StartsWith("{\"type\":", reading, StringComparison.Ordinal); // still sending

        // Invalid UTF-8: an error reply, and the connection stays.
        byte[] invalid = [.. "{\"type\":\"ping\",\"x\":\""u8, 0xC3, 0x28, .. "\"}\n"u8];
        await stream.WriteAsync(invalid, TestContext.Current.CancellationToken);
        while (await reader.ReadLineAsync(TestContext.Current.CancellationToken) is { } line && !line.Contains("invalid_utf8", StringComparison.Ordinal))
        {
        }

        // An oversized line: an error reply, then the gateway drops the connection and comes back with a new hello.
        await stream.WriteAsync(new byte[100_000], TestContext.Current.CancellationToken);
        while (await reader.ReadLineAsync(TestContext.Current.CancellationToken) is { } line && !line.Contains("line_too_long", StringComparison.Ordinal))
        {
        }

        using var again = await listener.AcceptTcpClientAsync(TestContext.Current.CancellationToken);
        using var againReader = new StreamReader(again.GetStream());
        Assert.StartsWith("{\"type\":\"hello\"", await againReader.ReadLineAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);

        gateway.Signal(Signals.SIGTERM);
        Assert.Equal(0, await gateway.WaitForExitAsync(Timeout));
    }

    [Fact]
    public async Task An_upstream_that_stays_down_gets_one_warning_not_one_per_retry_and_a_line_when_it_is_back()
    {
        int port;
        using (var probe = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0))
        {
            probe.Start();
            port = ((System.Net.IPEndPoint)probe.LocalEndpoint).Port; // free, and nobody listens once the probe is gone
        }

        using var gateway = Start(port); // BackoffMax=500ms: ~2 retries a second
        await gateway.WaitForLineAsync("reconnecting in", Timeout);
        await Task.Delay(TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken);

        // Before, every retry logged a warning (~10 here; 120 lines in 2.5 minutes with the default backoff).
        Assert.Single(gateway.Stdout, l => l.Contains($"Link tcp to 127.0.0.1:{port} down", StringComparison.Ordinal));

        await using var upstream = new TestUpstream { Port = port };
        upstream.Start();
        var back = await gateway.WaitForLineAsync("Link tcp: back after", Timeout);
        Assert.Matches(@"back after \d+\.\ds down \((\d{2,}|[5-9]) failed attempts\)", back);
        gateway.Signal(Signals.SIGTERM);
        Assert.Equal(0, await gateway.WaitForExitAsync(Timeout));
    }

    [Fact]
    public async Task An_upstream_that_pings_but_never_reads_is_dropped_as_stalled_after_WriteTimeout_and_nothing_is_lost()
    {
        await using var upstream = new TestUpstream { NeverRead = true };
        upstream.Start();
        using var gateway = Start(upstream.Port, "--Gateway:Upstream:Tcp:WriteTimeout=2s", "--Gateway:Upstream:Tcp:Window=100000");

        // Readings pile up faster than a 4 KiB window drains, so a write blocks: after WriteTimeout the link says so.
        var stalled = await gateway.WaitForLineAsync($"Link tcp to 127.0.0.1:{upstream.Port} stalled", Timeout);
        Assert.Contains("did not read for 2s", stalled, StringComparison.Ordinal);
        await gateway.WaitForLineAsync("reconnecting in", Timeout);

        // The upstream recovers: everything stored reaches it (the cursor never moved without an ack).
        upstream.NeverRead = false;
        upstream.DropConnections();
        await upstream.WaitForSeqAsync(2_000, Timeout);
        gateway.Signal(Signals.SIGTERM);
        Assert.Equal(0, await gateway.WaitForExitAsync(Timeout));
        var received = upstream.Received.Where(r => r.Device == "linked").Select(r => r.Seq).ToHashSet();
        var missing = DeliveryCheck.Missing(_dir.File("state/gateway.db"), received);
        Assert.True(missing.Count == 0, $"{missing.Count} readings neither delivered nor stored, first {string.Join(", ", missing.Take(10))}");
    }
}
