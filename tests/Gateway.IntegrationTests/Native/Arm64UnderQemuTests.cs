using System.Globalization;
using Gateway.IntegrationTests.Commands;
using Gateway.IntegrationTests.Infrastructure;
using Gateway.IntegrationTests.Links;
using Gateway.Protocol.Commands;

namespace Gateway.IntegrationTests.Native;

/// <summary>
/// The linux-arm64 NativeAOT binary — the one a Raspberry Pi runs, cross-compiled on x64 by deploy/build-native.sh —
/// started under qemu-user (Debian's qemu-user-static, with the arm64 C libraries from multiarch) on the simulated
/// board: it must tell systemd READY=1, deliver readings to an acknowledging upstream, answer a signed command, and
/// exit 0 on SIGTERM. Skipped, with the reason, where the binary, qemu or the arm64 loader is missing.
/// </summary>
public sealed class Arm64UnderQemuTests : IDisposable
{
    /// <summary>Emulation is slow, and the machine is shared with the rest of the suite: generous, bounded.</summary>
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(120);
    private static readonly byte[] Secret = [.. Enumerable.Range(7, 32).Select(i => (byte)i)];
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task The_arm64_binary_under_qemu_gets_ready_delivers_readings_answers_a_signed_command_and_exits_0_on_SIGTERM()
    {
        var (qemu, binary) = Arm64OrSkip();
        await using var upstream = new TestUpstream();
        upstream.Start();
        using var systemd = NotifySocketListener.AtPath(_dir.File("notify.sock"));
        using var gateway = GatewayProcess.StartCommand(qemu,
        [
            binary,
            "--Gateway:DeviceId=pi-arm64",
            $"--Gateway:StateDirectory={_dir.File("state")}",
            "--Gateway:Listener:Http=",
            "--Gateway:Listener:Tcp=127.0.0.1:0",
            "--Gateway:Sampling:Interval=200ms",
            $"--Gateway:Upstream:Tcp:Endpoint=127.0.0.1:{upstream.Port}",
            $"--Gateway:Commands:Keys:operator:Secret={Convert.ToBase64String(Secret)}",
            "--Gateway:Commands:Keys:operator:Allow=ping,output.set",
        ],
        _dir.Path,
        new Dictionary<string, string?> { ["NOTIFY_SOCKET"] = systemd.EnvironmentValue });

        await systemd.WaitForAsync("READY=1", Timeout);
        var architecture = File.ReadAllText($"/proc/{gateway.Id}/cmdline").Split('\0')[0];
        Assert.EndsWith("qemu-aarch64-static", architecture, StringComparison.Ordinal);

        await upstream.WaitForSeqAsync(50, Timeout);

        var listening = await gateway.WaitForLineAsync("Listener tcp listening on 127.0.0.1:", Timeout);
        var port = int.Parse(listening[(listening.LastIndexOf(':') + 1)..].Trim(), CultureInfo.InvariantCulture);
        using var console = await TcpConsole.ConnectAsync(port);
        var command = CommandSigning.Create("operator", Secret, "pi-arm64", "arm64-relay", "output.set", """{"output":"relay","on":true}""",
            DateTimeOffset.UtcNow, CommandSigning.NewNonce());
        var result = await console.SendAsync(command);
        Assert.True(result.Ok, $"output.set under qemu: {result.Code} {result.Message}");

        gateway.Signal(Signals.SIGTERM);
        Assert.Equal(0, await gateway.WaitForExitAsync(Timeout));
        Assert.Contains(gateway.Stdout, l => l.Contains("Gateway stopped (exit 0)", StringComparison.Ordinal));

        var received = upstream.Received.Where(r => r.Device == "pi-arm64").Select(r => r.Seq).ToHashSet();
        var missing = DeliveryCheck.Missing(_dir.File("state/gateway.db"), received);
        Assert.True(missing.Count == 0, $"{missing.Count} readings neither delivered nor stored, first {string.Join(", ", missing.Take(10))}");
    }

    /// <summary>qemu-aarch64-static and the arm64 gateway binary, or a skip saying which is missing and how to get it.</summary>
    private static (string Qemu, string Binary) Arm64OrSkip()
    {
        var native = Environment.GetEnvironmentVariable("TEST_NATIVE_DIR") is { Length: > 0 } named
            ? named
            : Path.Combine(RepositoryPaths.Root, "artifacts", "native");
        var binary = Path.Combine(native, "linux-arm64", "gateway", "Gateway");
        if (!File.Exists(binary))
        {
            Assert.Skip($"no arm64 binary at {binary}: deploy/build-native.sh --rid linux-arm64 builds it (tests/run.sh does)");
        }

        var qemu = (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(d => Path.Combine(d, "qemu-aarch64-static")).FirstOrDefault(File.Exists);
        if (qemu is null)
        {
            Assert.Skip("qemu-aarch64-static is not installed (Debian: apt-get install qemu-user-static; tests/run.sh installs it)");
        }

        if (!File.Exists("/lib/ld-linux-aarch64.so.1"))
        {
            Assert.Skip("the arm64 C library is missing (/lib/ld-linux-aarch64.so.1: dpkg --add-architecture arm64 && apt-get install libc6:arm64; deploy/build-native.sh installs it)");
        }

        return (qemu, binary);
    }
}
