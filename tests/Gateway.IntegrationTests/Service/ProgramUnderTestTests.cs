using Gateway.IntegrationTests.Infrastructure;

namespace Gateway.IntegrationTests.Service;

/// <summary>
/// The process-level tests run against the build <c>TEST_GATEWAY_BINARY</c> names (the native binary in CI's second
/// pass), and against <c>dotnet Gateway.dll</c> otherwise: this proves which one the kernel actually executed.
/// </summary>
public sealed class ProgramUnderTestTests : IDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task The_gateway_process_runs_the_binary_the_environment_names_or_the_framework_dependent_build()
    {
        var program = ProgramUnderTest.Gateway;
        using var gateway = GatewayProcess.Start(_dir.Path, ["--Gateway:DeviceId=which-binary", $"--Gateway:StateDirectory={_dir.File("state")}"]);
        await gateway.WaitForLineAsync("Gateway 0.", StartTimeout);

        var executable = File.ResolveLinkTarget($"/proc/{gateway.Id}/exe", returnFinalTarget: true)?.FullName
            ?? throw new InvalidOperationException($"/proc/{gateway.Id}/exe is not a link");
        var commandLine = File.ReadAllText($"/proc/{gateway.Id}/cmdline").Split('\0');
        if (program.IsNative)
        {
            Assert.Equal(Path.GetFullPath(program.Path), executable);
            Assert.DoesNotContain(commandLine, a => a.EndsWith("Gateway.dll", StringComparison.Ordinal));
        }
        else
        {
            Assert.Equal("dotnet", Path.GetFileName(executable));
            Assert.Equal(program.Path, commandLine[1]);
        }

        gateway.Signal(Signals.SIGTERM);
        Assert.Equal(0, await gateway.WaitForExitAsync(StartTimeout));
    }
}
