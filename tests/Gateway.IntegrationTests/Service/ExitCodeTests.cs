using Gateway.IntegrationTests.Infrastructure;

namespace Gateway.IntegrationTests.Service;

/// <summary>
/// How the real gateway process ends, as systemd sees it: 0 only for a requested stop (SIGTERM, Ctrl-C); anything
/// else that stops it exits non-zero, so <c>Restart=on-failure</c> brings it back (README.md, "Exit codes").
/// </summary>
public sealed class ExitCodeTests : IDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task A_service_that_fails_after_ready_stops_the_gateway_with_exit_1_and_a_critical_line_naming_it()
    {
        // Gateway:Diagnostics:FailAfter: a background service throws, as one meeting an unexpected exception would.
        // (Before the MQTT Window bound was fixed, Gateway:Upstream:Mqtt:Window=65001 did this for real, with exit 0.)
        using var systemd = NotifySocketListener.AtPath(_dir.File("notify.sock"));
        using var gateway = GatewayProcess.Start(_dir.Path,
        [
            "--Gateway:DeviceId=it-fails",
            $"--Gateway:StateDirectory={_dir.File("state")}",
            "--Gateway:Diagnostics:FailAfter=1s",
        ],
        new Dictionary<string, string?> { ["NOTIFY_SOCKET"] = systemd.EnvironmentValue });

        await systemd.WaitForAsync("READY=1", StartTimeout);
        var code = await gateway.WaitForExitAsync(StartTimeout);

        Assert.True(code != 0, $"a gateway stopped by a failing service exited {code}; systemd's Restart=on-failure would leave it down:\n{gateway.Output}");
        Assert.Equal(1, code);
        Assert.Contains(gateway.Stdout, l => l.Contains("crit", StringComparison.Ordinal)
            && l.Contains("Gateway stopping because InjectedFailureService failed: fault injection", StringComparison.Ordinal));
    }

    [Fact]
    public async Task SIGTERM_after_ready_is_a_requested_stop_and_exits_0()
    {
        using var systemd = NotifySocketListener.AtPath(_dir.File("notify.sock"));
        using var gateway = GatewayProcess.Start(_dir.Path, ["--Gateway:DeviceId=it-term", $"--Gateway:StateDirectory={_dir.File("state")}"],
            new Dictionary<string, string?> { ["NOTIFY_SOCKET"] = systemd.EnvironmentValue });

        await systemd.WaitForAsync("READY=1", StartTimeout);
        gateway.Signal(Signals.SIGTERM);

        Assert.Equal(0, await gateway.WaitForExitAsync(StartTimeout));
        Assert.Contains(gateway.Stdout, l => l.Contains("Gateway stopped (exit 0)", StringComparison.Ordinal));
    }
}
