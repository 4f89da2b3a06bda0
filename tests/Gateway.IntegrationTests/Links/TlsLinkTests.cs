using System.Net;
using Gateway.IntegrationTests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Gateway.IntegrationTests.Links;

/// <summary>The upstream links over TLS: a private CA file or a pinned certificate, refused when they do not match.</summary>
public sealed class TlsLinkTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private GatewayProcess Start(params string[] link) => GatewayProcess.Start(_dir.Path,
    [
        "--Gateway:DeviceId=tls-01",
        "--Gateway:Sampling:Interval=20ms",
        "--Gateway:Upstream:Tcp:BackoffMax=500ms",
        .. link,
    ]);

    [Fact]
    public async Task Tcp_over_tls_with_the_servers_ca_file_delivers()
    {
        using var cert = TestCertificates.SelfSigned();
        var ca = TestCertificates.WritePem(cert, _dir.File("ca.pem"));
        await using var upstream = new TestUpstream(cert);
        upstream.Start();

        using var gateway = Start($"--Gateway:Upstream:Tcp:Endpoint=127.0.0.1:{upstream.Port}", "--Gateway:Upstream:Tcp:Tls=true", $"--Gateway:Upstream:Tcp:CaFile={ca}");

        await upstream.WaitForSeqAsync(300, Timeout);
        gateway.Signal(Signals.SIGTERM);
        Assert.Equal(0, await gateway.WaitForExitAsync(Timeout));
    }

    [Fact]
    public async Task Tcp_over_tls_with_a_pinned_certificate_delivers_and_a_wrong_pin_is_refused()
    {
        using var cert = TestCertificates.SelfSigned();
        await using var upstream = new TestUpstream(cert);
        upstream.Start();

        using (var pinned = Start($"--Gateway:Upstream:Tcp:Endpoint=127.0.0.1:{upstream.Port}", "--Gateway:Upstream:Tcp:Tls=true", $"--Gateway:Upstream:Tcp:Pin={TestCertificates.Pin(cert)}"))
        {
            await upstream.WaitForSeqAsync(100, Timeout);
            pinned.Signal(Signals.SIGTERM);
            Assert.Equal(0, await pinned.WaitForExitAsync(Timeout));
        }

        var before = upstream.MaxSeq;
        using var wrong = Start($"--Gateway:Upstream:Tcp:Endpoint=127.0.0.1:{upstream.Port}", "--Gateway:Upstream:Tcp:Tls=true", $"--Gateway:Upstream:Tcp:Pin={new string('A', 64)}");
        await wrong.WaitForLineAsync($"TLS with 127.0.0.1:{upstream.Port} failed", Timeout);
        Assert.Equal(before, upstream.MaxSeq);
        wrong.Signal(Signals.SIGTERM);
        Assert.Equal(0, await wrong.WaitForExitAsync(Timeout));
    }

    [Fact]
    public async Task Tls_without_a_matching_trust_anchor_is_refused()
    {
        using var cert = TestCertificates.SelfSigned();
        using var other = TestCertificates.SelfSigned("someone-else");
        var ca = TestCertificates.WritePem(other, _dir.File("other-ca.pem"));
        await using var upstream = new TestUpstream(cert);
        upstream.Start();

        using var gateway = Start($"--Gateway:Upstream:Tcp:Endpoint=127.0.0.1:{upstream.Port}", "--Gateway:Upstream:Tcp:Tls=true", $"--Gateway:Upstream:Tcp:CaFile={ca}");

        await gateway.WaitForLineAsync("failed", Timeout);
        Assert.Equal(0, upstream.MaxSeq);
        gateway.Signal(Signals.SIGTERM);
        Assert.Equal(0, await gateway.WaitForExitAsync(Timeout));
    }

    [Fact]
    public async Task A_missing_ca_file_or_a_malformed_pin_is_a_configuration_error()
    {
        using var gateway = Start("--Gateway:Upstream:Tcp:Endpoint=127.0.0.1:9", "--Gateway:Upstream:Tcp:CaFile=/nonexistent/ca.pem", "--Gateway:Upstream:Tcp:Pin=abc");

        Assert.Equal(78, await gateway.WaitForExitAsync(Timeout));
        Assert.Contains(gateway.Stderr, l => l.Contains("Gateway:Upstream:Tcp:CaFile: '/nonexistent/ca.pem'", StringComparison.Ordinal));
        Assert.Contains(gateway.Stderr, l => l.Contains("Gateway:Upstream:Tcp:Pin: 'abc'", StringComparison.Ordinal));
    }

    [Fact]
    public async Task WebSocket_over_wss_with_the_servers_ca_file_delivers()
    {
        using var cert = TestCertificates.SelfSigned();
        var ca = TestCertificates.WritePem(cert, _dir.File("ca.pem"));
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, o => o.UseHttps(cert)));
        await using var app = builder.Build();
        app.UseWebSockets();
        var received = 0;
        app.Map("/ingest", async context =>
        {
            using var socket = await context.WebSockets.AcceptWebSocketAsync("gateway.v1");
            var buffer = new byte[64 * 1024];
            while (socket.State == System.Net.WebSockets.WebSocketState.Open)
            {
                var r = await socket.ReceiveAsync(buffer, context.RequestAborted);
                if (r.MessageType == System.Net.WebSockets.WebSocketMessageType.Close)
                {
                    return;
                }

                Interlocked.Increment(ref received);
            }
        });
        await app.StartAsync(TestContext.Current.CancellationToken);
        var port = new Uri(app.Urls.First()).Port;

        using var gateway = Start($"--Gateway:Upstream:WebSocket:Url=wss://127.0.0.1:{port}/ingest", $"--Gateway:Upstream:WebSocket:CaFile={ca}");

        var deadline = DateTime.UtcNow + Timeout;
        while (Volatile.Read(ref received) < 50)
        {
            Assert.True(DateTime.UtcNow < deadline, $"only {received} messages over wss:\n{gateway.Output}");
            await Task.Delay(50, TestContext.Current.CancellationToken);
        }

        gateway.Signal(Signals.SIGTERM);
        Assert.Equal(0, await gateway.WaitForExitAsync(Timeout));
    }
}
