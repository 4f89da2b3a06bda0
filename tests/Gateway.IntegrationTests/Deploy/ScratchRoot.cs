using Gateway.IntegrationTests.Infrastructure;

namespace Gateway.IntegrationTests.Deploy;

/// <summary>
/// An empty system root that dpkg installs into (<c>dpkg --root</c>): its own package database and the user and group
/// files the package's maintainer scripts add the gateway user to. The scripts run unchrooted
/// (<c>--force-script-chrootless</c>, dpkg(1)) with <c>DPKG_ROOT</c> set, which deploy/debian/* honour; nothing of
/// this machine is changed. The root has no other packages, so dependencies are not checked (<c>--force-depends</c>).
/// </summary>
internal sealed class ScratchRoot
{
    public ScratchRoot(string path)
    {
        Path = path;
        Directory.CreateDirectory(File("var/lib/dpkg/info"));
        Directory.CreateDirectory(File("var/lib/dpkg/updates"));
        System.IO.File.WriteAllText(File("var/lib/dpkg/status"), string.Empty);
        Directory.CreateDirectory(File("etc"));
        System.IO.File.WriteAllText(File("etc/passwd"), "root:x:0:0:root:/root:/bin/bash\n");
        System.IO.File.WriteAllText(File("etc/group"), "root:x:0:\n");
        System.IO.File.WriteAllText(File("etc/shadow"), "root:*:19000:0:99999:7:::\n");
        System.IO.File.WriteAllText(File("etc/gshadow"), "root:*::\n");
        if (System.IO.File.Exists("/etc/login.defs"))
        {
            System.IO.File.Copy("/etc/login.defs", File("etc/login.defs")); // the system UID/GID ranges, as a board has them
        }
    }

    public string Path { get; }

    /// <summary>A path inside the root, e.g. <c>File("etc/passwd")</c>.</summary>
    public string File(string relative) => System.IO.Path.Combine(Path, relative);

    /// <summary>The root's <c>/etc/passwd</c> or <c>/etc/group</c> entry for <paramref name="name"/>, split on ':'; null when absent.</summary>
    public string[]? Entry(string file, string name) =>
        System.IO.File.ReadAllLines(File(file)).Select(l => l.Split(':')).FirstOrDefault(f => f[0] == name);

    /// <summary>Skips the test unless it runs as root: dpkg --root sets root ownership, and the scripts chown.</summary>
    public static void SkipUnlessRoot()
    {
        if (Environment.UserName != "root")
        {
            Assert.Skip("installing a package into a scratch root needs root (dpkg sets owners; ./tests/run.sh runs as root in CI)");
        }
    }

    /// <summary>Runs <c>dpkg --root=ROOT --force-script-chrootless --force-depends ARGS</c> and returns its exit code and output.</summary>
    public async Task<(int Code, string Output)> Dpkg(params string[] args)
    {
        using var dpkg = GatewayProcess.StartCommand(
            "dpkg", [$"--root={Path}", "--force-script-chrootless", "--force-depends", .. args], Path);
        var code = await dpkg.WaitForExitAsync(TimeSpan.FromSeconds(120));
        return (code, dpkg.Output);
    }
}
