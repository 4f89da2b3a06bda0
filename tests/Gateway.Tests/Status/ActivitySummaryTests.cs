using Gateway.Status;
using Gateway.Tests.Links;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace Gateway.Tests.Status;

public sealed class ActivitySummaryTests
{
    private static readonly KeyValuePair<string, string>[] AllOk = [new("env", "ok"), new("water", "ok"), new("door", "ok")];

    private static ActivitySnapshot Snapshot(long reads, long stored, IReadOnlyList<KeyValuePair<string, string>>? sensors = null, string tcp = "up", long dropped = 0) =>
        new(reads, stored, 400 + stored, dropped, sensors ?? AllOk, [new("tcp", tcp), new("mqtt", "up")]);

    [Fact]
    public void The_line_counts_what_was_read_and_stored_since_the_last_one_and_shows_every_link_and_the_sensors_health()
    {
        var line = ActivitySummary.Line(Snapshot(100, 250), Snapshot(136, 286), TimeSpan.FromMinutes(1));

        Assert.Equal("Last 1m: 36 sensor reads, 36 readings and events stored (last seq 686); links: tcp up, mqtt up; sensors: 3 ok", line);
    }

    [Fact]
    public void Health_and_link_changes_since_the_last_line_are_named_and_drops_are_counted()
    {
        var before = Snapshot(0, 0);
        var now = Snapshot(12, 8, [new("env", "ok"), new("water", "failing"), new("door", "ok")], tcp: "backing off", dropped: 5);

        var line = ActivitySummary.Line(before, now, TimeSpan.FromSeconds(30));

        Assert.Equal("Last 30s: 12 sensor reads, 8 readings and events stored (last seq 408), 5 dropped by the outbox's limits; "
            + "links: tcp backing off, mqtt up; sensors: 2 ok, 1 failing (water); changed: sensor water ok -> failing, link tcp up -> backing off", line);
    }

    [Fact]
    public void Each_link_with_a_place_in_the_outbox_says_what_it_delivered_since_the_last_line_and_what_it_still_owes()
    {
        var before = Snapshot(0, 0) with { Delivery = new Dictionary<string, (long, long)> { ["tcp"] = (300, 0), ["mqtt"] = (290, 10) } };
        var now = Snapshot(84, 84, tcp: "backing off") with
        {
            Links = [new("tcp", "backing off"), new("mqtt", "up"), new("udp", "up")],
            Delivery = new Dictionary<string, (long, long)> { ["tcp"] = (340, 44), ["mqtt"] = (384, 0) },
        };

        var line = ActivitySummary.Line(before, now, TimeSpan.FromMinutes(1));

        Assert.Contains("links: tcp backing off (delivered 40, owes 44), mqtt up (delivered 94, owes 0), udp up; ", line, StringComparison.Ordinal);
    }

    [Fact]
    public void A_gateway_without_links_or_sensors_says_none()
    {
        var empty = new ActivitySnapshot(0, 0, 0, 0, [], []);

        Assert.Equal("Last 1m: 0 sensor reads, 0 readings and events stored (last seq 0); links: none; sensors: none", ActivitySummary.Line(empty, empty, TimeSpan.FromMinutes(1)));
    }

    [Fact]
    public async Task The_service_logs_one_line_at_information_each_interval_and_none_before_the_first()
    {
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-12-07T06:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        var logger = new RecordingLogger();
        var current = Snapshot(0, 0);
        await using var service = new ActivitySummaryService(TimeSpan.FromMinutes(1), () => current, time, logger);
        await service.StartAsync(TestContext.Current.CancellationToken);

        current = Snapshot(60, 50);
        time.Advance(TimeSpan.FromSeconds(59));
        Assert.Empty(logger.Lines);

        time.Advance(TimeSpan.FromSeconds(1));
        var first = Assert.Single(logger.Lines);
        Assert.Equal(LogLevel.Information, first.Level);
        Assert.StartsWith("Last 1m: 60 sensor reads, 50 readings and events stored", first.Text, StringComparison.Ordinal);

        current = Snapshot(70, 52, tcp: "backing off");
        time.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(2, logger.Lines.Count);
        Assert.StartsWith("Last 1m: 10 sensor reads, 2 readings and events stored", logger.Lines.Last().Text, StringComparison.Ordinal);
        Assert.EndsWith("changed: link tcp up -> backing off", logger.Lines.Last().Text, StringComparison.Ordinal);

        await service.StopAsync(TestContext.Current.CancellationToken);
        time.Advance(TimeSpan.FromMinutes(5));
        Assert.Equal(2, logger.Lines.Count); // stopped: no more lines
    }
}
