using System.Globalization;
using System.Text;
using System.Text.Json;
using Gateway.Protocol;

namespace Gateway.Commands;

/// <summary>
/// The replay memory on disk (issue 14, finding 5): <c>&lt;state&gt;/replay.log</c>, one JSON line per command admitted
/// (key, id, nonce, digest of what it runs — written before it runs) and one per result, so a signed command captured
/// and sent again after a restart, within the <c>ClockSkew</c> window, is still a repeat. Loaded at start, keeping only
/// entries still inside the window, and rewritten compacted (a temporary file renamed over the old one, so a crash
/// leaves either file whole); compacted again while running whenever it passes <see cref="MaxBytes"/>.
/// <para>
/// Group commit (issue 17, item 5): a line is written to the file (the kernel's page cache: a killed process loses
/// nothing) before the command runs, and synced to the disk at most <see cref="SyncDelay"/> later, once for every line
/// written meanwhile, instead of an fsync on every command's path (10–15 ms here; more on an SD card). A power loss can
/// therefore forget the last moment's commands; a clean stop writes a <c>closed</c> line last, and a start that does not
/// find one reports <see cref="LastStopWasClean"/> false, so the pipeline refuses commands signed before that start
/// (<see cref="CommandPipeline"/>): nothing admitted before the crash can run a second time.
/// </para>
/// A line that does not parse (a crash mid-write) is skipped. Writing never throws: a failure is counted and reported
/// in <see cref="Trouble"/>; the memory in the running process still protects. Not thread-safe on its own (the pipeline
/// serialises calls).
/// </summary>
internal sealed class ReplayJournal : IDisposable
{
    /// <summary>The file is compacted when it grows past this.</summary>
    public const long MaxBytes = 8 * 1024 * 1024;

    /// <summary>How long an admitted command's line may wait in the page cache before the journal is synced to disk.</summary>
    public static readonly TimeSpan SyncDelay = TimeSpan.FromMilliseconds(200);

    private readonly Lock _lock = new();
    private readonly string _path;
    private readonly TimeProvider _time;
    private readonly ITimer _sync;
    private FileStream? _file;
    private Microsoft.Win32.SafeHandles.SafeFileHandle? _handle; // _file's, taken once where it is opened (for the group commit)
    private bool _syncPending;
    private string? _trouble;

    /// <summary>Creates the journal in <paramref name="directory"/>; <paramref name="time"/> schedules its group commits.</summary>
    public ReplayJournal(string directory, TimeProvider time)
    {
        _path = Path.Combine(directory, "replay.log");
        _time = time ?? throw new ArgumentNullException(nameof(time));
        _sync = time.CreateTimer(static state => ((ReplayJournal)state!).Sync(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    /// <summary>
    /// Whether the last run ended with a clean stop (its <c>closed</c> line is the file's last), or there was no file;
    /// false after a crash, a power loss or a kill, and when the file could not be read: known after <see cref="Load"/>.
    /// </summary>
    public bool LastStopWasClean { get; private set; } = true;

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
                LastStopWasClean = true;
                return [];
            }

            var closed = false;
            foreach (var line in File.ReadLines(_path))
            {
                if (!string.IsNullOrWhiteSpace(line))
                {
                    closed = Apply(line, admitted, order); // only as the last line: anything after it was written by a later run
                }
            }

            LastStopWasClean = closed;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            LastStopWasClean = false; // what it held is unknown: as after a crash
            lock (_lock)
            {
                _trouble = $"{_path} cannot be read: {ex.Message}";
            }
        }

        return [.. order.Where(admitted.ContainsKey).Select(k => admitted[k])];
    }

