using System.Globalization;
using Gateway.Console.Upstream;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Gateway.Console.Views;

/// <summary>What the live view of <c>gwctl listen</c> shows at one moment.</summary>
/// <param name="Listening">Where it listens, e.g. <c>tcp://127.0.0.1:7000</c>.</param>
/// <param name="Recording">The recording and how many lines this run wrote, or null.</param>
/// <param name="Devices">Every device heard from.</param>
/// <param name="Notices">The latest notices, oldest first.</param>
/// <param name="Now">When.</param>
internal sealed record ListenSnapshot(
    IReadOnlyList<string> Listening,
    string? Recording,
    IReadOnlyList<DeviceSnapshot> Devices,
    IReadOnlyList<(NoticeLevel Level, DateTimeOffset At, string Text)> Notices,
    DateTimeOffset Now);

/// <summary>
/// The live view of <c>gwctl listen</c>: one row per device — links, rate, counts, missing seqs, latest values and
/// sensor health — and the latest notices below. Pure: a snapshot in, a renderable out. Everything a peer sent is
/// shown as text, never as markup.
/// </summary>
internal static class ListenView
{
    /// <summary>Latest values shown per device, at most, however tall the terminal.</summary>
    public const int MaxValuesShown = 16;

    /// <summary>Renders <paramref name="snapshot"/> for a terminal <paramref name="height"/> lines tall.</summary>
    public static IRenderable Render(ListenSnapshot snapshot, int height = 50)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        var header = new Markup(
            $"[bold]gwctl listen[/] on {Markup.Escape(string.Join(", ", snapshot.Listening))}"
            + (snapshot.Recording is null ? string.Empty : $"  [dim]recording[/] {Markup.Escape(snapshot.Recording)}")
            + "  [dim](Ctrl-C stops)[/]");

        var table = new Table().Border(TableBorder.Rounded).Expand();
        table.AddColumn("device");
        table.AddColumn("link");
        table.AddColumn(new TableColumn("rate/s").RightAligned());
        table.AddColumn(new TableColumn("readings").RightAligned());
        table.AddColumn(new TableColumn("last seq").RightAligned());
        table.AddColumn(new TableColumn("dups").RightAligned());
        table.AddColumn(new TableColumn("missing").RightAligned());
        table.AddColumn("latest");
        table.AddColumn("health");
        if (snapshot.Devices.Count == 0)
        {
            table.AddRow(new Text("(waiting for gateways)", new Style(decoration: Decoration.Dim)));
        }

        foreach (var d in snapshot.Devices.OrderBy(d => d.Id, StringComparer.Ordinal))
        {
            table.AddRow(
                new Text(d.Id, new Style(decoration: Decoration.Bold)),
                d.Links.Count == 0 ? new Text("disconnected", new Style(Color.Grey)) : new Text(string.Join("\n", d.Links)),
                new Text(d.Rate.ToString("0.0", CultureInfo.InvariantCulture)),
                new Text(d.Received.ToString(CultureInfo.InvariantCulture)),
                new Text(d.LastSeq?.ToString(CultureInfo.InvariantCulture) ?? "-"),
                new Text(d.Duplicates.ToString(CultureInfo.InvariantCulture)),
                d.Missing > 0 ? new Text(d.Missing.ToString(CultureInfo.InvariantCulture), new Style(Color.Yellow)) : new Text("0"),
                new Text(Latest(d, snapshot.Now, ValuesPerDevice(snapshot.Devices.Count, height))),
                Health(d));
        }

        var rows = new List<IRenderable> { header, table };
        foreach (var (level, at, text) in snapshot.Notices)
        {
            rows.Add(new Text($"{at.ToLocalTime():HH:mm:ss} {Formats.OneLine(text)}", level == NoticeLevel.Warning ? new Style(Color.Yellow) : new Style(decoration: Decoration.Dim)));
        }

        return new Rows(rows);
    }

    /// <summary>How many latest values fit per device: the devices share the terminal's height (beyond the frame and notices).</summary>
    public static int ValuesPerDevice(int devices, int height) =>
        Math.Clamp((height - 6 - LiveListenOutputNotices) / Math.Max(1, devices) - 1, 1, MaxValuesShown);

    private const int LiveListenOutputNotices = Upstream.LiveListenOutput.Kept;

    /// <summary>The latest values, one per line: <c>env.temperature 21.53 Cel (3s)</c>; at most <paramref name="max"/> and a count of the rest.</summary>
    public static string Latest(DeviceSnapshot device, DateTimeOffset now, int max)
    {
        ArgumentNullException.ThrowIfNull(device);
        if (device.Latest.Count == 0)
        {
            return "-";
        }

        var lines = device.Latest.Take(max)
            .Select(v => $"{Formats.OneLine(v.Sensor)}.{Formats.OneLine(v.Quantity)} {Formats.Value(v.Value)}{(v.Unit.Length > 0 ? " " + Formats.OneLine(v.Unit) : string.Empty)} ({Formats.Age(now - v.Timestamp)})")
            .ToList();
        if (device.Latest.Count > max)
        {
            lines[^1] = $"… {device.Latest.Count - max + 1} more";
        }

        return string.Join("\n", lines);
    }

    private static Text Health(DeviceSnapshot device)
    {
        var bad = device.Health.Where(h => Formats.HealthState(h.Value) != "ok").OrderBy(h => h.Key, StringComparer.Ordinal).ToList();
        return bad.Count == 0
            ? new Text("ok", new Style(Color.Green))
            : new Text(string.Join("\n", bad.Select(h => $"{Formats.OneLine(h.Key)}: {Formats.OneLine(h.Value)}")), new Style(Color.Red));
    }
}
