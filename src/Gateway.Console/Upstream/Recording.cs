using System.Text;
using Gateway.Console.Cli;

namespace Gateway.Console.Upstream;

/// <summary>
/// The recording of <c>gwctl listen --record FILE</c>: appended to, one line per new reading or event (and per gap),
/// made durable (flushed and fsync'ed) before anything in it is acknowledged to a gateway, so an ack always means
/// "on disk here". An existing recording is continued: its seqs are read back first, so nothing is recorded twice
/// across runs either. A write that fails stops the recording for good and is reported; nothing after it is acked.
/// </summary>
internal sealed class Recording : IAsyncDisposable
{
    private readonly Lock _lock = new();
    private readonly SemaphoreSlim _flushLock = new(1, 1);
    private readonly FileStream _file;
    private readonly StreamWriter _writer;
    private long _written;
    private long _durable;
    private Exception? _failure;

    private Recording(string path, RecordFormat format, FileStream file, IReadOnlyList<(string Device, long Seq)> existing)
    {
        Path = path;
        Format = format;
        _file = file;
        _writer = new StreamWriter(file, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), 64 * 1024) { NewLine = "\n", AutoFlush = false };
        Existing = existing;
    }

    /// <summary>The file.</summary>
    public string Path { get; }

    /// <summary>Its format.</summary>
    public RecordFormat Format { get; }

    /// <summary>The readings and events an earlier run recorded in the file.</summary>
    public IReadOnlyList<(string Device, long Seq)> Existing { get; }

    /// <summary>Lines written by this run.</summary>
    public long Lines => Interlocked.Read(ref _written);

    /// <summary>Bytes of an incomplete last line an interrupted earlier run left, cut off at open.</summary>
    public long DroppedBytes { get; private init; }

    /// <summary>The failure that stopped the recording, if any.</summary>
    public Exception? Failure => Volatile.Read(ref _failure);

    /// <summary>Opens (or creates) the recording at <paramref name="path"/>.</summary>
    /// <exception cref="GwctlException">It cannot be read or written, or it is a CSV file that gwctl did not write.</exception>
    public static Recording Open(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var format = RecordLines.FormatOf(path);
        var existing = new List<(string, long)>();
        var isNew = true;
        long dropped = 0;
        try
        {
            if (File.Exists(path) && new FileInfo(path).Length > 0)
            {
                // A run killed mid-write can leave half a line at the end. It was never acknowledged (acks follow a
                // flush of whole lines), so the gateway still has it: cut it off rather than keep a broken line.
                dropped = TruncateIncompleteLastLine(path);
                var first = true;
                foreach (var line in File.ReadLines(path))
                {
                    if (first && format == RecordFormat.Csv && line != RecordLines.CsvHeader)
                    {
                        throw new GwctlException(ExitCodes.IoError, $"'{path}' exists and is not a gwctl CSV recording (its first line is not '{RecordLines.CsvHeader}'); choose another --record file");
                    }

                    first = false;
                    if (RecordLines.SeqOf(format, line) is { } seq)
                    {
                        existing.Add(seq);
                    }
                }

                isNew = new FileInfo(path).Length == 0;
            }

            var file = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read, 1, FileOptions.None);
            var recording = new Recording(path, format, file, existing) { DroppedBytes = dropped };
            if (isNew && format == RecordFormat.Csv)
            {
                recording._writer.WriteLine(RecordLines.CsvHeader);
            }

            return recording;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new GwctlException(ExitCodes.IoError, $"cannot record to '{path}': {ex.Message}", ex);
        }
    }

    // Cuts the file back to just after its last newline; returns how many bytes went.
    private static long TruncateIncompleteLastLine(string path)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.ReadWrite);
        var length = file.Length;
        var buffer = new byte[64 * 1024];
        var end = length;
        while (end > 0)
        {
            var start = Math.Max(0, end - buffer.Length);
            file.Seek(start, SeekOrigin.Begin);
            file.ReadExactly(buffer, 0, (int)(end - start));
            var newline = Array.LastIndexOf(buffer, (byte)'\n', (int)(end - start) - 1);
            if (newline >= 0)
            {
                var keep = start + newline + 1;
                if (keep < length)
                {
                    file.SetLength(keep);
                }

                return length - keep;
            }

            end = start;
        }

        file.SetLength(0); // not one whole line
        return length;
    }

    /// <summary>Appends one line (buffered; durable after the next <see cref="FlushAsync"/>).</summary>
    /// <exception cref="IOException">The recording failed (now or earlier).</exception>
    public void Write(string line)
    {
        lock (_lock)
        {
            ThrowIfFailed();
            try
            {
                _writer.WriteLine(line);
                _written++;
            }
            catch (IOException ex)
            {
                Volatile.Write(ref _failure, ex);
                throw;
            }
        }
    }

    /// <summary>Makes everything written so far durable: flushed to the file and fsync'ed. Concurrent calls share one sync.</summary>
    /// <exception cref="IOException">The recording failed.</exception>
    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        await _flushLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            long target;
            lock (_lock)
            {
                ThrowIfFailed();
                target = _written;
                if (target == _durable)
                {
                    return; // nothing new: another caller's sync covered it
                }

                try
                {
                    _writer.Flush();
                }
                catch (IOException ex)
                {
                    Volatile.Write(ref _failure, ex);
                    throw;
                }
            }

            try
            {
                _file.Flush(flushToDisk: true); // fsync(2): an ack promises the reading is stored
            }
            catch (IOException ex)
            {
                Volatile.Write(ref _failure, ex);
                throw;
            }

            _durable = target;
        }
        finally
        {
            _flushLock.Release();
        }
    }

    private void ThrowIfFailed()
    {
        if (Volatile.Read(ref _failure) is { } failure)
        {
            throw new IOException($"the recording failed earlier: {failure.Message}", failure);
        }
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        try
        {
            if (Failure is null)
            {
                await FlushAsync(CancellationToken.None).ConfigureAwait(false);
            }
        }
        catch (IOException)
        {
            // reported through Failure
        }

        try
        {
            await _writer.DisposeAsync().ConfigureAwait(false);
        }
        catch (IOException)
        {
            // a failed recording may not flush its buffer: what it held was never acknowledged
        }

        _flushLock.Dispose();
    }
}
