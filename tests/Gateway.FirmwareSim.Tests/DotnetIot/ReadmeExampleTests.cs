namespace Gateway.FirmwareSim.Tests.DotnetIot;

/// <summary>README.md's "Test your own binding against the simulator" shows ReadmeExample.cs, which runs with these tests.</summary>
public sealed class ReadmeExampleTests
{
    private const string Begin = "// README example begins\n";
    private const string End = "// README example ends\n";

    [Fact]
    public void The_README_shows_the_example_that_runs_here_verbatim()
    {
        var root = RepositoryRoot();
        var source = File.ReadAllText(Path.Combine(root, "tests", "Gateway.FirmwareSim.Tests", "DotnetIot", "ReadmeExample.cs")).ReplaceLineEndings("\n");
        var start = source.IndexOf(Begin, StringComparison.Ordinal) + Begin.Length;
        var example = source[start..source.IndexOf(End, StringComparison.Ordinal)];

        var readme = File.ReadAllText(Path.Combine(root, "README.md")).ReplaceLineEndings("\n");

        Assert.Contains("```csharp\n" + example + "```\n", readme, StringComparison.Ordinal);
    }

    private static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        for (var i = 0; i < 12 && dir is not null; i++, dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Gateway.sln")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException($"no Gateway.sln above {AppContext.BaseDirectory}");
    }
}
