using System.Collections.Concurrent;
using Gateway.IntegrationTests.Infrastructure;

namespace Gateway.IntegrationTests.Deploy;

/// <summary>
/// deploy/package.sh run once per architecture for the package tests (into a folder of their own, from the native
/// builds in <see cref="NativeBuilds.Root"/>), so the .deb and the tarball are built the way CI builds them.
/// </summary>
public sealed class PackageBuilds : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly ConcurrentDictionary<string, Lazy<Task<string>>> _built = new(StringComparer.Ordinal);

    /// <summary>The version the packages carry: Directory.Build.props' &lt;Version&gt;.</summary>
    public static string Version { get; } = System.Xml.Linq.XDocument.Load(Path.Combine(RepositoryPaths.Root, "Directory.Build.props"))
        .Descendants("Version").Single().Value;

    /// <summary>The folder holding gateway_&lt;version&gt;_&lt;arch&gt;.deb and the tarball for <paramref name="rid"/>; the test is skipped when its native build is missing.</summary>
    public Task<string> For(string rid)
    {
        NativeBuilds.Require(rid); // package.sh would build it (minutes): a test skips instead
        return _built.GetOrAdd(rid, r => new Lazy<Task<string>>(() => Build(r))).Value;
    }

    private async Task<string> Build(string rid)
    {
        var output = Path.Combine(_dir.Path, rid);
        using var run = GatewayProcess.StartCommand(
            "bash", [Path.Combine(RepositoryPaths.Root, "deploy/package.sh"), "--rid", rid, "--from-native", NativeBuilds.Root, "--out", output],
            RepositoryPaths.Root);
        var code = await run.WaitForExitAsync(TimeSpan.FromMinutes(5));
        Assert.True(code == 0, $"deploy/package.sh --rid {rid} exited {code}:\n{run.Output}");
        return output;
    }

    public void Dispose() => _dir.Dispose();
}
