using System.Text.Json;
using Gateway.IntegrationTests.Infrastructure;

namespace Gateway.IntegrationTests.Deploy;

/// <summary>deploy/install.sh run for real into a staging root, and in dry-run mode.</summary>
public sealed class InstallScriptTests : IDisposable
{
    private static readonly string Script = Path.Combine(RepositoryPaths.Root, "deploy", "install.sh");
    private static readonly string Example = Path.Combine(RepositoryPaths.Root, "deploy", "appsettings.Production.json");
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private string Published()
    {
        var folder = _dir.File("published");
        Directory.CreateDirectory(folder);
        foreach (var name in new[] { "Gateway.dll", "Gateway.runtimeconfig.json", "Gateway.deps.json" })
        {
            File.Copy(Path.Combine(AppContext.BaseDirectory, name), Path.Combine(folder, name));
        }

        return folder;
    }

    private async Task<GatewayProcess> Run(params string[] args)
    {
        var run = GatewayProcess.StartCommand("bash", [Script, .. args], _dir.Path);
        await run.WaitForExitAsync(TimeSpan.FromSeconds(60));
        return run;
    }

    // What the script must write into ExecStart: the dotnet on PATH with its symbolic links resolved.
    private static string RealDotnet()
    {
        var onPath = (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(':')
            .Select(dir => Path.Combine(dir, "dotnet")).First(File.Exists);
        var file = new FileInfo(onPath);
        return file.ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? file.FullName;
    }

    [Fact]
    public async Task Installing_into_a_staging_root_lays_out_program_configuration_and_unit()
    {
        var root = _dir.File("root");
        using var run = await Run("--root", root, "--from", Published());

        Assert.True(File.Exists(Path.Combine(root, "opt/gateway/Gateway.dll")), run.Output);
        var unit = await File.ReadAllTextAsync(Path.Combine(root, "etc/systemd/system/gateway.service"), TestContext.Current.CancellationToken);
        Assert.Contains($"\nExecStart={RealDotnet()} /opt/gateway/Gateway.dll --config /etc/gateway/appsettings.json\n", unit, StringComparison.Ordinal);

        using var config = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(root, "etc/gateway/appsettings.json"), TestContext.Current.CancellationToken));
        var deviceId = config.RootElement.GetProperty("Gateway").GetProperty("DeviceId").GetString();
        Assert.NotEqual("CHANGE-ME-pi-01", deviceId);
        Assert.Equal("Linux", config.RootElement.GetProperty("Gateway").GetProperty("Hardware").GetProperty("Backend").GetString());
    }

    [Fact]
    public async Task A_second_install_keeps_the_operators_configuration()
    {
        var root = _dir.File("root");
        var published = Published();
        using (await Run("--root", root, "--from", published))
        {
        }

        var config = Path.Combine(root, "etc/gateway/appsettings.json");
        await File.WriteAllTextAsync(config, """{ "Gateway": { "DeviceId": "edited" } }""", TestContext.Current.CancellationToken);
        using var again = await Run("--root", root, "--from", published);

        Assert.Equal("""{ "Gateway": { "DeviceId": "edited" } }""", await File.ReadAllTextAsync(config, TestContext.Current.CancellationToken));
        Assert.Contains(again.Stdout, l => l.Contains("kept the existing", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Uninstall_removes_program_and_unit_but_keeps_configuration_unless_purged()
    {
        var root = _dir.File("root");
        using (await Run("--root", root, "--from", Published()))
        {
        }

        using (await Run("--uninstall", "--root", root))
        {
        }

        Assert.False(Directory.Exists(Path.Combine(root, "opt/gateway")));
        Assert.False(File.Exists(Path.Combine(root, "etc/systemd/system/gateway.service")));
        Assert.True(File.Exists(Path.Combine(root, "etc/gateway/appsettings.json")));

        using (await Run("--uninstall", "--purge", "--root", root))
        {
        }

        Assert.False(Directory.Exists(Path.Combine(root, "etc/gateway")));
    }

    [Fact]
    public async Task Dry_run_prints_each_step_and_changes_nothing()
    {
        var before = Directory.GetFileSystemEntries(_dir.Path, "*", SearchOption.AllDirectories);
        using var run = await Run("--dry-run", "--root", _dir.File("root"), "--from", Published());

        Assert.Contains(run.Stdout, l => l.StartsWith("would: cp -a", StringComparison.Ordinal));
        Assert.Contains(run.Stdout, l => l.StartsWith("would: install", StringComparison.Ordinal) && l.Contains("gateway.service", StringComparison.Ordinal));
        Assert.False(Directory.Exists(_dir.File("root")));
        Assert.Equal(before.Length + 4, Directory.GetFileSystemEntries(_dir.Path, "*", SearchOption.AllDirectories).Length); // only the published copy
    }

    [Fact]
    public async Task An_unknown_option_is_refused_by_name()
    {
        using var run = GatewayProcess.StartCommand("bash", [Script, "--frobnicate"], _dir.Path);

        Assert.Equal(2, await run.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        Assert.Contains(run.Stderr, l => l.Contains("unknown option '--frobnicate'", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_production_example_is_a_valid_configuration_the_gateway_starts_with()
    {
        using var gateway = GatewayProcess.Start(_dir.Path, ["--config", Example, $"--Gateway:StateDirectory={_dir.File("state")}"]);

        await gateway.WaitForLineAsync("hardware backend Linux", TimeSpan.FromSeconds(30));
        gateway.Signal(Signals.SIGTERM);
        Assert.Equal(0, await gateway.WaitForExitAsync(TimeSpan.FromSeconds(30)));
    }
}
