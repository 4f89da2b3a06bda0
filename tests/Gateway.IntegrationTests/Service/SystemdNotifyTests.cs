using Gateway.IntegrationTests.Infrastructure;

namespace Gateway.IntegrationTests.Service;

/// <summary>The real gateway process talking the sd_notify protocol to a socket the test owns, as systemd would.</summary>
public sealed class SystemdNotifyTests : IDisposable
{
    private const int SIGQUIT = 3; // signal(7)
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Under_a_notify_socket_the_gateway_reports_ready_pings_the_watchdog_shows_status_and_reports_stopping(bool abstractName)
    {
        using var systemd = abstractName
            ? NotifySocketListener.Abstract("gw-it-" + Guid.NewGuid().ToString("N"))
            : NotifySocketListener.AtPath(_dir.File("notify.sock"));
        using var gateway = GatewayProcess.Start(_dir.Path, ["--Gateway:DeviceId=it-01"], new Dictionary<string, string?>
        {
            ["NOTIFY_SOCKET"] = systemd.EnvironmentValue,
            ["WATCHDOG_USEC"] = "2000000",
        });

        var ready = await systemd.WaitForAsync("READY=1", StartTimeout);
        await systemd.WaitForAnyAsync(
            t => t.StartsWith("STATUS=Running: it-01, Simulated hardware", StringComparison.Ordinal), TimeSpan.FromSeconds(5), "STATUS=Running: it-01, Simulated hardware…");

        // WATCHDOG_USEC=2 s: a ping about every second (half the interval).
        var pings = new List<TimeSpan>();
        while (pings.Count < 4)
        {
            pings.Add((await systemd.WaitForAsync("WATCHDOG=1", TimeSpan.FromSeconds(3))).At);
        }

        var gaps = pings.Zip(pings.Skip(1), (a, b) => (b - a).TotalSeconds).ToList();
        Assert.All(gaps, g => Assert.InRange(g, 0.5, 1.6));

        gateway.Signal(Signals.SIGTERM);
        var stopping = await systemd.WaitForAsync("STOPPING=1", TimeSpan.FromSeconds(10));
        Assert.True(stopping.At > ready.At);
        Assert.Equal(0, await gateway.WaitForExitAsync(TimeSpan.FromSeconds(20)));
        Assert.Contains(gateway.Stdout, l => l.Contains("Gateway stopped", StringComparison.Ordinal));

        // READY=1 and STOPPING=1 came from Microsoft.Extensions.Hosting.Systemd's SystemdLifetime, which logs this line
        // (the console lifetime it replaces says "Press Ctrl+C to shut down" instead), although the test, not systemd,
        // is the gateway's parent.
        Assert.Contains(gateway.Stdout, l => l.Contains("Application started. Hosting environment:", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(Signals.SIGINT)]
    [InlineData(SIGQUIT)]
    public async Task Under_a_notify_socket_SIGINT_and_SIGQUIT_still_stop_the_gateway_gracefully_with_exit_code_zero(int signal)
    {
        // SystemdLifetime handles SIGTERM only (systemd's stop signal); a person at a terminal may press Ctrl-C or Ctrl-\.
        using var systemd = NotifySocketListener.AtPath(_dir.File("notify.sock"));
        using var gateway = GatewayProcess.Start(_dir.Path, ["--Gateway:DeviceId=it-sig"],
            new Dictionary<string, string?> { ["NOTIFY_SOCKET"] = systemd.EnvironmentValue });

        await systemd.WaitForAsync("READY=1", StartTimeout);
        gateway.Signal(signal);

        await systemd.WaitForAsync("STOPPING=1", TimeSpan.FromSeconds(10));
        Assert.Equal(0, await gateway.WaitForExitAsync(TimeSpan.FromSeconds(20)));
        Assert.Contains(gateway.Stdout, l => l.Contains("Gateway stopped (exit 0)", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_stalled_pipeline_stops_the_watchdog_pings_and_says_so_in_the_status()
    {
        using var systemd = NotifySocketListener.AtPath(_dir.File("notify.sock"));
        using var gateway = GatewayProcess.Start(_dir.Path,
        [
            "--Gateway:DeviceId=it-stall",
            "--Gateway:Diagnostics:StallPipelineAfter=3s",
            "--Gateway:Watchdog:HeartbeatTimeout=2s",
        ],
        new Dictionary<string, string?> { ["NOTIFY_SOCKET"] = systemd.EnvironmentValue, ["WATCHDOG_USEC"] = "2000000" });

        await systemd.WaitForAsync("READY=1", StartTimeout);
        await systemd.WaitForAsync("WATCHDOG=1", TimeSpan.FromSeconds(3));
        await systemd.WaitForAsync("WATCHDOG=1", TimeSpan.FromSeconds(3));

        var stalled = await systemd.WaitForAsync(
            t => t.StartsWith("STATUS=Stalled (pipeline silent for", StringComparison.Ordinal), TimeSpan.FromSeconds(15), "STATUS=Stalled…");

        // Three more watchdog periods: a live gateway would have pinged three times by now.
        await Task.Delay(TimeSpan.FromSeconds(3.5), TestContext.Current.CancellationToken);
        var late = systemd.All.Where(n => n.Text == "WATCHDOG=1" && n.At > stalled.At).ToList();
        Assert.Empty(late);
        await gateway.WaitForLineAsync("withholding the systemd watchdog ping", TimeSpan.FromSeconds(5));

        gateway.Signal(Signals.SIGTERM);
        Assert.Equal(0, await gateway.WaitForExitAsync(TimeSpan.FromSeconds(20)));
    }

    [Fact]
    public async Task Outside_systemd_the_gateway_runs_and_stops_on_SIGTERM_with_exit_code_zero()
    {
        using var gateway = GatewayProcess.Start(_dir.Path, ["--Gateway:DeviceId=it-plain"]);
        await gateway.WaitForLineAsync("Application started", StartTimeout);

        gateway.Signal(Signals.SIGTERM);

        Assert.Equal(0, await gateway.WaitForExitAsync(TimeSpan.FromSeconds(20)));
        Assert.Contains(gateway.Stdout, l => l.Contains("systemd notify off, watchdog off", StringComparison.Ordinal));
    }
}
