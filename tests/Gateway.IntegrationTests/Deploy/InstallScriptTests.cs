using System.Runtime.Versioning;
using System.Text.Json;
using Gateway.IntegrationTests.Infrastructure;

namespace Gateway.IntegrationTests.Deploy;

/// <summary>deploy/install.sh run for real into a staging root, and in dry-run mode.</summary>
[SupportedOSPlatform("linux")] // systemd, dpkg and Unix file modes
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
        // As `dotnet publish` leaves it: with the development appsettings.json (simulated board, web console on).
        foreach (var name in new[] { "Gateway.dll", "Gateway.runtimeconfig.json", "Gateway.deps.json", "appsettings.json" })
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
    public async Task Installing_a_framework_dependent_folder_lays_out_program_configuration_and_a_dotnet_unit()
    {
        var root = _dir.File("root");
        using var run = await Run("--root", root, "--from", Published());

        Assert.True(File.Exists(Path.Combine(root, "opt/gateway/Gateway.dll")), run.Output);
        var unit = await File.ReadAllTextAsync(Path.Combine(root, "etc/systemd/system/gateway.service"), TestContext.Current.CancellationToken);
        Assert.Contains($"\nExecStart={RealDotnet()} /opt/gateway/Gateway.dll --config /etc/gateway/appsettings.json\n", unit, StringComparison.Ordinal);
        Assert.Contains("\nMemoryDenyWriteExecute=no\n", unit, StringComparison.Ordinal); // the JIT cannot run under =yes

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
        Assert.Equal(before.Length + 5, Directory.GetFileSystemEntries(_dir.Path, "*", SearchOption.AllDirectories).Length); // only the published copy
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

    [Fact]
    public async Task The_development_configuration_a_publish_carries_is_not_installed_beside_the_program()
    {
        // The gateway reads appsettings.json beside the program before /etc/gateway/appsettings.json, so one left in
        // /opt/gateway would merge a simulated board's seven sensors and the web console into the board's configuration.
        var root = _dir.File("root");
        using var run = await Run("--root", root, "--from", Published());

        Assert.True(File.Exists(Path.Combine(root, "opt/gateway/Gateway.dll")), run.Output);
        Assert.False(File.Exists(Path.Combine(root, "opt/gateway/appsettings.json")), run.Output);
    }

    [Fact]
    public async Task The_framework_dependent_unit_passes_systemd_analyze_verify_and_allows_the_jit_its_memory()
    {
        SystemdAnalyze.SkipWhenMissing();
        var root = _dir.File("root");
        using (await Run("--root", root, "--from", Published()))
        {
        }

        var unit = Path.Combine(root, "etc/systemd/system/gateway.service");
        var (code, verify) = await SystemdAnalyze.VerifyAsync(unit); // ExecStart is this machine's dotnet
        using (verify)
        {
            Assert.True(code == 0 && verify.Stderr.Count == 0, $"systemd-analyze verify exited {code}:\n{verify.Output}");
        }

        var (score, lines) = await UnitFileTests.Security(unit);
        Assert.True(score <= 2.5, $"exposure {score} is above 2.5");
        Assert.StartsWith("✗", lines.Single(l => l.Contains("MemoryDenyWriteExecute=", StringComparison.Ordinal)).TrimStart(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Installing_a_native_build_gives_the_native_unit_gwctl_on_the_path_and_no_dotnet()
    {
        var native = NativeBuilds.Require("linux-x64");
        var root = _dir.File("root");
        using var run = await Run("--root", root, "--rid", "linux-x64", "--from", native);

        Assert.Contains(run.Stdout, l => l.Contains("installing the native linux-x64 build", StringComparison.Ordinal));
        Assert.True(File.Exists(Path.Combine(root, "opt/gateway/Gateway")), run.Output);
        Assert.True(File.Exists(Path.Combine(root, "opt/gateway/libe_sqlite3.so")), run.Output);
        Assert.False(File.Exists(Path.Combine(root, "opt/gateway/appsettings.json")), run.Output);
        Assert.True(File.GetUnixFileMode(Path.Combine(root, "opt/gateway/gwctl")).HasFlag(UnixFileMode.OtherExecute), run.Output);
        Assert.Equal("/opt/gateway/gwctl", new FileInfo(Path.Combine(root, "usr/local/bin/gwctl")).LinkTarget);
        Assert.Equal(UnitFileTests.ConfigurationDirectoryMode(), Convert.ToString((int)File.GetUnixFileMode(Path.Combine(root, "etc/gateway")), 8).PadLeft(4, '0'));
        var unit = Path.Combine(root, "etc/systemd/system/gateway.service");
        Assert.Equal(await File.ReadAllTextAsync(Path.Combine(RepositoryPaths.Root, "deploy/gateway.service"), TestContext.Current.CancellationToken),
            await File.ReadAllTextAsync(unit, TestContext.Current.CancellationToken));

        SystemdAnalyze.SkipWhenMissing();
        var (code, verify) = await SystemdAnalyze.VerifyInRootAsync(root, "gateway.service"); // ExecStart: the installed binary
        using (verify)
        {
            Assert.True(code == 0 && verify.Stderr.Count == 0, $"systemd-analyze verify exited {code}:\n{verify.Output}");
        }
    }

    [Fact]
    public async Task Uninstalling_a_native_install_removes_the_gwctl_link()
    {
        var native = NativeBuilds.Require("linux-x64");
        var root = _dir.File("root");
        using (await Run("--root", root, "--from", native))
        {
        }

        Assert.True(File.Exists(Path.Combine(root, "usr/local/bin/gwctl")));
        using (await Run("--uninstall", "--root", root))
        {
        }

        Assert.False(File.Exists(Path.Combine(root, "usr/local/bin/gwctl")) || new FileInfo(Path.Combine(root, "usr/local/bin/gwctl")).LinkTarget is not null);
        Assert.False(Directory.Exists(Path.Combine(root, "opt/gateway")));
    }

    [Fact]
    public async Task A_native_build_for_another_architecture_is_refused_by_name()
    {
        var arm64 = NativeBuilds.Require("linux-arm64");
        var root = _dir.File("root");
        using var run = await Run("--root", root, "--rid", "linux-x64", "--from", arm64);

        Assert.Equal(2, await run.WaitForExitAsync(TimeSpan.FromSeconds(5))); // it has exited: the code it ended with
        Assert.Contains(run.Stderr, l => l.Contains("is built for linux-arm64, not linux-x64", StringComparison.Ordinal));
        Assert.False(Directory.Exists(Path.Combine(root, "opt/gateway")));
    }

    [Theory]
    [InlineData("linux-x64")]
    [InlineData("linux-arm64")]
    public async Task Dry_run_shows_the_native_build_and_install_steps_for_the_board(string rid)
    {
        using var run = await Run("--dry-run", "--rid", rid);

        var fallback = run.Stdout.FirstOrDefault(l => l.Contains("falling back", StringComparison.Ordinal));
        if (fallback is not null)
        {
            Assert.Skip($"this machine cannot build NativeAOT for {rid}: {string.Join(" ", run.Stderr)} {fallback}");
        }

        Assert.Equal(0, await run.WaitForExitAsync(TimeSpan.FromSeconds(5))); // it has exited: the code it ended with
        var repo = RepositoryPaths.Root;
        Assert.Contains($"would: dotnet publish {repo}/src/Gateway/Gateway.csproj -c Release -r {rid} -p:PublishAot=true -o <temporary folder>/native/{rid}/gateway -nologo -v quiet", run.Stdout);
        Assert.Contains($"would: dotnet publish {repo}/src/Gateway.Console/Gateway.Console.csproj -c Release -r {rid} -p:PublishAot=true -o <temporary folder>/native/{rid}/gwctl -nologo -v quiet", run.Stdout);
        Assert.Contains($"would: cp -a <temporary folder>/native/{rid}/gateway/. /opt/gateway/", run.Stdout);
        Assert.Contains("would: rm -f /opt/gateway/appsettings.json", run.Stdout);
        Assert.Contains($"would: install -m 0755 <temporary folder>/native/{rid}/gwctl/gwctl /opt/gateway/gwctl", run.Stdout);
        Assert.Contains("would: ln -sfn /opt/gateway/gwctl /usr/local/bin/gwctl", run.Stdout);
        Assert.Contains($"would: install -m 0644 {repo}/deploy/gateway.service /etc/systemd/system/gateway.service", run.Stdout);
        Assert.DoesNotContain(run.Stdout, l => l.Contains("--self-contained false", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Without_a_native_toolchain_it_says_so_and_falls_back_to_the_framework_dependent_build()
    {
        // build-native.sh exits 3 for linux-arm (32-bit): .NET 10 has no NativeAOT compiler for it.
        using var run = await Run("--dry-run", "--rid", "linux-arm", "--root", _dir.File("root"));

        Assert.Equal(0, await run.WaitForExitAsync(TimeSpan.FromSeconds(5))); // it has exited: the code it ended with
        Assert.Contains(run.Stderr, l => l.StartsWith("build-native.sh: linux-arm (32-bit", StringComparison.Ordinal)); // its reason, passed on
        Assert.Contains(run.Stdout, l => l.Contains("falling back to the framework-dependent build", StringComparison.Ordinal));
        Assert.Contains(run.Stdout, l => l.StartsWith("would: dotnet publish", StringComparison.Ordinal) && l.Contains("-r linux-arm --self-contained false", StringComparison.Ordinal));
        Assert.Contains(run.Stdout, l => l.Contains("MemoryDenyWriteExecute=no", StringComparison.Ordinal));
        Assert.DoesNotContain(run.Stdout, l => l.Contains("PublishAot", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Jit_forces_the_framework_dependent_build()
    {
        using var run = await Run("--dry-run", "--jit", "--rid", "linux-arm64", "--root", _dir.File("root"));

        Assert.Equal(0, await run.WaitForExitAsync(TimeSpan.FromSeconds(5))); // it has exited: the code it ended with
        Assert.Contains(run.Stdout, l => l.StartsWith("would: dotnet publish", StringComparison.Ordinal) && l.Contains("-r linux-arm64 --self-contained false", StringComparison.Ordinal));
        Assert.DoesNotContain(run.Stdout, l => l.Contains("PublishAot", StringComparison.Ordinal));
    }
}
