using System.Runtime.InteropServices;
using Gateway.IntegrationTests.Infrastructure;

namespace Gateway.IntegrationTests.Deploy;

/// <summary>
/// deploy/gateway.service sets <c>MemoryDenyWriteExecute=yes</c> for the native binary. Without systemd as PID 1 the
/// rule is applied by deny-write-execute.c (beside this file): the seccomp filter systemd installs for that setting.
/// The JIT build is the control: it must fail under the same filter, or the filter proves nothing.
/// </summary>
public sealed class MemoryDenyWriteExecuteTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private async Task<string> CompileFilter()
    {
        if (RuntimeInformation.ProcessArchitecture != Architecture.X64)
        {
            Assert.Skip("deny-write-execute.c encodes the x86-64 system call numbers; this machine is " + RuntimeInformation.ProcessArchitecture);
        }

        var compiler = new[] { "cc", "gcc", "clang" }.FirstOrDefault(c => (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
            .Split(':').Any(dir => File.Exists(Path.Combine(dir, c))));
        if (compiler is null)
        {
            Assert.Skip("no C compiler (cc, gcc or clang) to build deny-write-execute.c");
        }

        var source = Path.Combine(RepositoryPaths.Root, "tests/Gateway.IntegrationTests/Deploy/deny-write-execute.c");
        var binary = _dir.File("deny-write-execute");
        using var cc = GatewayProcess.StartCommand(compiler, ["-O2", "-Wall", "-Werror", "-o", binary, source], _dir.Path);
        Assert.True(await cc.WaitForExitAsync(TimeSpan.FromSeconds(60)) == 0, cc.Output);
        return binary;
    }

    [Fact]
    public async Task The_native_gateway_runs_on_the_simulated_board_under_memory_deny_write_execute()
    {
        var native = NativeBuilds.Require("linux-x64");
        var filter = await CompileFilter();
        using var systemd = NotifySocketListener.AtPath(_dir.File("notify.sock"));

        // The native folder's appsettings.json is the development one: the simulated board, every sensor kind.
        using var gateway = GatewayProcess.StartCommand(
            filter,
            [
                Path.Combine(native, "gateway/Gateway"), "--Gateway:Listener:Http=", $"--Gateway:StateDirectory={_dir.File("state")}",
                "--Gateway:Sampling:Interval=100ms", "--Gateway:Logging:LogLevel:Gateway.Sampling.LatestReadings=Debug",
            ],
            _dir.Path, new Dictionary<string, string?> { ["NOTIFY_SOCKET"] = systemd.EnvironmentValue });

        await systemd.WaitForAsync(s => s == "READY=1", TimeSpan.FromSeconds(30), "READY=1");
        await gateway.WaitForLineAsync("Reading water temperature", TimeSpan.FromSeconds(30)); // sampling, storing: past start-up
        gateway.Signal(Signals.SIGTERM);
        Assert.Equal(0, await gateway.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        Assert.DoesNotContain(gateway.Stderr, l => l.Contains("Operation not permitted", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_jit_gateway_cannot_run_under_memory_deny_write_execute()
    {
        var filter = await CompileFilter();
        using var systemd = NotifySocketListener.AtPath(_dir.File("notify.sock"));

        using var gateway = GatewayProcess.StartCommand(
            filter, ["dotnet", RepositoryPaths.GatewayDll, "--Gateway:Listener:Http=", $"--Gateway:StateDirectory={_dir.File("state")}"],
            _dir.Path, new Dictionary<string, string?> { ["NOTIFY_SOCKET"] = systemd.EnvironmentValue });

        Assert.NotEqual(0, await gateway.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        Assert.DoesNotContain(systemd.All, n => n.Text == "READY=1");
    }
}
