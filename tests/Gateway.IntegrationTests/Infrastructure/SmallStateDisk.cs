using System.Diagnostics;

namespace Gateway.IntegrationTests.Infrastructure;

/// <summary>
/// A test folder whose <c>state</c> subfolder is a real 2 MiB tmpfs, so a test can fill the gateway's disk and free it
/// again. Mounting needs root (CAP_SYS_ADMIN): <see cref="Mounted"/> says whether it worked; unmounted at dispose.
/// </summary>
internal sealed class SmallStateDisk : IDisposable
{
    private readonly TempDirectory _dir = new();

    public SmallStateDisk()
    {
        State = _dir.File("state");
        Directory.CreateDirectory(State);
        Mounted = Run("mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", State) == 0;
    }

    /// <summary>The test's folder (the tmpfs is its <c>state</c> subfolder).</summary>
    public TempDirectory Folder => _dir;

    /// <summary>The 2 MiB tmpfs.</summary>
    public string State { get; }

    /// <summary>True when the tmpfs is mounted (false without root).</summary>
    public bool Mounted { get; }

    /// <summary>Why a test that needs the tmpfs is skipped when it could not be mounted.</summary>
    public const string SkipReason = "mounting a small tmpfs needs root (CAP_SYS_ADMIN); ./tests/run.sh runs as root in CI";

    public void Dispose()
    {
        if (Mounted)
        {
            Run("umount", "-l", State);
        }

        _dir.Dispose();
    }

    private static int Run(string file, params string[] args)
    {
        try
        {
            using var p = Process.Start(new ProcessStartInfo(file, args) { RedirectStandardError = true, RedirectStandardOutput = true })!;
            p.WaitForExit(10_000);
            return p.ExitCode;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return -1;
        }
    }
}
