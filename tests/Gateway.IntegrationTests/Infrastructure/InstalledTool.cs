namespace Gateway.IntegrationTests.Infrastructure;

/// <summary>
/// Finds a program from a Debian package a test needs (influxd, prometheus …), or fails or skips the test saying why:
/// tests/run.sh installs the package when it can (root and apt-get), and where it could have, a missing program is a
/// failure, not a skip.
/// </summary>
internal static class InstalledTool
{
    /// <summary>The path of <paramref name="executable"/> on the PATH or in /usr/bin.</summary>
    /// <param name="executable">The program, e.g. <c>influxd</c>.</param>
    /// <param name="package">The Debian package that installs it.</param>
    /// <param name="tests">Which tests need it, for the skip message.</param>
    public static string Require(string executable, string package, string tests)
    {
        foreach (var folder in (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(':', StringSplitOptions.RemoveEmptyEntries).Append("/usr/bin"))
        {
            var candidate = Path.Combine(folder, executable);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        if (Environment.UserName == "root" && File.Exists("/usr/bin/apt-get"))
        {
            Assert.Fail($"{executable} is not installed, though this machine could install it (root, apt-get): run tests/run.sh, which installs it, or `apt-get install {package}`");
        }

        Assert.Skip($"{executable} is not installed and cannot be installed here (needs root and apt-get): install the Debian package `{package}` to run {tests}");
        return null!;
    }
}
