using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace Gateway.Commands;

/// <summary>
/// The command audit: every command, accepted or refused, as a structured log event and as one JSON line in
/// <c>&lt;state&gt;/audit.log</c>, rotated by size (audit.log.1 is the newest old file). Never holds secrets: the key
/// id, not the key; the arguments, which carry none.
/// </summary>
internal sealed partial class AuditLog : IDisposable
{
    private readonly Lock _lock = new();
    private readonly string _path;
    private readonly long _maxBytes;
    private readonly int _files;
    private readonly ILogger _logger;
    private FileStream? _file;
    private bool _failed;

    /// <summary>Creates the audit in <paramref name="directory"/>.</summary>
    public AuditLog(string directory, long maxBytes, int files, ILogger<AuditLog> logger)
    {
        _path = Path.Combine(directory, "audit.log");
        _maxBytes = maxBytes;
        _files = files;
        _logger = logger;
    }

    /// <summary>The current audit file.</summary>
    public string FilePath => _path;

    /// <summary>One audit record.</summary>
    /// <param name="At">When the command arrived.</param>
    /// <param name="Link">The link it came on.</param>
    /// <param name="Peer">The sender's address.</param>
    /// <param name="Key">The key id it named.</param>
    /// <param name="Id">Its id.</param>
    /// <param name="Name">The command's name.</param>
    /// <param name="Args">Its arguments as JSON text (null when too large to keep).</param>
    /// <param name="Outcome"><c>ok</c> or the result code.</param>
    /// <param name="Detail">The result's message.</param>
    /// <param name="Milliseconds">How long it took.</param>
    /// <param name="Duplicate">True for a repeat answered with the first result.</param>
    /// <param name="Authenticated">True when the command carried a valid signature of a configured key.</param>
    public readonly record struct Entry(
        DateTimeOffset At, string Link, string Peer, string? Key, string? Id, string? Name, string? Args, string Outcome, string? Detail, double Milliseconds, bool Duplicate, bool Authenticated);

    /// <summary>Records <paramref name="entry"/>.</summary>
    public void Record(in Entry entry)
    {
        if (_logger.IsEnabled(LogLevel.Information))
        {
            // Escaped: ids, names and details may come from an unauthenticated sender (ESC sequences, lone surrogates).
            var id = LogText.Escape(entry.Id);
            var name = LogText.Escape(entry.Name);
            var key = LogText.Escape(entry.Key);
            var peer = LogText.Escape(entry.Peer)!;
            var detail = LogText.Escape(entry.Detail);
            if (entry.Outcome == "ok")
            {
                LogAccepted(_logger, id, name, key, entry.Link, peer, entry.Milliseconds, entry.Duplicate);
            }
            else
            {
                LogRefused(_logger, id, name, key, entry.Link, peer, entry.Outcome, detail, entry.Milliseconds);
            }
        }

        var line = Serialize(entry);
        lock (_lock)
        {
            try
            {
                _file ??= Open();
                if (_file.Length > 0 && _file.Length + line.Length > _maxBytes)
                {
                    Rotate();
                }

                _file.Write(line);
                _file.Flush();
                _failed = false;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                _file?.Dispose();
                _file = null;
                if (!_failed)
                {
                    LogFileFailed(_logger, _path, ex.Message); // the structured log above still has the record
                    _failed = true;
                }
            }
        }
    }

    private FileStream Open() => new(_path, FileMode.Append, FileAccess.Write, FileShare.Read, 4096, FileOptions.None);

    private void Rotate()
    {
        _file!.Dispose();
        _file = null;
        File.Delete($"{_path}.{_files}");
        for (var i = _files - 1; i >= 1; i--)
        {
            if (File.Exists($"{_path}.{i}"))
            {
                File.Move($"{_path}.{i}", $"{_path}.{i + 1}");
            }
        }

        File.Move(_path, $"{_path}.1");
        _file = Open();
    }

    private static byte[] Serialize(in Entry e)
    {
        try
        {
            return SerializeAsIs(e);
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or JsonException)
        {
            // Text no UTF-8 can carry (a lone surrogate) or args that are not JSON: keep the record, escaped.
            return SerializeAsIs(
                e with
                {
                    Key = LogText.Escape(e.Key), Id = LogText.Escape(e.Id), Name = LogText.Escape(e.Name), Peer = LogText.Escape(e.Peer)!,
                    Detail = LogText.Escape(e.Detail), Args = LogText.Escape(e.Args),
                },
                argsAsText: true);
        }
    }

    private static byte[] SerializeAsIs(in Entry e, bool argsAsText = false)
    {
        using var buffer = new MemoryStream(256);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("ts", e.At.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture));
            json.WriteString("link", e.Link);
            json.WriteString("peer", e.Peer);
            json.WriteString("key", e.Key);
            json.WriteString("id", e.Id);
            json.WriteString("name", e.Name);
            if (e.Args is not null && argsAsText)
            {
                json.WriteString("argsText", e.Args); // not JSON that can be kept as it came: the escaped text instead
            }
            else if (e.Args is not null)
            {
                json.WritePropertyName("args");
                json.WriteRawValue(e.Args, skipInputValidation: false);
            }

            json.WriteString("outcome", e.Outcome);
            if (e.Detail is not null)
            {
                json.WriteString("detail", e.Detail);
            }

            if (e.Duplicate)
            {
                json.WriteBoolean("duplicate", true);
            }

            json.WriteNumber("ms", Math.Round(e.Milliseconds, 3));
            json.WriteEndObject();
        }

        buffer.WriteByte((byte)'\n');
        return buffer.ToArray();
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        lock (_lock)
        {
            _file?.Dispose();
            _file = null;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Command {CommandId} {CommandName} by key {KeyId} on {Link} from {Peer}: ok in {DurationMs:0.0} ms (repeat: {Duplicate})")]
    private static partial void LogAccepted(ILogger logger, string? commandId, string? commandName, string? keyId, string link, string peer, double durationMs, bool duplicate);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Command {CommandId} {CommandName} by key {KeyId} on {Link} from {Peer}: refused, {Outcome}: {Detail} ({DurationMs:0.0} ms)")]
    private static partial void LogRefused(ILogger logger, string? commandId, string? commandName, string? keyId, string link, string peer, string outcome, string? detail, double durationMs);

    [LoggerMessage(Level = LogLevel.Error, Message = "Audit file {Path} cannot be written: {Error}; audit records continue in the log only until it can")]
    private static partial void LogFileFailed(ILogger logger, string path, string error);
}
