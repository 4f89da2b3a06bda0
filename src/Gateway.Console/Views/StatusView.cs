using System.Globalization;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Gateway.Console.Views;

/// <summary>The formatted <c>status</c> result (<c>gwctl status</c>, and the status part of <c>gwctl watch</c>). Pure.</summary>
internal static class StatusView
{
    /// <summary>Renders <paramref name="status"/>: a header line, then sensors, outputs, links and the outbox.</summary>
    public static IRenderable Render(GatewayStatus status)
    {
        ArgumentNullException.ThrowIfNull(status);
        var parts = new List<IRenderable>
        {
            new Markup($"[bold]{E(status.Device)}[/]  version {E(status.Version)}  up {Formats.Uptime(status.Uptime)}"),
            new Text(Formats.OneLine(status.StatusLine)),
        };

        var sensors = new Table().Border(TableBorder.Rounded).Title("sensors");
        foreach (var c in new[] { "sensor", "health", "interval", "reads", "skipped", "last error" })
        {
            sensors.AddColumn(c is "reads" or "skipped" ? new TableColumn(c).RightAligned() : new TableColumn(c));
        }

        foreach (var s in status.Sensors)
        {
            sensors.AddRow(
                new Text(Formats.OneLine(s.Id)),
                new Text(Formats.OneLine(s.Health), HealthStyle(s.Health)),
                new Text(Formats.OneLine(s.Interval)),
                new Text(s.Reads.ToString(CultureInfo.InvariantCulture)),
                new Text(s.Skipped.ToString(CultureInfo.InvariantCulture)),
                new Text(Formats.OneLine(s.LastError ?? "-")));
        }

        if (status.Sensors.Count == 0)
        {
            sensors.AddRow(new Text("(none)"));
        }

        parts.Add(sensors);

        var outputs = new Table().Border(TableBorder.Rounded).Title("outputs");
        outputs.AddColumn("output");
        outputs.AddColumn("state");
        foreach (var o in status.Outputs)
        {
            outputs.AddRow(
                new Text(Formats.OneLine(o.Name)),
                !o.Available || o.On is null ? new Text("unavailable", new Style(Color.Red)) : o.On.Value ? new Text("on", new Style(Color.Green)) : new Text("off"));
        }

        if (status.Outputs.Count == 0)
        {
            outputs.AddRow(new Text("(none)"));
        }

        var links = new Table().Border(TableBorder.Rounded).Title("links");
        foreach (var c in new[] { "link", "kind", "target", "state", "owed", "oldest", "last ack", "last error" })
        {
            links.AddColumn(c);
        }

        foreach (var l in status.Links)
        {
            links.AddRow(
                new Text(Formats.OneLine(l.Name)),
                new Text(Formats.OneLine(l.Kind)),
                new Text(Formats.OneLine(l.Target)),
                new Text(Formats.OneLine(l.State), l.State == "up" ? new Style(Color.Green) : new Style(Color.Yellow)),
                new Text(l.Backlog is { } owed ? owed.ToString(CultureInfo.InvariantCulture) : "-"),
                new Text(l.OldestSeconds is { } oldest ? Formats.Age(TimeSpan.FromSeconds(oldest)) : "-"),
                new Text(l.LastAckSeconds is { } ack ? Formats.Age(TimeSpan.FromSeconds(ack)) + " ago" : l.Backlog is null ? "-" : "none yet"),
                new Text(Formats.OneLine(l.LastError ?? "-")));
        }

        if (status.Links.Count == 0)
        {
            links.AddRow(new Text("(none)"));
        }

        parts.Add(new Columns(outputs, links) { Expand = false });
        if (status.Outbox is { } ob)
        {
            parts.Add(new Markup(string.Create(CultureInfo.InvariantCulture,
                $"outbox: {ob.Stored} stored, {ob.Pending} pending, last seq {ob.LastSeq}, {ob.Dropped} dropped in {ob.Gaps} gaps, {ob.Bytes / 1024} KiB{(ob.DiskTrouble ? "  [red]CANNOT STORE (disk trouble)[/]" : string.Empty)}")));
        }

        return new Rows(parts);
    }

    private static Style HealthStyle(string health) => health switch
    {
        "ok" => new Style(Color.Green),
        "failing" => new Style(Color.Yellow),
        _ => new Style(Color.Red),
    };

    private static string E(string s) => Markup.Escape(Formats.OneLine(s));
}
