using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Gateway.IntegrationTests.Infrastructure;
using Gateway.IntegrationTests.Links;

namespace Gateway.IntegrationTests.Service;

/// <summary>
/// Issue 18, item 1: operators scrape gateways with Prometheus. A real Prometheus (Debian's <c>prometheus</c>, started
/// by the test on a loopback port) scrapes the gateway's <c>/metrics</c> (<c>Gateway:Listener:Metrics</c>, no web
/// console) every second, and the test reads the series back through Prometheus's query API: readings sampled and stored,
/// each link's state, sent, acknowledged and backlog, sensor reads and their duration, commands by result code, and the
/// runtime's process and GC figures.
/// </summary>
public sealed class MetricsScrapeTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task A_real_prometheus_scrapes_the_gateway_and_reads_back_its_readings_links_sensors_commands_and_runtime_series()
    {
        Prometheus.Require();
        await using var upstream = new TestUpstream();
        upstream.Start();
        var metricsPort = LoopbackPorts.Free();
        using var gateway = GatewayProcess.Start(_dir.Path,
        [
            "--Gateway:DeviceId=scrape-01",
            $"--Gateway:StateDirectory={_dir.File("state")}",
            "--Gateway:Sampling:Interval=100ms",
            $"--Gateway:Upstream:Tcp:Endpoint=127.0.0.1:{upstream.Port}",
            $"--Gateway:Upstream:Tcp:Links:spare:Endpoint=127.0.0.1:{LoopbackPorts.Free()}", // nothing listens: down, owing
            "--Gateway:Upstream:Tcp:Links:spare:BackoffMax=500ms",
            $"--Gateway:Listener:Metrics=127.0.0.1:{metricsPort}",
            "--Gateway:Listener:Tcp=127.0.0.1:0",
        ]);
        await gateway.WaitForLineAsync($"Metrics on http://127.0.0.1:{metricsPort}/metrics", Timeout);
        var listening = await gateway.WaitForLineAsync("Listener tcp listening on 127.0.0.1:", Timeout);
        var code = await SendUnsignedCommandAsync(int.Parse(listening[(listening.LastIndexOf(':') + 1)..].Trim(), System.Globalization.CultureInfo.InvariantCulture));
        await upstream.WaitForSeqAsync(20, Timeout);

        await using var prometheus = await Prometheus.StartAsync([$"127.0.0.1:{metricsPort}"]);
        var target = $"127.0.0.1:{metricsPort}";
        await WaitAsync(prometheus, "gateway_link_acknowledged_total{link=\"tcp\"} > 0", "the tcp link's acknowledged readings", gateway);

        var targets = await prometheus.TargetsAsync();
        Assert.Equal("up", targets[target].Health);

        // The gateway itself: up, healthy, which device and version.
        var info = Assert.Single(await prometheus.QueryAsync("gateway_info"));
        Assert.Equal("scrape-01", info.Labels["device"]);
        Assert.Equal(1, Assert.Single(await prometheus.QueryAsync("gateway_healthy")).Value);

        // Readings: sampled per sensor, stored overall.
        Assert.True(Assert.Single(await prometheus.QueryAsync("sum(gateway_readings_sampled_total)")).Value > 0);
        Assert.True(Assert.Single(await prometheus.QueryAsync("gateway_readings_stored_total")).Value > 0);

        // Links: the connected one sends and is acknowledged, the down one owes a growing backlog.
        Assert.Equal(1, Single(await prometheus.QueryAsync("gateway_link_up{link=\"tcp\"}")));
        Assert.Equal(0, Single(await prometheus.QueryAsync("gateway_link_up{link=\"tcp:spare\"}")));
        Assert.True(Single(await prometheus.QueryAsync("gateway_link_sent_total{link=\"tcp\"}")) > 0);
        Assert.Equal(0, Single(await prometheus.QueryAsync("gateway_link_connects_total{link=\"tcp:spare\"}")));
        await WaitAsync(prometheus, "gateway_link_backlog{link=\"tcp:spare\"} > 10", "the spare link's backlog", gateway);
        await WaitAsync(prometheus, "gateway_link_oldest_unacknowledged_age_seconds{link=\"tcp:spare\"} >= 1", "the spare link's oldest unacknowledged age", gateway);

        // Sensors: reads, state and read durations (a histogram, per sensor).
        Assert.NotEmpty(await prometheus.QueryAsync("gateway_sensor_reads_total > 0"));
        Assert.NotEmpty(await prometheus.QueryAsync("gateway_sensor_state{state=\"ok\"} == 1"));
        Assert.NotEmpty(await prometheus.QueryAsync("gateway_sensor_read_duration_seconds_count{outcome=\"ok\"} > 0"));
        Assert.NotEmpty(await prometheus.QueryAsync("histogram_quantile(0.99, sum by (le) (gateway_sensor_read_duration_seconds_bucket))"));

        // Commands by result code: the unsigned command sent above.
        Assert.Equal(1, Single(await prometheus.QueryAsync($"gateway_commands_total{{code=\"{code}\"}}")));

        // The runtime: process memory and collections.
        Assert.True(Single(await prometheus.QueryAsync("dotnet_process_memory_working_set_bytes")) > 1_000_000);
        Assert.NotEmpty(await prometheus.QueryAsync("dotnet_gc_collections_total"));
    }

    [Fact]
    public async Task The_metrics_listener_serves_metrics_and_healthz_only_and_the_web_console_serves_metrics_without_a_session()
    {
        using var gateway = GatewayProcess.Start(_dir.Path,
        [
            "--Gateway:DeviceId=scrape-02",
            $"--Gateway:StateDirectory={_dir.File("state")}",
            "--Gateway:Listener:Metrics=127.0.0.1:0",
            "--Gateway:Listener:Http=127.0.0.1:0",
        ]);
        var metrics = Url(await gateway.WaitForLineAsync("Metrics on http://", Timeout));
        var console = Url(await gateway.WaitForLineAsync("Web console on http://", Timeout));
        using var http = new HttpClient();

        foreach (var url in new[] { metrics, new Uri(new Uri(console), "metrics").ToString() })
        {
            using var response = await http.GetAsync(url, TestContext.Current.CancellationToken);
            var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.StartsWith("text/plain", response.Content.Headers.ContentType?.MediaType, StringComparison.Ordinal);
            Assert.Contains("# TYPE gateway_readings_stored_total counter", text, StringComparison.Ordinal);
            Assert.Contains("gateway_info{", text, StringComparison.Ordinal);
        }

        var root = new Uri(metrics);
        using (var health = await http.GetAsync(new Uri(root, "/healthz"), TestContext.Current.CancellationToken))
        {
            Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        }

        using (var page = await http.GetAsync(new Uri(root, "/"), TestContext.Current.CancellationToken))
        {
            Assert.Equal(HttpStatusCode.NotFound, page.StatusCode); // not the console: nothing else is served there
        }

        using var post = await http.PostAsync(metrics, new StringContent("x"), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, post.StatusCode);
        Assert.False(gateway.HasExited, gateway.Output);
    }

    [Fact]
    public async Task One_address_cannot_hold_every_slot_of_the_metrics_listener_and_keep_a_scraper_out()
    {
        var ct = TestContext.Current.CancellationToken;
        using var gateway = GatewayProcess.Start(_dir.Path,
        [
            "--Gateway:DeviceId=scrape-03",
            $"--Gateway:StateDirectory={_dir.File("state")}",
            "--Gateway:Listener:Metrics=127.0.0.1:0",
            "--Gateway:Listener:Http=",
            "--Gateway:Listener:HttpMaxConnectionsPerAddress=2",
        ]);
        var port = new Uri(Url(await gateway.WaitForLineAsync("Metrics on http://", Timeout))).Port;

        // Two idle connections from 127.0.0.1 hold that address's slots (they would be closed after the header timeout).
        using var first = new TcpClient();
        await first.ConnectAsync(IPAddress.Loopback, port, ct);
        using var second = new TcpClient();
        await second.ConnectAsync(IPAddress.Loopback, port, ct);
        await Task.Delay(300, ct); // both accepted by the server before the next one comes

        // A third from the same address is closed at once, before it sends a byte.
        using var third = new TcpClient();
        await third.ConnectAsync(IPAddress.Loopback, port, ct);
        var closed = ServerClose.WaitAsync(third.GetStream(), ct);
        Assert.True(await closed.WaitAsync(TimeSpan.FromSeconds(3), ct).ContinueWith(t => t.IsCompletedSuccessfully, TaskScheduler.Default), $"a third connection from one address was kept open:\n{gateway.Output}");

        // Another address still scrapes while those two are held.
        using var scraper = new TcpClient(new IPEndPoint(IPAddress.Parse("127.0.0.2"), 0));
        await scraper.ConnectAsync(IPAddress.Loopback, port, ct);
        using var stream = scraper.GetStream();
        await stream.WriteAsync("GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"u8.ToArray(), ct);
        using var reader = new StreamReader(stream, Encoding.ASCII);
        Assert.Equal("HTTP/1.1 200 OK", await reader.ReadLineAsync(ct).AsTask().WaitAsync(Timeout, ct));
        Assert.True(first.Connected && second.Connected);

        await gateway.WaitForLineAsync("Metrics listener: connections refused from 127.0.0.1: it already holds 2", Timeout);
        Assert.False(gateway.HasExited, gateway.Output);
    }

    private static string Url(string line) => line[line.IndexOf("http://", StringComparison.Ordinal)..].Split(' ')[0];

    private static double Single(List<(Dictionary<string, string> Labels, double Value)> series) => Assert.Single(series).Value;

    private static async Task WaitAsync(Prometheus prometheus, string query, string what, GatewayProcess gateway)
    {
        var deadline = DateTime.UtcNow + Timeout;
        while ((await prometheus.QueryAsync(query).ConfigureAwait(false)).Count == 0)
        {
            Assert.True(DateTime.UtcNow < deadline, $"Prometheus never had {what} ({query}); targets: {string.Join(", ", (await prometheus.TargetsAsync().ConfigureAwait(false)).Select(t => $"{t.Key} {t.Value}"))}\n{prometheus.Output}\n--- gateway ---\n{gateway.Output}");
            await Task.Delay(250, TestContext.Current.CancellationToken).ConfigureAwait(false);
        }
    }

    // An unsigned command on the TCP listener: refused, with a result code the scrape must count.
    private static async Task<string> SendUnsignedCommandAsync(int port)
    {
        using var client = new TcpClient();
        await client.ConnectAsync("127.0.0.1", port, TestContext.Current.CancellationToken).ConfigureAwait(false);
        using var stream = client.GetStream();
        using var reader = new StreamReader(stream, Encoding.UTF8);
        await stream.WriteAsync("{\"type\":\"command\",\"id\":\"m1\",\"name\":\"ping\"}\n"u8.ToArray(), TestContext.Current.CancellationToken).ConfigureAwait(false);
        var deadline = DateTime.UtcNow + Timeout;
        while (DateTime.UtcNow < deadline)
        {
            var line = await reader.ReadLineAsync(TestContext.Current.CancellationToken).ConfigureAwait(false) ?? throw new InvalidOperationException("the listener closed before answering");
            using var json = JsonDocument.Parse(line);
            if (json.RootElement.GetProperty("type").GetString() == "result")
            {
                Assert.False(json.RootElement.GetProperty("ok").GetBoolean(), line);
                return json.RootElement.GetProperty("code").GetString()!;
            }
        }

        throw new TimeoutException("no result for the unsigned command");
    }
}
