using Gateway.Commands;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gateway.Tests.Commands;

public sealed class AuditLogTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("gw-audit-").FullName;

    public void Dispose() => Directory.Delete(_dir, true);

    private static AuditLog.Entry Entry(int i) =>
        new(DateTimeOffset.UnixEpoch, "listener tcp", "127.0.0.1:1", "operator", $"id-{i}", "ping", "{}", "ok", null, 1.5, false, true);

    [Fact]
    public void The_audit_file_rotates_at_its_size_keeping_the_configured_number_of_old_files()
    {
        using (var audit = new AuditLog(_dir, maxBytes: 1000, files: 2, NullLogger<AuditLog>.Instance))
        {
            for (var i = 0; i < 40; i++)
            {
                audit.Record(Entry(i));
            }
        }

        var files = Directory.GetFiles(_dir).Select(Path.GetFileName).Order().ToList();
        Assert.Equal(["audit.log", "audit.log.1", "audit.log.2"], files);
        Assert.All(files, f => Assert.InRange(new FileInfo(Path.Combine(_dir, f!)).Length, 1, 1000));
        Assert.Contains("\"id\":\"id-39\"", File.ReadAllText(Path.Combine(_dir, "audit.log")), StringComparison.Ordinal);
        Assert.DoesNotContain("\"id\":\"id-0\"", string.Concat(files.Select(f => File.ReadAllText(Path.Combine(_dir, f!)))), StringComparison.Ordinal);
    }

    [Fact]
    public void An_unwritable_audit_directory_does_not_stop_commands()
    {
        using var audit = new AuditLog(Path.Combine(_dir, "missing", "deeper"), 1000, 2, NullLogger<AuditLog>.Instance);

        audit.Record(Entry(1)); // logged only; no exception
        Assert.False(File.Exists(audit.FilePath));
    }
}
