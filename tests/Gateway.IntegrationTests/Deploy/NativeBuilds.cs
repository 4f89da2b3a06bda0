using Gateway.IntegrationTests.Infrastructure;

namespace Gateway.IntegrationTests.Deploy;

/// <summary>
/// The NativeAOT builds the deploy tests install and package: deploy/build-native.sh's output folder, taken from
/// <c>TEST_NATIVE_DIR</c> (default <c>artifacts/native</c> in the repository), one <c>&lt;rid&gt;</c> folder each.
/// A test that needs a build that is not there is skipped with the command that makes it, never passed.
/// </summary>
internal static class NativeBuilds
{
    /// <summary>The folder holding <c>linux-x64/</c>, <c>linux-arm64/</c>.</summary>
    public static string Root { get; } =
        Environment.GetEnvironmentVariable("TEST_NATIVE_DIR") is { Length: > 0 } dir
            ? Path.GetFullPath(dir)
            : Path.Combine(RepositoryPaths.Root, "artifacts", "native");

    /// <summary>
    /// The <c>&lt;rid&gt;</c> folder (<c>gateway/Gateway</c>, <c>gateway/libe_sqlite3.so</c>, <c>gwctl/gwctl</c>), or
    /// the test is skipped saying which file is missing.
    /// </summary>
    public static string Require(string rid)
    {
        var folder = Path.Combine(Root, rid);
        foreach (var file in new[] { "gateway/Gateway", "gateway/libe_sqlite3.so", "gwctl/gwctl" })
        {
            if (!File.Exists(Path.Combine(folder, file)))
            {
                Assert.Skip($"no native {rid} build: {Path.Combine(folder, file)} is missing (deploy/build-native.sh --rid {rid}, or set TEST_NATIVE_DIR)");
            }
        }

        return folder;
    }
}
