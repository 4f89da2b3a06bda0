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

/// <summary>The audit on a disk that fills up and frees again (issue 14, finding 3) and under unauthenticated floods (finding 4).</summary>
public sealed class AuditLogTroubleTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("gw-audit-").FullName;
    private readonly Microsoft.Extensions.Time.Testing.FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 6, 9, 0, 0, TimeSpan.Zero));

    public void Dispose() => Directory.Delete(_dir, true);

    private AuditLog.Entry Entry(string id, bool authenticated = true, string outcome = "ok", string peer = "127.0.0.1:1") =>
        new(_time.GetUtcNow(), "listener udp", peer, "operator", id, "output.set", """{"on":true}""", outcome, null, 1.5, false, authenticated);

    /// <summary>A file stream whose writes fail with "no space" while <see cref="Full"/> is set, like a full disk.</summary>
    private sealed class FillingStream(string path) : FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read, 4096)
    {
        public static bool Full { get; set; }

        public override void Write(ReadOnlySpan<byte> buffer) => Write(buffer.ToArray(), 0, buffer.Length);

        public override void Write(byte[] buffer, int offset, int count)
        {
            if (Full)
            {
                base.Write(buffer, offset, Math.Min(3, count)); // a partial write, then no space
                base.Flush();
                throw new IOException("No space left on device");
            }

            base.Write(buffer, offset, count);
        }

        public override void Flush()
        {
            base.Flush();
            if (Full)
            {
                throw new IOException("No space left on device");
            }
        }
    }

    [Fact]
    public void When_the_audit_file_cannot_be_written_records_never_throw_the_trouble_is_reported_and_writing_resumes_by_itself()
    {
        var logger = new ListLogger();
        using var audit = new AuditLog(_dir, 1 << 20, 2, logger, _time, path => new FillingStream(path));
        audit.Record(Entry("before"));

        FillingStream.Full = true;
        try
        {
            audit.Record(Entry("lost-1"));
            _time.Advance(TimeSpan.FromSeconds(5));
            audit.Record(Entry("lost-2"));
            Assert.Equal(2, audit.Health.LinesLost);
            Assert.NotNull(audit.Health.FailingSince);
            Assert.Contains(logger.Lines, l => l.Contains("lost-2", StringComparison.Ordinal) && l.Contains("2 lines lost", StringComparison.Ordinal));
        }
        finally
        {
            FillingStream.Full = false;
        }

        audit.Record(Entry("after"));
        Assert.Null(audit.Health.FailingSince);
        audit.Dispose();
        var lines = File.ReadAllLines(audit.FilePath);
        Assert.All(lines, l => System.Text.Json.JsonDocument.Parse(l).Dispose()); // no half line spoils the file
        Assert.Contains(lines, l => l.Contains("\"id\":\"after\"", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("\"id\":\"before\"", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("2 audit lines lost", StringComparison.Ordinal));
    }

    [Fact]
    public void A_flood_of_unauthenticated_refusals_never_pushes_an_accepted_command_out_of_the_audit()
    {
        using var audit = new AuditLog(_dir, maxBytes: 64 * 1024, files: 2, new ListLogger(), _time);
        audit.Record(Entry("operator-switch"));

        for (var i = 0; i < 3000; i++)
        {
            audit.Record(Entry($"junk-{i}", authenticated: false, outcome: "unsigned", peer: $"10.0.0.{i % 250}:{40000 + i}") with { Args = new string('x', 4000) });
            _time.Advance(TimeSpan.FromMilliseconds(2));
        }

        _time.Advance(TimeSpan.FromMinutes(2));
        audit.Dispose();
        var kept = string.Concat(Directory.GetFiles(_dir, "audit.log*").Select(File.ReadAllText));
        Assert.Contains("\"id\":\"operator-switch\"", kept, StringComparison.Ordinal);
        Assert.DoesNotContain("junk-2999", kept, StringComparison.Ordinal);
        var summaries = File.ReadAllLines(audit.UnauthenticatedFilePath);
        Assert.InRange(summaries.Length, 1, 300); // one per source per interval, bounded sources
        Assert.Equal(3000, summaries.Sum(l => System.Text.Json.JsonDocument.Parse(l).RootElement.GetProperty("count").GetInt64()));
    }
}
