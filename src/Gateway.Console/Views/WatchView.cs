using System.Globalization;
using Gateway.Console.Watching;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Gateway.Console.Views;

/// <summary>
/// The live view of <c>gwctl watch</c>: who the gateway is, one row per sensor quantity with its latest value and
/// age, sensor health, and — when a key lets gwctl ask — outputs, links and the outbox from <c>status</c>. Pure.
/// </summary>
internal static class WatchView
{
    /// <summary>Renders <paramref name="s"/>.</summary>
    public static IRenderable Render(WatchSnapshot s)
    {
        ArgumentNullException.ThrowIfNull(s);
        // Over MQTT there is no hello to name the firmware; the retained status topic says whether the gateway is online.
        var who = s.Hello is { } hello ? $"firmware {Markup.Escape(Formats.OneLine(hello.Firmware))}"
            : $"gateway {Markup.Escape(Formats.OneLine(s.Availability ?? "status not known"))}";
        var header = new Markup(string.Create(CultureInfo.InvariantCulture,
            $"[bold]{Markup.Escape(Formats.OneLine(s.Device))}[/] {who} at {Markup.Escape(s.Address)}  connected {Formats.Age(s.Now - s.Connected)}  {s.Readings} readings, {s.Rate:0.0}/s  [dim](Ctrl-C stops)[/]"));

        var table = new Table().Border(TableBorder.Rounded);
        table.AddColumn("sensor");
        table.AddColumn("quantity");
        table.AddColumn(new TableColumn("value").RightAligned());
        table.AddColumn("unit");
        table.AddColumn(new TableColumn("age").RightAligned());
        table.AddColumn(new TableColumn("seq").RightAligned());
        table.AddColumn("health");
        var sensors = s.Latest.Select(v => v.Sensor).Concat(s.Hello?.Sensors ?? []).Concat(s.Health.Keys).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal);
        foreach (var sensor in sensors)
        {
            // A health event is the latest word; before one arrives, the status (when a key lets gwctl ask) says it.
            var health = s.Health.TryGetValue(sensor, out var h) ? h
                : s.Status?.Sensors.FirstOrDefault(x => x.Id == sensor) is { } st ? (st.LastError is null ? st.Health : $"{st.Health}: {st.LastError}")
                : null;
            var healthText = health is null ? new Text("-") : new Text(Formats.OneLine(health), Formats.HealthState(health) == "ok" ? new Style(Color.Green) : new Style(Color.Red));
            var values = s.Latest.Where(v => v.Sensor == sensor).ToList();
            if (values.Count == 0)
            {
                table.AddRow(new Text(Formats.OneLine(sensor)), new Text("(no reading yet)", new Style(decoration: Decoration.Dim)), new Text(string.Empty), new Text(string.Empty), new Text(string.Empty), new Text(string.Empty), healthText);
                continue;
            }

            var first = true;
            foreach (var v in values)
            {
                table.AddRow(
                    new Text(first ? Formats.OneLine(sensor) : string.Empty),
                    new Text(Formats.OneLine(v.Quantity)),
                    new Text(Formats.Value(v.Value)),
                    new Text(Formats.OneLine(v.Unit)),
                    new Text(Formats.Age(s.Now - v.Timestamp)),
                    new Text(v.Seq.ToString(CultureInfo.InvariantCulture)),
                    first ? healthText : new Text(string.Empty));
                first = false;
            }
        }

        var parts = new List<IRenderable> { header, table };
        if (s.Status is { } status)
        {
            var outputs = string.Join("  ", status.Outputs.Select(o => $"{Formats.OneLine(o.Name)} {(o.On is null ? "unavailable" : o.On.Value ? "on" : "off")}"));
            var links = string.Join("  ", status.Links.Select(l => $"{Formats.OneLine(l.Name)} {Formats.OneLine(l.State)}"));
            parts.Add(new Text($"outputs: {(outputs.Length == 0 ? "none" : outputs)}"));
            parts.Add(new Text($"links: {(links.Length == 0 ? "none" : links)}"));
            if (status.Outbox is { } ob)
            {
                parts.Add(new Text(string.Create(CultureInfo.InvariantCulture, $"outbox: {ob.Pending} pending, last seq {ob.LastSeq}, {ob.Dropped} dropped{(ob.DiskTrouble ? ", CANNOT STORE" : string.Empty)}")));
            }

            parts.Add(new Text($"status: {Formats.OneLine(status.StatusLine)}", new Style(decoration: Decoration.Dim)));
        }

        if (s.LastSkipped is { } skipped)
        {
            parts.Add(new Text(string.Create(CultureInfo.InvariantCulture, $"skipped {s.Skipped} unreadable message(s), the latest {Formats.OneLine(skipped)}"), new Style(Color.Yellow)));
        }

        if (s.StatusProblem is { } problem)
        {
            parts.Add(new Text(Formats.OneLine(problem), new Style(Color.Yellow)));
        }

        return new Rows(parts);
    }
}
