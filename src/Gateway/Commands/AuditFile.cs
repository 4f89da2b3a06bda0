namespace Gateway.Commands;

/// <summary>
/// One append-only file of JSON lines, rotated by size (<c>name.1</c> is the newest old file), that never throws: a
/// write that fails (full disk, read-only mount, removed directory) is counted as lost, and the next write tries again
/// on a fresh handle, so writing resumes by itself when the cause goes away. A line cut short by the failure is ended
/// before the next one, and the first line after recovery says how many were lost and since when. Thread-safe.
/// </summary>
internal sealed class AuditFile : IDisposable
{
    private readonly Lock _lock = new();
    private readonly long _maxBytes;
    private readonly int _files;
    private readonly Func<string, Stream> _open;
    private Stream? _file;
    private DateTimeOffset? _failingSince;
    private long _lost;
    private string? _lastError;

    /// <summary>Creates the file at <paramref name="path"/> (opened on the first write).</summary>
    /// <param name="path">The current file.</param>
    /// <param name="maxBytes">Rotated before it would grow past this.</param>
    /// <param name="files">Old files kept.</param>
    /// <param name="open">Opens the file for reading and writing (tests give one that fails like a full disk).</param>
    public AuditFile(string path, long maxBytes, int files, Func<string, Stream>? open = null)
    {
        Path = path;
        _maxBytes = maxBytes;
        _files = files;
        _open = open ?? (p => new FileStream(p, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read, bufferSize: 0));
    }

    /// <summary>The current file.</summary>
    public string Path { get; }

    /// <summary>Whether the file is being written, and what was lost while it was not.</summary>
    public AuditHealth Health
    {
        get
        {
            lock (_lock)
            {
                return new AuditHealth(_failingSince, _lost, _lastError);
            }
        }
    }

    /// <summary>Appends <paramref name="line"/> (UTF-8, ending in a line feed); false when it could not be written (counted).</summary>
    /// <param name="line">The line.</param>
    /// <param name="now">The time, for the health report.</param>
    /// <param name="gapLine">Makes the line that reports lost lines when writing resumes.</param>
    public bool Append(byte[] line, DateTimeOffset now, Func<long, DateTimeOffset, byte[]> gapLine)
    {
        ArgumentNullException.ThrowIfNull(line);
        ArgumentNullException.ThrowIfNull(gapLine);
        lock (_lock)
        {
            try
            {
                var recovering = _failingSince is not null;
                _file ??= OpenAtEnd();
                var size = _file.Position; // at the end, where every write goes: no fstat per line, as Length would cost
                if (size > 0 && size + line.Length > _maxBytes)
                {
                    Rotate();
                }

                if (recovering)
                {
                    _file.Write(gapLine(_lost, _failingSince!.Value));
                }

                _file.Write(line);
                _file.Flush();
                _failingSince = null;
                _lost = 0;
                _lastError = null;
                return true;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or NotSupportedException or ObjectDisposedException)
            {
                Drop();
                _failingSince ??= now;
                _lost++;
                _lastError = ex.Message;
                return false;
            }
        }
    }

    private Stream OpenAtEnd()
    {
        var file = _open(Path);
        try
        {
            file.Seek(0, SeekOrigin.End);
            if (file.Length > 0 && file.CanRead)
            {
                CutHalfLine(file);
            }

            return file;
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>A write cut short by a full disk leaves half a line at the end: cut it off, so every line parses.</summary>
    private static void CutHalfLine(Stream file)
    {
        const int MaxLook = 64 * 1024;
        var look = (int)Math.Min(file.Length, MaxLook);
        var tail = new byte[look];
        file.Seek(-look, SeekOrigin.End);
        file.ReadExactly(tail);
        if (tail[^1] == '\n')
        {
            return;
        }

        var lastEnd = Array.LastIndexOf(tail, (byte)'\n');
        if (lastEnd >= 0 || file.Length <= MaxLook)
        {
            file.SetLength(file.Length - look + lastEnd + 1);
        }
        else
        {
            file.Seek(0, SeekOrigin.End);
            file.WriteByte((byte)'\n'); // a line longer than we look back: end it instead
        }

        file.Seek(0, SeekOrigin.End);
    }

    private void Rotate()
    {
        Drop();
        File.Delete($"{Path}.{_files}");
        for (var i = _files - 1; i >= 1; i--)
        {
            if (File.Exists($"{Path}.{i}"))
            {
                File.Move($"{Path}.{i}", $"{Path}.{i + 1}", overwrite: true);
            }
        }

        if (_files >= 1)
        {
            File.Move(Path, $"{Path}.1", overwrite: true);
        }
        else
        {
            File.Delete(Path);
        }

        _file = OpenAtEnd();
    }

    /// <summary>Lets go of the handle; a handle on a full disk may fail again while closing, which changes nothing.</summary>
    private void Drop()
    {
        var file = _file;
        _file = null;
        try
        {
            file?.Dispose();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ObjectDisposedException)
        {
            // the data it held is counted as lost by the caller
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        lock (_lock)
        {
            Drop();
        }
    }
}

/// <summary>How an audit file is doing.</summary>
/// <param name="FailingSince">Since when writes fail; null while they succeed.</param>
/// <param name="LinesLost">Lines not written since then.</param>
/// <param name="LastError">The last write's error.</param>
internal readonly record struct AuditHealth(DateTimeOffset? FailingSince, long LinesLost, string? LastError);
