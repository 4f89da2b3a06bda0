using Gateway.Hosting;

namespace Gateway.Tests.Hosting;

public sealed class StateDirectoryCheckTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("gw-state-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void A_writable_folder_passes_and_the_probe_leaves_nothing_behind()
    {
        Assert.Null(StateDirectoryCheck.WhyNotWritable(_dir));
        Assert.Empty(Directory.GetFileSystemEntries(_dir));
    }

    [Fact]
    public void A_folder_that_does_not_exist_is_reported_with_the_reason()
    {
        var reason = StateDirectoryCheck.WhyNotWritable(Path.Combine(_dir, "absent"));

        Assert.NotNull(reason);
        Assert.DoesNotContain(".gateway-write-check", reason, StringComparison.Ordinal);
    }
}
