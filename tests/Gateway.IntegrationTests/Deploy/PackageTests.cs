using System.Buffers.Binary;
using System.Runtime.Versioning;
using System.Text.RegularExpressions;
using Gateway.IntegrationTests.Infrastructure;

namespace Gateway.IntegrationTests.Deploy;

/// <summary>
/// The packages deploy/package.sh builds from the native builds — gateway_&lt;version&gt;_&lt;arch&gt;.deb and
/// gateway_&lt;version&gt;_linux-&lt;arch&gt;.tar.gz — read with dpkg-deb and tar, installed into scratch roots, and
/// (x64) the installed gateway started.
/// </summary>
[SupportedOSPlatform("linux")] // dpkg, systemd and Unix file modes
public sealed partial class PackageTests(PackageBuilds packages) : IClassFixture<PackageBuilds>, IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private async Task<string> Deb(string rid, string arch) => Path.Combine(await packages.For(rid), $"gateway_{PackageBuilds.Version}_{arch}.deb");

    private async Task<string> Tarball(string rid) => Path.Combine(await packages.For(rid), $"gateway_{PackageBuilds.Version}_{rid}.tar.gz");

    private static async Task<(int Code, GatewayProcess Run)> Command(string file, params string[] args)
    {
        var run = GatewayProcess.StartCommand(file, args, RepositoryPaths.Root);
        return (await run.WaitForExitAsync(TimeSpan.FromSeconds(120)), run);
    }

    private static async Task<IReadOnlyList<string>> Lines(string file, params string[] args)
    {
        var (code, run) = await Command(file, args);
        using (run)
        {
            Assert.True(code == 0, $"{file} {string.Join(' ', args)} exited {code}:\n{run.Output}");
            return run.Stdout;
        }
    }

    // e_machine, the 16-bit little-endian field at offset 18 of the ELF header (elf(5)).
    private static string ElfMachine(string file)
    {
        var header = File.ReadAllBytes(file).AsSpan(0, 20);
        Assert.True(header[..4].SequenceEqual("\u007fELF"u8), $"{file} is not an ELF file");
        return BinaryPrimitives.ReadUInt16LittleEndian(header[18..]) switch
        {
            62 => "linux-x64",
            183 => "linux-arm64",
            var other => $"e_machine {other}",
        };
    }

    [Theory]
    [InlineData("linux-x64", "amd64")]
    [InlineData("linux-arm64", "arm64")]
    public async Task The_deb_declares_package_version_architecture_and_the_libc_its_binaries_need(string rid, string arch)
    {
        var deb = await Deb(rid, arch);
        var fields = (await Lines("dpkg-deb", "--field", deb))
            .Where(l => !l.StartsWith(' ')).Select(l => l.Split(": ", 2)).ToDictionary(f => f[0], f => f[1], StringComparer.Ordinal);

        Assert.Equal("gateway", fields["Package"]);
        Assert.Equal(PackageBuilds.Version, fields["Version"]);
        Assert.Equal(arch, fields["Architecture"]);
        Assert.Matches(@"^.+ <[^>]+@[^>]+>$", fields["Maintainer"]);
        Assert.False(string.IsNullOrWhiteSpace(fields["Description"]));

        // libc6 at exactly the newest GLIBC_ symbol version the packaged binaries reference: enough, and no more.
        var native = NativeBuilds.Require(rid);
        var referenced = (await Lines("readelf", "-V", $"{native}/gateway/Gateway", $"{native}/gateway/libe_sqlite3.so", $"{native}/gwctl/gwctl"))
            .SelectMany(l => GlibcVersion().Matches(l)).Select(m => Version.Parse(m.Groups[1].Value)).Max()!;
        Assert.StartsWith($"libc6 (>= {referenced}), ", fields["Depends"], StringComparison.Ordinal);
        Assert.EndsWith("libssl3 | libssl1.1", fields["Depends"], StringComparison.Ordinal); // dlopen'ed by the crypto shim

        // Installed-Size (KiB, an estimate: Debian policy §5.6.20): at least the files' bytes, at most a 4 KiB block more per entry.
        var entries = (await Lines("dpkg-deb", "--contents", deb)).Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)).ToList();
        var bytes = entries.Sum(f => long.Parse(f[2], System.Globalization.CultureInfo.InvariantCulture));
        var installed = long.Parse(fields["Installed-Size"], System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(installed, bytes / 1024, (bytes / 1024) + (4 * entries.Count));
    }

    [Theory]
    [InlineData("linux-x64", "amd64")]
    [InlineData("linux-arm64", "arm64")]
    public async Task The_deb_holds_the_native_binaries_unit_and_configuration_as_a_root_owned_conffile(string rid, string arch)
    {
        var deb = await Deb(rid, arch);
        var contents = (await Lines("dpkg-deb", "--contents", deb))
            .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .ToDictionary(f => f[5], f => (Mode: f[0], Owner: f[1], Target: f.Length > 7 ? f[7] : null), StringComparer.Ordinal);

        Assert.All(contents.Values, c => Assert.Equal("root/root", c.Owner));
        Assert.Equal("-rwxr-xr-x", contents["./opt/gateway/Gateway"].Mode);
        Assert.Equal("-rw-r--r--", contents["./opt/gateway/libe_sqlite3.so"].Mode);
        Assert.Equal("-rwxr-xr-x", contents["./opt/gateway/gwctl"].Mode);
        Assert.Equal(("lrwxrwxrwx", "/opt/gateway/gwctl"), (contents["./usr/bin/gwctl"].Mode, contents["./usr/bin/gwctl"].Target));
        Assert.Equal("-rw-r--r--", contents["./lib/systemd/system/gateway.service"].Mode);
        Assert.Equal("-rw-r-----", contents["./etc/gateway/appsettings.json"].Mode);
        Assert.DoesNotContain("./opt/gateway/appsettings.json", contents.Keys);
        Assert.DoesNotContain(contents.Keys, k => k.EndsWith(".dbg", StringComparison.Ordinal) || k.EndsWith(".pdb", StringComparison.Ordinal));
        Assert.Equal(["/etc/gateway/appsettings.json"], await Lines("dpkg-deb", "--info", deb, "conffiles"));

        var unpacked = _dir.File("x");
        await Lines("dpkg-deb", "-x", deb, unpacked);
        Assert.Equal(rid, ElfMachine(Path.Combine(unpacked, "opt/gateway/Gateway")));
        Assert.Equal(rid, ElfMachine(Path.Combine(unpacked, "opt/gateway/gwctl")));
        Assert.Equal(rid, ElfMachine(Path.Combine(unpacked, "opt/gateway/libe_sqlite3.so")));
        // The very binary the native tests (and, for arm64, the run under qemu) start from the native folder.
        var native = NativeBuilds.Require(rid);
        Assert.Equal(File.ReadAllBytes(Path.Combine(native, "gateway/Gateway")), File.ReadAllBytes(Path.Combine(unpacked, "opt/gateway/Gateway")));
        Assert.Equal(File.ReadAllBytes(Path.Combine(native, "gwctl/gwctl")), File.ReadAllBytes(Path.Combine(unpacked, "opt/gateway/gwctl")));
        Assert.Equal(File.ReadAllText(Path.Combine(RepositoryPaths.Root, "deploy/appsettings.Production.json")), File.ReadAllText(Path.Combine(unpacked, "etc/gateway/appsettings.json")));
        Assert.Equal(File.ReadAllText(Path.Combine(RepositoryPaths.Root, "deploy/gateway.service")), File.ReadAllText(Path.Combine(unpacked, "lib/systemd/system/gateway.service")));
    }

    [Theory]
    [InlineData("linux-x64", "amd64")]
    [InlineData("linux-arm64", "arm64")]
    public async Task The_deb_installs_into_a_scratch_root_with_its_user_and_an_enabled_unit_that_systemd_analyze_verifies(string rid, string arch)
    {
        ScratchRoot.SkipUnlessRoot();
        var deb = await Deb(rid, arch);
        var root = new ScratchRoot(_dir.File("root"));
        if (arch != "amd64")
        {
            Assert.Equal(0, (await root.Dpkg("--add-architecture", arch)).Code); // the root accepts the board's architecture
        }

        var (code, output) = await root.Dpkg("--install", deb);
        Assert.True(code == 0, output);

        Assert.Contains("Status: install ok installed", File.ReadAllText(root.File("var/lib/dpkg/status")), StringComparison.Ordinal);
        var user = root.Entry("etc/passwd", "gateway");
        Assert.NotNull(user);
        Assert.InRange(int.Parse(user[2], System.Globalization.CultureInfo.InvariantCulture), 1, 999); // a system user
        Assert.Equal(("/var/lib/gateway", "/usr/sbin/nologin"), (user[5], user[6]));
        Assert.Contains("gateway", root.Entry("etc/group", "gpio")![3].Split(','));
        Assert.Contains("gateway", root.Entry("etc/group", "i2c")![3].Split(','));

        // Owner, group and mode as numbers (stat(1)): readable by the service's group, which is the root's gateway group.
        var config = await Lines("stat", "-c", "%u %g %a", root.File("etc/gateway/appsettings.json"));
        Assert.Equal($"0 {root.Entry("etc/group", "gateway")![2]} 640", config.Single());
        // systemd logs "ConfigurationDirectory 'gateway' already exists but the mode is different" at every start when
        // the folder's mode is not ConfigurationDirectoryMode= (it never changes the mode of a configuration folder).
        Assert.Equal(UnitFileTests.ConfigurationDirectoryMode(), (await Lines("stat", "-c", "%04a", root.File("etc/gateway"))).Single());
        Assert.Equal("/lib/systemd/system/gateway.service", new FileInfo(root.File("etc/systemd/system/multi-user.target.wants/gateway.service")).LinkTarget);
        Assert.Equal(rid, ElfMachine(root.File("opt/gateway/Gateway")));

        SystemdAnalyze.SkipWhenMissing();
        var (verified, verify) = await SystemdAnalyze.VerifyInRootAsync(root.Path, "gateway.service");
        using (verify)
        {
            Assert.True(verified == 0 && verify.Stderr.Count == 0, $"systemd-analyze verify exited {verified}:\n{verify.Output}");
        }
    }

    [Fact]
    public async Task Installing_the_deb_again_keeps_the_operators_configuration_and_the_same_user()
    {
        ScratchRoot.SkipUnlessRoot();
        var deb = await Deb("linux-x64", "amd64");
        var root = new ScratchRoot(_dir.File("root"));
        Assert.Equal(0, (await root.Dpkg("--install", deb)).Code);
        var user = root.Entry("etc/passwd", "gateway");
        const string Edited = """{ "Gateway": { "DeviceId": "edited" } }""";
        File.WriteAllText(root.File("etc/gateway/appsettings.json"), Edited);

        var (code, output) = await root.Dpkg("--install", deb); // postinst runs again: it must not trip over its own work

        Assert.True(code == 0, output);
        Assert.Equal(Edited, File.ReadAllText(root.File("etc/gateway/appsettings.json"))); // a conffile: dpkg keeps the edit
        Assert.Equal(user, root.Entry("etc/passwd", "gateway"));
        Assert.Single(File.ReadAllLines(root.File("etc/passwd")), l => l.StartsWith("gateway:", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Purging_the_deb_removes_program_unit_configuration_state_and_user()
    {
        ScratchRoot.SkipUnlessRoot();
        var deb = await Deb("linux-x64", "amd64");
        var root = new ScratchRoot(_dir.File("root"));
        Assert.Equal(0, (await root.Dpkg("--install", deb)).Code);
        Directory.CreateDirectory(root.File("var/lib/gateway"));
        File.WriteAllText(root.File("var/lib/gateway/gateway.db"), "outbox");

        var (code, output) = await root.Dpkg("--purge", "gateway");

        Assert.True(code == 0, output);
        foreach (var gone in new[] { "opt/gateway", "etc/gateway", "var/lib/gateway", "lib/systemd/system/gateway.service", "usr/bin/gwctl", "etc/systemd/system/multi-user.target.wants/gateway.service" })
        {
            Assert.False(Path.Exists(root.File(gone)) || new FileInfo(root.File(gone)).LinkTarget is not null, $"{gone} is still there\n{output}");
        }

        Assert.Null(root.Entry("etc/passwd", "gateway"));
        Assert.NotNull(root.Entry("etc/group", "gpio")); // other programs use the device groups
    }

    [Fact]
    public async Task The_gateway_installed_from_the_deb_starts_on_the_simulated_board_reports_ready_and_stops_with_0_and_its_gwctl_runs()
    {
        ScratchRoot.SkipUnlessRoot();
        var deb = await Deb("linux-x64", "amd64");
        var root = new ScratchRoot(_dir.File("root"));
        Assert.Equal(0, (await root.Dpkg("--install", deb)).Code);
        using var systemd = NotifySocketListener.AtPath(_dir.File("notify.sock"));

        // As the unit starts it, with the board swapped for the simulator and state in the test's folder.
        using var gateway = GatewayProcess.StartCommand(
            root.File("opt/gateway/Gateway"),
            ["--config", root.File("etc/gateway/appsettings.json"), "--Gateway:Hardware:Backend=Simulated", $"--Gateway:StateDirectory={_dir.File("state")}"],
            _dir.Path,
            new Dictionary<string, string?> { ["NOTIFY_SOCKET"] = systemd.EnvironmentValue });

        await systemd.WaitForAsync(s => s == "READY=1", TimeSpan.FromSeconds(30), "READY=1");
        var started = await gateway.WaitForLineAsync("starting:", TimeSpan.FromSeconds(5));
        Assert.EndsWith($"configuration from {root.File("etc/gateway/appsettings.json")}; systemd notify on, watchdog off", started, StringComparison.Ordinal);
        gateway.Signal(Signals.SIGTERM);
        Assert.Equal(0, await gateway.WaitForExitAsync(TimeSpan.FromSeconds(30)));

        // gwctl from the package runs too (its /usr/bin link points at /opt/gateway/gwctl of the system, not the root's).
        var version = await Lines(root.File("opt/gateway/gwctl"), "--version");
        Assert.StartsWith($"{PackageBuilds.Version}+", version.Single(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("linux-x64")]
    [InlineData("linux-arm64")]
    public async Task The_tarball_carries_the_build_unit_configuration_and_installer_and_installs_with_it(string rid)
    {
        var tarball = await Tarball(rid);
        var top = $"gateway_{PackageBuilds.Version}_{rid}";
        var listing = (await Lines("tar", "-tzvf", tarball)).Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .ToDictionary(f => f[5], f => (Mode: f[0], Owner: f[1]), StringComparer.Ordinal);

        Assert.All(listing.Values, e => Assert.Equal("0/0", e.Owner));
        Assert.Equal("-rwxr-xr-x", listing[$"{top}/gateway/Gateway"].Mode);
        Assert.Equal("-rw-r--r--", listing[$"{top}/gateway/libe_sqlite3.so"].Mode);
        Assert.Equal("-rwxr-xr-x", listing[$"{top}/gwctl/gwctl"].Mode);
        Assert.Equal("-rwxr-xr-x", listing[$"{top}/install.sh"].Mode);
        Assert.Equal("-rw-r--r--", listing[$"{top}/gateway.service"].Mode);
        Assert.Equal("-rw-r--r--", listing[$"{top}/appsettings.Production.json"].Mode);

        var unpacked = _dir.File("unpacked");
        Directory.CreateDirectory(unpacked);
        await Lines("tar", "-xzf", tarball, "-C", unpacked);
        var root = _dir.File("root");
        var (code, install) = await Command("bash", Path.Combine(unpacked, top, "install.sh"), "--root", root, "--rid", rid); // installs its own folder
        using (install)
        {
            Assert.True(code == 0, install.Output);
        }

        Assert.Equal(File.ReadAllBytes(Path.Combine(NativeBuilds.Require(rid), "gateway/Gateway")), File.ReadAllBytes(Path.Combine(root, "opt/gateway/Gateway")));
        Assert.Equal("/opt/gateway/gwctl", new FileInfo(Path.Combine(root, "usr/local/bin/gwctl")).LinkTarget);
        Assert.Contains("\nExecStart=/opt/gateway/Gateway --config /etc/gateway/appsettings.json\n", File.ReadAllText(Path.Combine(root, "etc/systemd/system/gateway.service")), StringComparison.Ordinal);

        SystemdAnalyze.SkipWhenMissing();
        var (verified, verify) = await SystemdAnalyze.VerifyInRootAsync(root, "gateway.service");
        using (verify)
        {
            Assert.True(verified == 0 && verify.Stderr.Count == 0, $"systemd-analyze verify exited {verified}:\n{verify.Output}");
        }
    }

    [GeneratedRegex(@"GLIBC_(\d+\.\d+(?:\.\d+)?)")]
    private static partial Regex GlibcVersion();
}
