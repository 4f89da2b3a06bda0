using System.Globalization;
using System.Runtime.Versioning;
using System.Text.RegularExpressions;
using Gateway.IntegrationTests.Infrastructure;

namespace Gateway.IntegrationTests.Deploy;

/// <summary>The systemd unit (the native one, as shipped) as systemd's own tools judge it.</summary>
[SupportedOSPlatform("linux")] // systemd, dpkg and Unix file modes
public sealed partial class UnitFileTests : IDisposable
{
    private static readonly string Unit = Path.Combine(RepositoryPaths.Root, "deploy", "gateway.service");
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Unit_file_passes_systemd_analyze_verify_with_nothing_on_stderr()
    {
        SystemdAnalyze.SkipWhenMissing();
        // verify also checks that ExecStart names an executable file, which is a property of an installation: here a
        // stand-in at /opt/gateway/Gateway in a scratch root. The install and package tests verify with the real binary.
        var root = _dir.File("root");
        Directory.CreateDirectory(Path.Combine(root, "opt/gateway"));
        Directory.CreateDirectory(Path.Combine(root, "etc/systemd/system"));
        File.Copy(Unit, Path.Combine(root, "etc/systemd/system/gateway.service"));
        await File.WriteAllTextAsync(Path.Combine(root, "opt/gateway/Gateway"), "#!/bin/sh\nexit 0\n", TestContext.Current.CancellationToken);
        File.SetUnixFileMode(Path.Combine(root, "opt/gateway/Gateway"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);

        var (code, verify) = await SystemdAnalyze.VerifyInRootAsync(root, "gateway.service");
        using (verify)
        {
            Assert.True(code == 0 && verify.Stderr.Count == 0, $"systemd-analyze verify exited {code}:\n{verify.Output}");
        }
    }

    [Fact]
    public async Task Unit_file_hardening_scores_2_5_or_lower_in_systemd_analyze_security()
    {
        SystemdAnalyze.SkipWhenMissing();
        var (score, _) = await Security(Unit);

        Assert.True(score <= 2.5, $"exposure {score} is above 2.5");
    }

    [Fact]
    public async Task Native_unit_denies_writable_executable_memory()
    {
        SystemdAnalyze.SkipWhenMissing();
        var (_, lines) = await Security(Unit);

        var line = lines.Single(l => l.Contains("MemoryDenyWriteExecute=", StringComparison.Ordinal));
        Assert.StartsWith("✓", line.TrimStart(), StringComparison.Ordinal);
    }

    [Fact]
    public void Unit_runs_the_native_binary_with_the_system_configuration()
    {
        var text = File.ReadAllText(Unit);

        Assert.Contains("\nExecStart=/opt/gateway/Gateway --config /etc/gateway/appsettings.json\n", text, StringComparison.Ordinal);
        Assert.Contains("\nMemoryDenyWriteExecute=yes\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Unit_is_type_notify_with_a_watchdog_and_does_not_restart_on_invalid_configuration()
    {
        var text = File.ReadAllText(Unit);
        Assert.Contains("\nType=notify\n", text, StringComparison.Ordinal);
        Assert.Matches(@"\nWatchdogSec=\d+s\n", text);
        Assert.Contains("\nRestart=on-failure\n", text, StringComparison.Ordinal);
        Assert.Contains("\nRestartPreventExitStatus=78\n", text, StringComparison.Ordinal);
        Assert.Contains("\nUser=gateway\n", text, StringComparison.Ordinal);
        Assert.Contains("\nStateDirectory=gateway\n", text, StringComparison.Ordinal);
    }

    /// <summary>The unit's <c>ConfigurationDirectoryMode=</c>, e.g. <c>0755</c>.</summary>
    internal static string ConfigurationDirectoryMode() =>
        File.ReadAllLines(Unit).Single(l => l.StartsWith("ConfigurationDirectoryMode=", StringComparison.Ordinal)).Split('=')[1];

    /// <summary><c>systemd-analyze security --offline=true UNIT</c>: the overall exposure and every line printed.</summary>
    internal static async Task<(double Score, IReadOnlyList<string> Lines)> Security(string unitFile)
    {
        using var security = GatewayProcess.StartCommand("systemd-analyze", ["security", "--offline=true", unitFile], RepositoryPaths.Root);
        await security.WaitForExitAsync(TimeSpan.FromSeconds(60));

        var line = security.Stdout.FirstOrDefault(l => l.Contains("Overall exposure level", StringComparison.Ordinal));
        Assert.True(line is not null, $"no overall exposure line:\n{security.Output}");
        var score = double.Parse(ScorePattern().Match(line).Groups[1].Value, CultureInfo.InvariantCulture);
        return (score, security.Stdout);
    }

    [GeneratedRegex(@"Overall exposure level for [\w.-]+: (\d+\.\d+)")]
    private static partial Regex ScorePattern();
}
