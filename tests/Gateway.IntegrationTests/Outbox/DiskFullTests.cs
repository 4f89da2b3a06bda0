using Gateway.IntegrationTests.Infrastructure;
using Microsoft.Data.Sqlite;

namespace Gateway.IntegrationTests.Outbox;

/// <summary>A real full disk (a 2 MiB tmpfs the test mounts): readings wait in memory, the status says so, storing resumes.</summary>
public sealed class DiskFullTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private readonly SmallStateDisk _disk = new();

    public void Dispose() => _disk.Dispose();

    [Fact]
    public async Task On_a_full_disk_readings_wait_in_memory_the_status_says_so_and_storing_resumes_when_space_returns()
    {
        if (!_disk.Mounted)
        {
            Assert.Skip(SmallStateDisk.SkipReason);
        }

        using var systemd = NotifySocketListener.AtPath(_disk.Folder.File("notify.sock"));
        using var gateway = GatewayProcess.Start(_disk.Folder.Path,
        [
            "--Gateway:DeviceId=diskfull",
            $"--Gateway:StateDirectory={_disk.State}",
            "--Gateway:Sampling:Interval=10ms",
        ],
        new Dictionary<string, string?> { ["NOTIFY_SOCKET"] = systemd.EnvironmentValue });
        await systemd.WaitForAsync("READY=1", Timeout);
        await systemd.WaitForAnyAsync(t => t.Contains("outbox", StringComparison.Ordinal) && !t.Contains("outbox 0 stored", StringComparison.Ordinal), Timeout, "STATUS with stored readings");

        // Fill what is left of the 2 MiB.
        var filler = Path.Combine(_disk.State, "filler");
        await using (var f = new FileStream(filler, FileMode.Create))
        {
            var block = new byte[64 * 1024];
            try
            {
                while (true)
                {
                    f.Write(block);
                    f.Flush(flushToDisk: true);
                }
            }
            catch (IOException)
            {
                // no space left on device: that is the point
            }
        }

        await gateway.WaitForLineAsync("cannot store readings", Timeout);
        await systemd.WaitForAnyAsync(t => t.Contains("CANNOT STORE", StringComparison.Ordinal), Timeout, "STATUS saying the outbox cannot store");

        File.Delete(filler);
        await gateway.WaitForLineAsync("stores readings again", Timeout);

        gateway.Signal(Signals.SIGTERM);
        Assert.Equal(0, await gateway.WaitForExitAsync(Timeout));

        // Nothing was lost while the disk was full: the numbering has no holes and no gap was recorded.
        using var db = new SqliteConnection($"Data Source={Path.Combine(_disk.State, "gateway.db")};Mode=ReadOnly;Pooling=False");
        db.Open();
        using var command = db.CreateCommand();
        command.CommandText = "SELECT COUNT(*), MIN(seq), MAX(seq), (SELECT COUNT(*) FROM gaps) FROM readings";
        using var reader = command.ExecuteReader();
        reader.Read();
        Assert.Equal(1, reader.GetInt64(1));
        Assert.Equal(reader.GetInt64(0), reader.GetInt64(2));
        Assert.Equal(0, reader.GetInt64(3));
    }
}
