namespace Gateway.FuzzTests.Engine;

/// <summary>Finds the repository (for docs/protocol.md's examples and artifacts/).</summary>
internal static class Repository
{
    /// <summary>The directory holding Gateway.sln.</summary>
    public static string Root()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Gateway.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Gateway.sln not found above " + AppContext.BaseDirectory);
    }
}
