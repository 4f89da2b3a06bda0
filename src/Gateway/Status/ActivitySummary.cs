using System.Globalization;
using System.Text;
using Gateway.Configuration;

namespace Gateway.Status;

/// <summary>
/// The one-line summary the gateway logs at Information every <c>Gateway:Logging:Summary</c> (issue 18: a first run
/// showed its start-up lines and then nothing): what was read and stored since the last line, each link's state, the
/// sensors' health, and every health or link state that changed since the last line. Pure: two snapshots in, text out.
/// </summary>
internal static class ActivitySummary
{
    /// <summary>The line for the <paramref name="period"/> between <paramref name="before"/> and <paramref name="now"/>.</summary>
    public static string Line(ActivitySnapshot before, ActivitySnapshot now, TimeSpan period)
    {
        ArgumentNullException.ThrowIfNull(before);
        ArgumentNullException.ThrowIfNull(now);
        var text = new StringBuilder();
        var inv = CultureInfo.InvariantCulture;
        text.Append(inv, $"Last {DurationParser.Format(period)}: {now.SensorReads - before.SensorReads} sensor reads, {now.Stored - before.Stored} readings and events stored (last seq {now.LastSeq})");
        if (now.Dropped - before.Dropped is var dropped and > 0)
        {
            text.Append(inv, $", {dropped} dropped by the outbox's limits");
        }

        text.Append("; links: ");
        text.Append(now.Links.Count == 0 ? "none" : string.Join(", ", now.Links.Select(l => $"{l.Key} {l.Value}{Delivered(before, now, l.Key)}")));
        text.Append("; sensors: ");
        text.Append(now.Sensors.Count == 0 ? "none" : Health(now.Sensors));

        var changes = Changes("sensor", before.Sensors, now.Sensors).Concat(Changes("link", before.Links, now.Links)).ToList();
        if (changes.Count > 0)
        {
            text.Append("; changed: ").Append(string.Join(", ", changes));
        }

        return text.ToString();
    }

    // " (delivered 84, owes 0)": acknowledged since the last line, and what the link still owes; nothing for a link
    // without the figures (UDP). A link whose cursor went back (its peer's database was replaced) counts 0 delivered.
    private static string Delivered(ActivitySnapshot before, ActivitySnapshot now, string link)
    {
        if (now.Delivery is null || !now.Delivery.TryGetValue(link, out var current))
        {
            return string.Empty;
        }

        var delivered = before.Delivery is not null && before.Delivery.TryGetValue(link, out var earlier) ? Math.Max(0, current.Acknowledged - earlier.Acknowledged) : 0;
        return string.Create(CultureInfo.InvariantCulture, $" (delivered {delivered}, owes {current.Backlog})");
    }

    // "7 ok" or "5 ok, 1 failing (water), 1 failed (light)".
    private static string Health(IReadOnlyList<KeyValuePair<string, string>> sensors) =>
        string.Join(", ", sensors
            .GroupBy(s => s.Value, StringComparer.Ordinal)
            .OrderBy(g => g.Key == "ok" ? 0 : 1)
            .Select(g => g.Key == "ok"
                ? $"{g.Count()} ok"
                : $"{g.Count()} {g.Key} ({string.Join(", ", g.Select(s => s.Key))})"));

    // "sensor env ok -> failing": only names present in both snapshots (one that appears later has no before).
    private static IEnumerable<string> Changes(string what, IReadOnlyList<KeyValuePair<string, string>> before, IReadOnlyList<KeyValuePair<string, string>> now)
    {
        var was = before.ToDictionary(b => b.Key, b => b.Value, StringComparer.Ordinal);
        foreach (var (name, state) in now)
        {
            if (was.TryGetValue(name, out var old) && old != state)
            {
                yield return $"{what} {name} {old} -> {state}";
            }
        }
    }
}
