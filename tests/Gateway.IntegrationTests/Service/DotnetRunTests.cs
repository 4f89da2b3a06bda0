using Gateway.IntegrationTests.Infrastructure;

namespace Gateway.IntegrationTests.Service;

/// <summary>The README's run command, exactly as a new user types it, stopped with Ctrl-C.</summary>
public sealed class DotnetRunTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Dotnet_run_starts_on_the_default_configuration_logs_what_it_runs_and_stops_cleanly_on_ctrl_c()
    {
        // setsid gives the command its own process group, so Ctrl-C can go to the whole group as a terminal sends it.
        using var run = GatewayProcess.StartCommand(
            "setsid", ["dotnet", "run", "--project", Path.Combine(RepositoryPaths.Root, "src", "Gateway")], _dir.Path);

        var starting = await run.WaitForLineAsync("Gateway 0.1.0 starting:", TimeSpan.FromMinutes(3));
        Assert.Contains("device dev-gateway, hardware backend Simulated", starting, StringComparison.Ordinal);
        Assert.Contains(Path.Combine("src", "Gateway", "bin"), starting, StringComparison.Ordinal); // the default appsettings.json
        await run.WaitForLineAsync("Application started", TimeSpan.FromSeconds(30));

        Signals.Send(-run.Id, Signals.SIGINT);

        Assert.Equal(0, await run.WaitForExitAsync(TimeSpan.FromSeconds(60))); // generous: seen taking over 30 s with the machine at load 18
        Assert.Contains(run.Stdout, l => l.Contains("Gateway stopped", StringComparison.Ordinal));
        Assert.True(Directory.Exists(Path.Combine(_dir.Path, "data")), "the state directory is created under the working directory");
    }
}
