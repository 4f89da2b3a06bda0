using System.Text.Json;
using Gateway.IntegrationTests.Infrastructure;

namespace Gateway.IntegrationTests.Service;

/// <summary>Log lines as journald reads them under systemd, and as people read them at a terminal.</summary>
public sealed class LoggingFormatTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Under_the_journal_every_line_carries_a_syslog_priority_prefix()
    {
        // systemd sets JOURNAL_STREAM when stdout is connected to the journal.
        using var gateway = GatewayProcess.Start(_dir.Path, ["--Gateway:DeviceId=it-journal", "--Gateway:Hardwre=typo"],
            new Dictionary<string, string?> { ["JOURNAL_STREAM"] = "8:12345" });

        await gateway.WaitForLineAsync("Unknown configuration key", Timeout);
        await gateway.WaitForLineAsync("starting: device it-journal", Timeout);
        gateway.Signal(Signals.SIGTERM);
        Assert.Equal(0, await gateway.WaitForExitAsync(Timeout));

        Assert.All(gateway.Stdout, l => Assert.Matches(@"^<[0-7]>", l));
        Assert.Contains(gateway.Stdout, l => l.StartsWith("<6>", StringComparison.Ordinal) && l.Contains("starting: device it-journal", StringComparison.Ordinal));
        Assert.Contains(gateway.Stdout, l => l.StartsWith("<4>", StringComparison.Ordinal) && l.Contains("Unknown configuration key", StringComparison.Ordinal));
        Assert.DoesNotContain(gateway.Stdout, l => l.Contains("Press Ctrl+C", StringComparison.Ordinal));
    }

    [Fact]
    public async Task At_a_terminal_lines_are_human_readable_without_priority_prefixes()
    {
        using var gateway = GatewayProcess.Start(_dir.Path, ["--Gateway:DeviceId=it-human"]);

        var line = await gateway.WaitForLineAsync("starting: device it-human", Timeout);
        gateway.Signal(Signals.SIGTERM);
        Assert.Equal(0, await gateway.WaitForExitAsync(Timeout));

        Assert.Matches(@"^\d\d:\d\d:\d\d\.\d{3} info: ", line);
    }

    [Fact]
    public async Task Json_format_writes_one_json_object_per_line()
    {
        using var gateway = GatewayProcess.Start(_dir.Path, ["--Gateway:DeviceId=it-json", "--Gateway:Logging:Format=Json"]);

        await gateway.WaitForLineAsync("it-json", Timeout);
        gateway.Signal(Signals.SIGTERM);
        Assert.Equal(0, await gateway.WaitForExitAsync(Timeout));

        Assert.All(gateway.Stdout, l =>
        {
            using var doc = JsonDocument.Parse(l);
            Assert.True(doc.RootElement.TryGetProperty("LogLevel", out _));
        });
    }
}
