namespace Gateway.Console.Tests.Infrastructure;

/// <summary>A fresh folder for one test, deleted afterwards.</summary>
internal sealed class TempDirectory : IDisposable
{
    public TempDirectory() => Path = Directory.CreateTempSubdirectory("gwctl-test-").FullName;

    public string Path { get; }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // a process killed mid-write may still hold a file for a moment; the OS cleans /tmp
        }
    }
}
