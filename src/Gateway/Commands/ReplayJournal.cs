using System.Globalization;
using System.Text;
using System.Text.Json;
using Gateway.Protocol;

namespace Gateway.Commands;

/// <summary>
/// The replay memory on disk (issue 14, finding 5): <c>&lt;state&gt;/replay.log</c>, one JSON line per command admitted
/// (key, id, nonce, digest of what it runs — written and synced to disk before it runs) and one per result, so a signed
/// command captured and sent again after a restart, within the <c>ClockSkew</c> window, is still a repeat. Loaded at
/// start, keeping only entries still inside the window, and rewritten compacted (a temporary file renamed over the old
/// one, so a crash leaves either file whole); compacted again while running whenever it passes <see cref="MaxBytes"/>.
/// A line that does not parse (a crash mid-write) is skipped. Writing never throws: a failure is counted and reported
/// in <see cref="Trouble"/>; the memory in the running process still protects. Not thread-safe on its own (the pipeline
/// serialises calls).
/// </summary>
internal sealed class ReplayJournal : IDisposable
{
    /// <summary>The file is compacted when it grows past this.</summary>
    public const long MaxBytes = 8 * 1024 * 1024;

    private readonly Lock _lock = new();
    private readonly string _path;
    private FileStream? _file;
    private string? _trouble;

    /// <summary>Creates the journal in <paramref name="directory"/>.</summary>
    public ReplayJournal(string directory) => _path = Path.Combine(directory, "replay.log");

    /// <summary>Why the journal cannot be written, or null while it can.</summary>
    public string? Trouble
    {
        get
        {
            lock (_lock)
            {
                return _trouble;
            }
        }
    }

    /// <summary>Reads what was remembered before this start, oldest first.</summary>
    public IReadOnlyList<ReplayGuard.Remembered> Load()
    {
        var admitted = new Dictionary<(string Key, string Id), ReplayGuard.Remembered>();
        var order = new List<(string Key, string Id)>();
        try
        {
            if (!File.Exists(_path))
            {
                return [];
            }

            foreach (var line in File.ReadLines(_path))
            {
                Apply(line, admitted, order);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            lock (_lock)
            {
                _trouble = $"{_path} cannot be read: {ex.Message}";
            }
        }

        return [.. order.Where(admitted.ContainsKey).Select(k => admitted[k])];
    }

    private static void Apply(string line, Dictionary<(string Key, string Id), ReplayGuard.Remembered> admitted, List<(string Key, string Id)> order)
    {
        try
        {
            using var doc = JsonDocument.Parse(line);
            var root = doc.RootElement;
            var key = root.GetProperty("key").GetString()!;
            var id = root.GetProperty("id").GetString()!;
            if (root.TryGetProperty("result", out var result))
            {
                if (admitted.TryGetValue((key, id), out var r) && MessageParser.Parse(Encoding.UTF8.GetBytes(result.GetString()!)) is ResultMessage parsed)
                {
                    admitted[(key, id)] = r with { Result = parsed };
                }

                return;
            }

            var at = DateTimeOffset.Parse(root.GetProperty("at").GetString()!, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
            if (admitted.TryAdd((key, id), new ReplayGuard.Remembered(at, key, id, root.GetProperty("nonce").GetString()!, root.GetProperty("content").GetString()!, null)))
            {
                order.Add((key, id));
            }
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or FormatException or NullReferenceException)
        {
            // a line cut short by a crash or a full disk: the others still count
        }
    }

    /// <summary>Writes the whole memory afresh (at start, and when the file grows past <see cref="MaxBytes"/>).</summary>
    public void Rewrite(IReadOnlyList<ReplayGuard.Remembered> remembered)
    {
        ArgumentNullException.ThrowIfNull(remembered);
        lock (_lock)
        {
            var temporary = _path + ".new";
            try
            {
                Close();
                using (var file = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None))
                {
                    foreach (var r in remembered)
                    {
                        file.Write(AdmitLine(r));
                        if (r.Result is { } result)
                        {
                            file.Write(ResultLine(r.Key, r.Id, result));
                        }
                    }

                    file.Flush(flushToDisk: true);
                }

                File.Move(temporary, _path, overwrite: true);
                _trouble = null;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                _trouble = $"{_path} cannot be written: {ex.Message}";
            }
        }
    }

    /// <summary>Remembers an admitted command on disk before it runs; false when it could not be written.</summary>
    public bool Admitted(ReplayGuard.Remembered r, out bool wantsCompaction) => Append(AdmitLine(r), sync: true, out wantsCompaction);

    /// <summary>Remembers a command's result (not synced: a result lost in a crash is answered as "may have run").</summary>
    public bool Finished(string key, string id, ResultMessage result) => Append(ResultLine(key, id, result), sync: false, out _);

    private bool Append(byte[] line, bool sync, out bool wantsCompaction)
    {
        lock (_lock)
        {
            wantsCompaction = false;
            try
            {
                _file ??= new FileStream(_path, FileMode.Append, FileAccess.Write, FileShare.Read, bufferSize: 0);
                _file.Write(line);
                _file.Flush(flushToDisk: sync);
                _trouble = null;
                wantsCompaction = _file.Length > MaxBytes;
                return true;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                Close();
                _trouble = $"{_path} cannot be written: {ex.Message}";
                return false;
            }
        }
    }

    private static byte[] AdmitLine(ReplayGuard.Remembered r) => Line(json =>
    {
        json.WriteString("at", r.At.UtcDateTime.ToString("O", CultureInfo.InvariantCulture));
        json.WriteString("key", r.Key);
        json.WriteString("id", r.Id);
        json.WriteString("nonce", r.Nonce);
        json.WriteString("content", r.Content);
    });

    private static byte[] ResultLine(string key, string id, ResultMessage result) => Line(json =>
    {
        json.WriteString("key", key);
        json.WriteString("id", id);
        json.WriteString("result", MessageWriter.ToJson(result));
    });

    private static byte[] Line(Action<Utf8JsonWriter> write)
    {
        using var buffer = new MemoryStream(256);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            write(json);
            json.WriteEndObject();
        }

        buffer.WriteByte((byte)'\n');
        return buffer.ToArray();
    }

    private void Close()
    {
        var file = _file;
        _file = null;
        try
        {
            file?.Dispose();
        }
        catch (IOException)
        {
            // a handle on a full disk may fail again while closing
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        lock (_lock)
        {
            Close();
        }
    }
}
