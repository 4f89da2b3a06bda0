using System.Text.Json;

namespace Gateway.IntegrationTests.Siege;

/// <summary>
/// The command audit as the gateway left it: <c>&lt;state&gt;/audit.log</c> and its rotations (<c>audit.log.1</c> is
/// the newest old file), one JSON object per line. Lines that are not JSON, or whose strings cannot be read (a lone
/// surrogate the gateway wrote escaped), are counted, not skipped silently.
/// </summary>
internal sealed class AuditTrail
{
    private readonly Dictionary<string, List<(string Outcome, bool Duplicate)>> _byId = new(StringComparer.Ordinal);

    private AuditTrail()
    {
    }

    /// <summary>Audit files found.</summary>
    public int Files { get; private set; }

    /// <summary>Lines read, in all files.</summary>
    public int Lines { get; private set; }

    /// <summary>Lines that could not be read as an audit record.</summary>
    public int Unreadable { get; private set; }

    /// <summary>Reads every audit file in <paramref name="stateDirectory"/>.</summary>
    public static AuditTrail Read(string stateDirectory)
    {
        var trail = new AuditTrail();
        var current = Path.Combine(stateDirectory, "audit.log");
        var files = new[] { current }.Concat(Enumerable.Range(1, 100).Select(i => $"{current}.{i}")).Where(File.Exists).ToList();
        trail.Files = files.Count;
        foreach (var file in files)
        {
            foreach (var line in File.ReadLines(file))
            {
                trail.Lines++;
                trail.Add(line);
            }
        }

        return trail;
    }

    /// <summary>How many times the command <paramref name="id"/> ran (outcome ok, not a repeat answered from memory).</summary>
    public int Runs(string id) => _byId.TryGetValue(id, out var records) ? records.Count(r => r.Outcome == "ok" && !r.Duplicate) : 0;

    /// <summary>Ids that ran more than once.</summary>
    public IEnumerable<string> RanTwice() => _byId.Where(p => p.Value.Count(r => r.Outcome == "ok" && !r.Duplicate) > 1).Select(p => p.Key);

    private void Add(string line)
    {
        try
        {
            using var record = JsonDocument.Parse(line);
            var root = record.RootElement;
            var id = root.TryGetProperty("id", out var i) && i.ValueKind == JsonValueKind.String ? i.GetString() : null;
            var outcome = root.TryGetProperty("outcome", out var o) && o.ValueKind == JsonValueKind.String ? o.GetString() : null;
            var duplicate = root.TryGetProperty("duplicate", out var d) && d.ValueKind == JsonValueKind.True;
            if (id is null || outcome is null)
            {
                return; // a summary line or a refusal without an id
            }

            if (!_byId.TryGetValue(id, out var records))
            {
                _byId[id] = records = [];
            }

            records.Add((outcome, duplicate));
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            Unreadable++;
        }
    }
}
