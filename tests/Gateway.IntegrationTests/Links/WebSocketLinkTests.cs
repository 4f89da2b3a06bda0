using System.Net;
using Gateway.IntegrationTests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Gateway.IntegrationTests.Links;

/// <summary>The WebSocket upstream link against a real Kestrel WebSocket endpoint.</summary>
public sealed class WebSocketLinkTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Through_upstream_restarts_and_aborted_sockets_every_stored_reading_is_delivered_or_still_stored(bool tls)
    {
        using var cert = tls ? TestCertificates.SelfSigned() : null;
        string[] tlsArgs = cert is null ? [] : [$"--Gateway:Upstream:WebSocket:CaFile={TestCertificates.WritePem(cert, _dir.File("ca.pem"))}"];
        await using var upstream = new TestWebSocketUpstream(cert);
        await upstream.StartAsync();
        using var gateway = GatewayProcess.Start(_dir.Path,
        [
            "--Gateway:DeviceId=ws-01",
            $"--Gateway:StateDirectory={_dir.File("state")}",
            "--Gateway:Sampling:Interval=10ms",
            $"--Gateway:Upstream:WebSocket:Url={(tls ? "wss" : "ws")}://127.0.0.1:{upstream.Port}/ingest",
            "--Gateway:Upstream:WebSocket:Window=500",
            "--Gateway:Upstream:WebSocket:BackoffMax=500ms",
            .. tlsArgs,
        ]);
        await upstream.WaitForSeqAsync(500, Timeout);

        for (var i = 0; i < 2; i++)
        {
            upstream.AbortSockets();
            await upstream.WaitForSeqAsync(upstream.MaxSeq + 300, Timeout);
        }

        await upstream.StopAsync();
        var beforeOutage = upstream.MaxSeq;
        await Task.Delay(1_500, TestContext.Current.CancellationToken);
        await upstream.StartAsync();
        await upstream.WaitForSeqAsync(beforeOutage + 2_000, Timeout);
        Assert.True(upstream.Hellos >= 4, $"{upstream.Hellos} hellos");

        gateway.Signal(Signals.SIGTERM);
        Assert.Equal(0, await gateway.WaitForExitAsync(Timeout));

        var received = upstream.Received.Where(r => r.Device == "ws-01").Select(r => r.Seq).ToHashSet();
        var missing = DeliveryCheck.Missing(_dir.File("state/gateway.db"), received);
        Assert.True(missing.Count == 0, $"{missing.Count} readings neither delivered nor stored, first {string.Join(", ", missing.Take(10))}");
    }

    [Fact]
    public async Task An_upstream_that_refuses_the_subprotocol_is_not_sent_anything()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        await using var app = builder.Build();
        app.UseWebSockets();
        var accepted = 0;
        app.Map("/ingest", async context =>
        {
            using var socket = await context.WebSockets.AcceptWebSocketAsync(); // no subprotocol
            Interlocked.Increment(ref accepted);
            await Task.Delay(500);
        });
        await app.StartAsync(TestContext.Current.CancellationToken);
        var port = new Uri(app.Urls.First()).Port;

        using var gateway = GatewayProcess.Start(_dir.Path,
        [
            "--Gateway:DeviceId=ws-02",
            $"--Gateway:Upstream:WebSocket:Url=ws://127.0.0.1:{port}/ingest",
        ]);

        await gateway.WaitForLineAsync("did not accept the subprotocol gateway.v1", Timeout);
        gateway.Signal(Signals.SIGTERM);
        Assert.Equal(0, await gateway.WaitForExitAsync(Timeout));
        Assert.True(accepted >= 1);
    }
}
