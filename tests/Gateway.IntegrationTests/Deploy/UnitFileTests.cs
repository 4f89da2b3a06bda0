using System.Globalization;
using System.Text.RegularExpressions;
using Gateway.IntegrationTests.Infrastructure;

namespace Gateway.IntegrationTests.Deploy;

/// <summary>The systemd unit as systemd's own tools judge it.</summary>
public sealed partial class UnitFileTests
{
    private static readonly string Unit = Path.Combine(RepositoryPaths.Root, "deploy", "gateway.service");

    [Fact]
    public async Task Unit_file_passes_systemd_analyze_verify_with_nothing_on_stderr()
    {
        SkipWithoutSystemdAnalyze();
        using var verify = GatewayProcess.StartCommand("systemd-analyze", ["verify", Unit], RepositoryPaths.Root);

        var code = await verify.WaitForExitAsync(TimeSpan.FromSeconds(60));

        Assert.True(code == 0 && verify.Stderr.Count == 0, $"systemd-analyze verify exited {code}:\n{verify.Output}");
    }

    [Fact]
    public async Task Unit_file_hardening_scores_2_5_or_lower_in_systemd_analyze_security()
    {
        SkipWithoutSystemdAnalyze();
        using var security = GatewayProcess.StartCommand("systemd-analyze", ["security", "--offline=true", Unit], RepositoryPaths.Root);

        await security.WaitForExitAsync(TimeSpan.FromSeconds(60));

        var line = security.Stdout.FirstOrDefault(l => l.Contains("Overall exposure level", StringComparison.Ordinal));
        Assert.True(line is not null, $"no overall exposure line:\n{security.Output}");
        var score = double.Parse(ScorePattern().Match(line).Groups[1].Value, CultureInfo.InvariantCulture);
        Assert.True(score <= 2.5, $"exposure {score} is above 2.5: {line}");
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

    private static void SkipWithoutSystemdAnalyze()
    {
        var found = (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(':')
            .Any(dir => File.Exists(Path.Combine(dir, "systemd-analyze")));
        if (!found)
        {
            Assert.Skip("systemd-analyze is not installed (Debian package 'systemd'; ./tests/run.sh installs it when run as root)");
        }
    }

    [GeneratedRegex(@"Overall exposure level for gateway\.service: (\d+\.\d+)")]
    private static partial Regex ScorePattern();
}
