using System.Diagnostics;
using System.Security.Cryptography;
using Gateway.IntegrationTests.Infrastructure;

namespace Gateway.IntegrationTests.Outbox;

/// <summary>
/// The state directory on a real read-only mount: the gateway runs in a private mount namespace (<c>unshare -m</c>)
/// where the folder is bind-mounted read-only, so root cannot write it either and nothing outside the test sees the
/// mount. The gateway must say what is wrong and exit 73, never take a healthy database for a corrupt one.
/// </summary>
public sealed class ReadOnlyStateDirectoryTests : IDisposable
{
    private const int ExCantCreat = 73;
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private static readonly Lazy<string?> MountUnavailable = new(WhyMountUnavailable);
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private string State => _dir.File("state");

    [Fact]
    public async Task A_healthy_outbox_on_a_read_only_state_directory_exits_73_saying_so_and_is_left_as_it_was()
    {
        SkipWithoutMounts();
        using (var first = GatewayProcess.Start(_dir.Path, ["--Gateway:DeviceId=ro", $"--Gateway:StateDirectory={State}", "--Gateway:Sampling:Interval=50ms", "--Gateway:Logging:LogLevel:Gateway.Outbox.Outbox=Debug"]))
        {
            await first.WaitForLineAsync("Committed", Timeout);
            first.Signal(Signals.SIGTERM);
            Assert.Equal(0, await first.WaitForExitAsync(Timeout));
        }

        var before = Snapshot();
        using var gateway = StartOnReadOnlyState(["--Gateway:DeviceId=ro", "--Gateway:Logging:LogLevel:Gateway.Outbox.Outbox=Debug"]);

        var code = await gateway.WaitForExitAsync(Timeout);
        Assert.True(code == ExCantCreat, $"expected exit {ExCantCreat}, got {code}:\n{gateway.Output}");
        Assert.Contains(gateway.Stderr, l => l.Contains($"Gateway:StateDirectory '{State}' is read-only", StringComparison.Ordinal));
        Assert.DoesNotContain(gateway.Stdout, l => l.Contains("not a usable database", StringComparison.Ordinal));
        Assert.Equal(before, Snapshot()); // nothing moved aside, nothing changed
    }

    [Fact]
    public async Task An_empty_read_only_state_directory_exits_73_saying_so()
    {
        SkipWithoutMounts();
        Directory.CreateDirectory(State);

        using var gateway = StartOnReadOnlyState(["--Gateway:DeviceId=ro-empty"]);

        var code = await gateway.WaitForExitAsync(Timeout);
        Assert.True(code == ExCantCreat, $"expected exit {ExCantCreat}, got {code}:\n{gateway.Output}");
        Assert.Contains(gateway.Stderr, l => l.Contains($"Gateway:StateDirectory '{State}' is read-only", StringComparison.Ordinal));
        Assert.DoesNotContain(gateway.Output.Split('\n'), l => l.Contains("Could not find file", StringComparison.Ordinal));
        Assert.Empty(Directory.GetFileSystemEntries(State));
    }

    // The gateway in its own mount namespace, with the state directory bind-mounted read-only over itself.
    private GatewayProcess StartOnReadOnlyState(IEnumerable<string> args) => GatewayProcess.StartCommand("unshare",
    [
        "--mount", "--propagation", "private", "sh", "-c",
        "mount --bind \"$0\" \"$0\" && mount -o remount,bind,ro \"$0\" && exec \"$@\"",
        State, ProgramUnderTest.Gateway.FileName, .. ProgramUnderTest.Gateway.LeadingArguments, "--Gateway:Listener:Http=", $"--Gateway:StateDirectory={State}", .. args,
    ], _dir.Path);

    private Dictionary<string, string> Snapshot() => Directory.GetFiles(State).ToDictionary(
        f => Path.GetFileName(f),
        f => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(f))));

    private static void SkipWithoutMounts()
    {
        if (MountUnavailable.Value is { } reason)
        {
            Assert.Skip($"a read-only bind mount in a private mount namespace is not possible here ({reason}); ./tests/run.sh runs as root in CI, where it is");
        }
    }

    private static string? WhyMountUnavailable()
    {
        var probe = Directory.CreateTempSubdirectory("gw-ro-probe-").FullName;
        try
        {
            using var p = Process.Start(new ProcessStartInfo("unshare", ["--mount", "--propagation", "private", "sh", "-c",
                "mount --bind \"$0\" \"$0\" && mount -o remount,bind,ro \"$0\" && ! touch \"$0/x\" 2>/dev/null", probe])
            { RedirectStandardError = true, RedirectStandardOutput = true })!;
            if (!p.WaitForExit(10_000))
            {
                p.Kill();
                return "unshare did not finish within 10 s";
            }

            return p.ExitCode == 0 ? null : $"unshare/mount exited {p.ExitCode}: {p.StandardError.ReadToEnd().Trim()}";
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            return $"unshare: {ex.Message}";
        }
        finally
        {
            Directory.Delete(probe, recursive: true);
        }
    }
}
