namespace Gateway.IntegrationTests.Infrastructure;

/// <summary>Where things are: the repository root and the gateway built next to these tests.</summary>
internal static class RepositoryPaths
{
    /// <summary>The folder holding Gateway.sln, found by walking up from the test binaries.</summary>
    public static string Root { get; } = FindRoot();

    /// <summary>
    /// Gateway.dll, the framework-dependent build beside these tests, for tests about that build itself; tests of the
    /// gateway in general start <see cref="ProgramUnderTest.Gateway"/>.
    /// </summary>
    public static string GatewayDll { get; } = Path.Combine(AppContext.BaseDirectory, "Gateway.dll");

    /// <summary>firmware-sim.dll as built into this test project's output folder.</summary>
    public static string FirmwareSimDll { get; } = Path.Combine(AppContext.BaseDirectory, "firmware-sim.dll");

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Gateway.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"Gateway.sln not found above {AppContext.BaseDirectory}");
    }
}
