using Gateway.Console.Cli;
using Gateway.Console.Tests.Infrastructure;
using Gateway.Console.Upstream;
using Gateway.Protocol;

namespace Gateway.Console.Tests.Unit;

public sealed class RecordingTests : IDisposable
{
    private static readonly DateTimeOffset At = new(2026, 11, 23, 9, 0, 0, TimeSpan.Zero);
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task A_new_csv_recording_starts_with_its_header_and_an_existing_one_is_continued()
    {
        var path = _dir.File("out.csv");
        await using (var first = Recording.Open(path))
        {
            first.Write(RecordLines.Line(first.Format, Reading(1)));
            first.Write(RecordLines.Line(first.Format, Reading(2)));
            await first.FlushAsync(TestContext.Current.CancellationToken);
        }

        await using (var second = Recording.Open(path))
        {
            Assert.Equal([("pi-01", 1L), ("pi-01", 2L)], second.Existing);
            second.Write(RecordLines.Line(second.Format, Reading(3)));
        }

        var lines = File.ReadAllLines(path);
        Assert.Equal(RecordLines.CsvHeader, lines[0]);
        Assert.Equal(4, lines.Length); // one header, three rows
    }

    [Fact]
    public async Task Half_a_line_left_by_a_killed_run_is_cut_off()
    {
        var path = _dir.File("out.ndjson");
        var whole = RecordLines.Line(RecordFormat.Ndjson, Reading(1));
        await File.WriteAllTextAsync(path, whole + "\n" + whole[..20], TestContext.Current.CancellationToken);

        await using (var recording = Recording.Open(path))
        {
            Assert.Equal(20, recording.DroppedBytes);
            Assert.Equal([("pi-01", 1L)], recording.Existing);
            recording.Write(RecordLines.Line(recording.Format, Reading(2)));
        }

        var lines = File.ReadAllLines(path);
        Assert.Equal(2, lines.Length);
        Assert.All(lines, l => Assert.IsType<ReadingMessage>(MessageParser.Parse(System.Text.Encoding.UTF8.GetBytes(l))));
    }

    [Fact]
    public async Task A_csv_file_gwctl_did_not_write_is_not_appended_to()
    {
        var path = _dir.File("theirs.csv");
        await File.WriteAllTextAsync(path, "name,age\nbob,3\n", TestContext.Current.CancellationToken);

        var ex = Assert.Throws<GwctlException>(() => Recording.Open(path));

        Assert.Equal(ExitCodes.IoError, ex.ExitCode);
        Assert.Equal("name,age\nbob,3\n", await File.ReadAllTextAsync(path, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Nothing_is_on_disk_before_a_flush_and_everything_is_after()
    {
        var path = _dir.File("out.ndjson");
        await using var recording = Recording.Open(path);
        recording.Write(RecordLines.Line(recording.Format, Reading(1)));
        Assert.Equal(0, new FileInfo(path).Length); // buffered: not yet safe to acknowledge

        await recording.FlushAsync(TestContext.Current.CancellationToken);

        Assert.Single(File.ReadAllLines(path));
    }

    [Fact]
    public void A_folder_that_cannot_be_written_is_refused_at_start()
    {
        var ex = Assert.Throws<GwctlException>(() => Recording.Open(_dir.File("missing/dir/out.ndjson")));

        Assert.Equal(ExitCodes.IoError, ex.ExitCode);
        Assert.Contains("cannot record to", ex.Message, StringComparison.Ordinal);
    }

    private static ReadingMessage Reading(long seq) => new("pi-01", seq, At, "env", "temperature", 20 + seq, "Cel");
}
