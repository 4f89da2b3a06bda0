using Gateway.IntegrationTests.Infrastructure;

namespace Gateway.IntegrationTests.Deploy;

/// <summary>systemd's own judgement of a unit: <c>systemd-analyze verify</c> (systemd-analyze(1)).</summary>
internal static class SystemdAnalyze
{
    private const string HostUnits = "/usr/lib/systemd/system";

    /// <summary>Skips the test when systemd-analyze is not installed.</summary>
    public static void SkipWhenMissing()
    {
        var found = (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(':')
            .Any(dir => File.Exists(Path.Combine(dir, "systemd-analyze")));
        if (!found)
        {
            Assert.Skip("systemd-analyze is not installed (Debian package 'systemd'; ./tests/run.sh installs it when run as root)");
        }
    }

    /// <summary>
    /// <c>systemd-analyze verify UNIT</c> against this machine's root: the unit's ExecStart must exist here.
    /// verify exits 1 only on fatal errors, so callers also check that stderr is empty.
    /// </summary>
    public static async Task<(int Code, GatewayProcess Run)> VerifyAsync(string unitFile)
    {
        var run = GatewayProcess.StartCommand("systemd-analyze", ["verify", unitFile], RepositoryPaths.Root);
        return (await run.WaitForExitAsync(TimeSpan.FromSeconds(60)), run);
    }

    /// <summary>
    /// <c>systemd-analyze verify --root=ROOT gateway.service</c> for a unit installed into a scratch root, so its
    /// ExecStart is looked for in that root (the installed binary, not this machine's). The targets the unit is
    /// ordered against come from this machine's systemd, copied into the root as a board would have them.
    /// </summary>
    public static async Task<(int Code, GatewayProcess Run)> VerifyInRootAsync(string root, string unitName)
    {
        var units = Path.Combine(root, "lib", "systemd", "system");
        Directory.CreateDirectory(units);
        foreach (var target in Directory.GetFiles(HostUnits, "*.target"))
        {
            var copy = Path.Combine(units, Path.GetFileName(target));
            if (!File.Exists(copy))
            {
                File.Copy(target, copy);
            }
        }

        var run = GatewayProcess.StartCommand("systemd-analyze", ["verify", $"--root={root}", unitName], RepositoryPaths.Root);
        return (await run.WaitForExitAsync(TimeSpan.FromSeconds(60)), run);
    }
}
