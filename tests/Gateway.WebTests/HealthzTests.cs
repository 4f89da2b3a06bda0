using System.Net;
using Gateway.IntegrationTests.Infrastructure;

namespace Gateway.WebTests;

/// <summary>
/// Issue 18, item 1: <c>/healthz</c> on the HTTP listener answers as the systemd watchdog judges, for probes that have
/// no systemd (a container's health check, a load balancer, a monitor): 200 while every heartbeat is fresh, 503 naming
/// the silent one once the pipeline stalls (fault injection: <c>Gateway:Diagnostics:StallPipelineAfter</c>).
/// </summary>
public sealed class HealthzTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Healthz_answers_200_while_every_heartbeat_is_fresh_and_503_with_the_silent_one_after_a_stall()
    {
        using var gateway = GatewayProcess.Start(_dir.Path,
        [
            "--Gateway:DeviceId=health-01",
            $"--Gateway:StateDirectory={_dir.File("state")}",
            "--Gateway:Listener:Http=127.0.0.1:0",
            "--Gateway:Diagnostics:StallPipelineAfter=4s",
            "--Gateway:Watchdog:HeartbeatTimeout=2s",
        ]);
        var line = await gateway.WaitForLineAsync("Web console on http://", Timeout);
        using var client = new HttpClient { BaseAddress = new Uri(line[line.IndexOf("http://", StringComparison.Ordinal)..].Split(' ')[0]) };

        using (var healthy = await client.GetAsync("healthz", TestContext.Current.CancellationToken))
        {
            Assert.Equal(HttpStatusCode.OK, healthy.StatusCode); // no session needed: a probe has none
            Assert.Equal("ok\n", await healthy.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        }

        HttpStatusCode status;
        string body;
        var deadline = DateTime.UtcNow + Timeout;
        do
        {
            await Task.Delay(250, TestContext.Current.CancellationToken);
            using var probe = await client.GetAsync("healthz", TestContext.Current.CancellationToken);
            status = probe.StatusCode;
            body = await probe.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        }
        while (status == HttpStatusCode.OK && DateTime.UtcNow < deadline);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.Matches(@"^unhealthy: heartbeat '.*pipeline.*' silent for \d+\.\ds \(Gateway:Watchdog:HeartbeatTimeout 2s\)\n$", body);
        using var head = await client.SendAsync(new HttpRequestMessage(HttpMethod.Head, "healthz"), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, head.StatusCode);
    }
}