    // Takes one line into the memory; true when it is the closed line a clean stop writes last.
    private static bool Apply(string line, Dictionary<(string Key, string Id), ReplayGuard.Remembered> admitted, List<(string Key, string Id)> order)
    {
        try
        {
            using var doc = JsonDocument.Parse(line);
            var root = doc.RootElement;
            if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("closed", out _))
            {
                return true;
            }

            var key = root.GetProperty("key").GetString()!;
            var id = root.GetProperty("id").GetString()!;
            if (root.TryGetProperty("result", out var result))
            {
                if (admitted.TryGetValue((key, id), out var r) && MessageParser.Parse(Encoding.UTF8.GetBytes(result.GetString()!)) is ResultMessage parsed)
                {
                    admitted[(key, id)] = r with { Result = parsed };
                }

                return false;
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

        return false;
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

    /// <summary>
    /// Remembers an admitted command in the file before it runs, synced to disk within <see cref="SyncDelay"/>
    /// together with whatever else is written meanwhile; false when it could not be written.
    /// </summary>
    public bool Admitted(ReplayGuard.Remembered r, out bool wantsCompaction) => Append(AdmitLine(r), sync: true, out wantsCompaction);

    /// <summary>Remembers a command's result (synced only along with an admission: a result lost in a crash is answered as "may have run").</summary>
    public bool Finished(string key, string id, ResultMessage result) => Append(ResultLine(key, id, result), sync: false, out _);

    private bool Append(byte[] line, bool sync, out bool wantsCompaction)
    {
        lock (_lock)
        {
            wantsCompaction = false;
            try
            {
                OpenForAppend();
                _file!.Write(line); // unbuffered: in the kernel when this returns
                _trouble = null;
                wantsCompaction = _file.Position > MaxBytes; // appending: the position is the length, without an fstat
                if (sync && !_syncPending)
                {
                    _syncPending = true;
                    _sync.Change(SyncDelay, Timeout.InfiniteTimeSpan);
                }

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

    /// <summary>The group commit: one fsync for every line written since the last (on the timer's thread, off every command's path).</summary>
    private void Sync()
    {
        Microsoft.Win32.SafeHandles.SafeFileHandle? handle;
        lock (_lock)
        {
            _syncPending = false;
            handle = _handle;
        }

        try
        {
            // Outside the lock: a command admitted meanwhile writes its line without waiting for the disk.
            if (handle is not null)
            {
                RandomAccess.FlushToDisk(handle);
            }
        }
        catch (ObjectDisposedException)
        {
            // closed meanwhile by a rewrite (which synced its own file) or by the stop (which syncs the closed line)
        }
        catch (IOException ex)
        {
            lock (_lock)
            {
                _trouble = $"{_path} cannot be synced to disk: {ex.Message}";
            }
        }
    }

    private static byte[] AdmitLine(ReplayGuard.Remembered r) => JsonLine.Build(json =>
    {
        json.WriteString("at", r.At.UtcDateTime.ToString("O", CultureInfo.InvariantCulture));
        json.WriteString("key", r.Key);
        json.WriteString("id", r.Id);
        json.WriteString("nonce", r.Nonce);
        json.WriteString("content", r.Content);
    });

    private static byte[] ResultLine(string key, string id, ResultMessage result)
    {
        var text = MessageWriter.ToJson(result); // before the line, not inside it: a nested line takes a buffer of its own
        return JsonLine.Build(json =>
        {
            json.WriteString("key", key);
            json.WriteString("id", id);
            json.WriteString("result", text);
        });
    }

    private void OpenForAppend()
    {
        if (_file is null)
        {
            _file = new FileStream(_path, FileMode.Append, FileAccess.Write, FileShare.Read, bufferSize: 0);
            _handle = _file.SafeFileHandle;
        }
    }

    private void Close()
    {
        var file = _file;
        _file = null;
        _handle = null;
        try
        {
            file?.Dispose();
        }
        catch (IOException)
        {
            // a handle on a full disk may fail again while closing
        }
    }

    /// <summary>Ends a clean stop: the <c>closed</c> line goes last and everything is synced, so the next start trusts the file.</summary>
    public void Dispose()
    {
        _sync.Dispose();
        lock (_lock)
        {
            try
            {
                OpenForAppend();
                _file!.Write(JsonLine.Build(json => json.WriteString("closed", _time.GetUtcNow().UtcDateTime.ToString("O", CultureInfo.InvariantCulture))));
                _file.Flush(flushToDisk: true);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // the next start finds no closed line and treats this stop as unclean: the safe side
            }

            Close();
        }
    }
}
