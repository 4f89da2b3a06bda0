using System.Text.Json;

namespace Gateway.Console.Views;

/// <summary>A sensor in a <c>status</c> result.</summary>
internal sealed record SensorStatus(string Id, string Health, string? LastError, long Reads, long Skipped, string Interval);

/// <summary>An output in a <c>status</c> result.</summary>
internal sealed record OutputStatus(string Name, bool? On, bool Available);

/// <summary>A link in a <c>status</c> result.</summary>
internal sealed record LinkStatus(string Name, string Kind, string Target, string State, string? LastError)
{
    /// <summary>Seqs committed after the one the peer acknowledged; null for a link that keeps no place (UDP).</summary>
    public long? Backlog { get; init; }

    /// <summary>Seconds since the oldest unacknowledged reading was sampled; null when nothing is owed.</summary>
    public long? OldestSeconds { get; init; }

    /// <summary>Seconds since the peer last acknowledged, in the gateway's current run; null when it has not.</summary>
    public long? LastAckSeconds { get; init; }
}

/// <summary>The outbox figures in a <c>status</c> result.</summary>
internal sealed record OutboxStatus(long Stored, long Pending, long LastSeq, long Dropped, long Gaps, long Bytes, bool DiskTrouble);

/// <summary>
/// The data of the <c>status</c> command (docs/protocol.md, Built-in commands), read tolerantly: a field a newer
/// gateway adds is ignored, one an older gateway lacks is shown as missing rather than failing the display.
/// </summary>
internal sealed record GatewayStatus(
    string Device,
    string Version,
    long Uptime,
    string StatusLine,
    IReadOnlyList<SensorStatus> Sensors,
    IReadOnlyList<OutputStatus> Outputs,
    IReadOnlyList<LinkStatus> Links,
    OutboxStatus? Outbox)
{
    /// <summary>Reads a <c>status</c> result's <c>data</c>.</summary>
    /// <exception cref="FormatException">It is not a JSON object.</exception>
    public static GatewayStatus Parse(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        try
        {
            using var doc = JsonDocument.Parse(json);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new FormatException("a status result is a JSON object");
            }

            return new GatewayStatus(
                Str(root, "device") ?? "?",
                Str(root, "version") ?? "?",
                Num(root, "uptime"),
                Str(root, "status") ?? string.Empty,
                [.. Items(root, "sensors").Select(s => new SensorStatus(Str(s, "id") ?? "?", Str(s, "health") ?? "?", Str(s, "lastError"), Num(s, "reads"), Num(s, "skipped"), Str(s, "interval") ?? "?"))],
                [.. Items(root, "outputs").Select(o => new OutputStatus(Str(o, "name") ?? "?", Bool(o, "on"), Bool(o, "available") ?? false))],
                [.. Items(root, "links").Select(l => new LinkStatus(Str(l, "name") ?? "?", Str(l, "kind") ?? "?", Str(l, "target") ?? string.Empty, Str(l, "state") ?? "?", Str(l, "lastError"))
                {
                    Backlog = OptionalNum(l, "backlog"), OldestSeconds = OptionalNum(l, "oldestUnacknowledgedSeconds"), LastAckSeconds = OptionalNum(l, "lastAckSeconds"),
                })],
                root.TryGetProperty("outbox", out var ob) && ob.ValueKind == JsonValueKind.Object
                    ? new OutboxStatus(Num(ob, "stored"), Num(ob, "pending"), Num(ob, "lastSeq"), Num(ob, "dropped"), Num(ob, "gaps"), Num(ob, "bytes"), Bool(ob, "diskTrouble") ?? false)
                    : null);
        }
        catch (JsonException ex)
        {
            throw new FormatException($"the status result is not JSON: {ex.Message}", ex);
        }
    }

    private static List<JsonElement> Items(JsonElement root, string name) =>
        root.TryGetProperty(name, out var a) && a.ValueKind == JsonValueKind.Array ? a.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.Object).ToList() : [];

    private static string? Str(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static long Num(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out var n) ? n : 0;

    private static long? OptionalNum(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out var n) ? n : null;

    private static bool? Bool(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind is JsonValueKind.True or JsonValueKind.False ? v.GetBoolean() : null;
}
