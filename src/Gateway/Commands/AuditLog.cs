using System.Text.Json;
using Gateway.Protocol;
using Microsoft.Extensions.Logging;

namespace Gateway.Commands;

/// <summary>
/// The command audit: every command, accepted or refused, as a structured log event and as one JSON line in
/// <c>&lt;state&gt;/audit.log</c>, rotated by size (audit.log.1 is the newest old file). Never holds secrets: the key
/// id, not the key; the arguments, which carry none.
/// </summary>
/// <summary>
/// The command audit: every command as a structured log event and in files under the state directory, rotated by size
/// (audit.log.1 is the newest old file). Commands that carry a valid signature — accepted or refused — get one JSON line
/// each in <c>audit.log</c>. Refusals of commands without one (anyone can send those, as fast as the rate limits allow)
/// are counted per source and interval (<see cref="RefusalSummary"/>): the first from a source in an interval is logged
/// in full, and one summary line per source and interval goes to <c>audit-unauthenticated.log</c>, a file of its own, so
/// no flood can push an operator's command out of <c>audit.log</c> (issue 14, finding 4). Writing never throws: a file
/// that cannot be written is reported in each command's log line and in <see cref="Health"/> (the <c>status</c> command)
/// and recovers by itself (finding 3). Never holds secrets: the key id, not the key; the arguments, which carry none.
/// </summary>
internal sealed partial class AuditLog : IDisposable
{
    /// <summary>How long one summary of unauthenticated refusals covers.</summary>
    public static readonly TimeSpan SummaryInterval = TimeSpan.FromMinutes(1);

    /// <summary>Most sources of unauthenticated refusals tracked at once; more are summarised together.</summary>
    public const int MaxSummarySources = 256;

    private readonly Lock _lock = new();
    private readonly AuditFile _file;
    private readonly AuditFile _unauthenticated;
    private readonly RefusalSummary _summary = new(SummaryInterval, MaxSummarySources);
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly ITimer _flush;
    private long _refusedUnauthenticated;

    /// <summary>Creates the audit in <paramref name="directory"/>.</summary>
    /// <param name="directory">The state directory.</param>
    /// <param name="maxBytes">Each file is rotated before it would grow past this.</param>
    /// <param name="files">Old files kept of each.</param>
    /// <param name="logger">Where every record is logged too.</param>
    /// <param name="time">The clock (summaries are written when their interval ends).</param>
    /// <param name="open">Opens a file (tests give one that fails like a full disk).</param>
    public AuditLog(string directory, long maxBytes, int files, ILogger<AuditLog> logger, TimeProvider? time = null, Func<string, Stream>? open = null)
    {
        _file = new AuditFile(Path.Combine(directory, "audit.log"), maxBytes, files, open);
        _unauthenticated = new AuditFile(Path.Combine(directory, "audit-unauthenticated.log"), maxBytes, files, open);
        _logger = logger;
        _time = time ?? TimeProvider.System;
        _flush = _time.CreateTimer(_ => WriteDueSummaries(all: false), null, SummaryInterval, SummaryInterval);
    }

    /// <summary>The current audit file (commands with a valid signature).</summary>
    public string FilePath => _file.Path;

    /// <summary>The current file of summaries of unauthenticated refusals.</summary>
    public string UnauthenticatedFilePath => _unauthenticated.Path;

    /// <summary>Whether <see cref="FilePath"/> is being written, and what was lost while it was not.</summary>
    public AuditHealth Health => _file.Health;

    /// <summary>Refusals of commands without a valid signature since the start (summarised, not written one by one).</summary>
    public long RefusedUnauthenticated => Interlocked.Read(ref _refusedUnauthenticated);

    /// <summary>One line on the audit for the status: <c>ok</c>, or since when it fails and how much was lost.</summary>
    public string Describe() => Describe(_file.Health);

    private static string Describe(AuditHealth h) => h.FailingSince is { } since
        ? $"audit file failing since {since.UtcDateTime:yyyy-MM-dd'T'HH:mm:ss'Z'}, {h.LinesLost} lines lost ({h.LastError})"
        : "ok";

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

    /// <summary>Records <paramref name="entry"/>; never throws.</summary>
    public void Record(in Entry entry)
    {
        var now = _time.GetUtcNow();
        if (!entry.Authenticated && entry.Outcome != "ok")
        {
            bool first;
            lock (_lock)
            {
                first = _summary.Count(entry.Link, entry.Peer, entry.Outcome, entry.Args?.Length ?? 0, now);
            }

            Interlocked.Increment(ref _refusedUnauthenticated);
            if (first)
            {
                Log(entry, $"further refusals of unauthenticated commands from this source are summarised once per {SummaryInterval.TotalSeconds:0}s in {Path.GetFileName(_unauthenticated.Path)}");
            }

            WriteDueSummaries(all: false);
            return;
        }

        _file.Append(Serialize(entry), now, GapLine);
        var health = _file.Health;
        Log(entry, health.FailingSince is null ? null : Describe(health));
    }

    private void Log(in Entry entry, string? note)
    {
        if (!_logger.IsEnabled(LogLevel.Information))
        {
            return;
        }

        // Escaped: ids, names and details may come from an unauthenticated sender (ESC sequences, lone surrogates).
        var id = LogText.Escape(entry.Id);
        var name = LogText.Escape(entry.Name);
        var key = LogText.Escape(entry.Key);
        var peer = LogText.Escape(entry.Peer)!;
        var detail = LogText.Escape(entry.Detail);
        var audit = note is null ? string.Empty : $"; {note}";
        if (entry.Outcome == "ok")
        {
            LogAccepted(_logger, id, name, key, entry.Link, peer, entry.Milliseconds, entry.Duplicate, audit);
        }
        else
        {
            LogRefused(_logger, id, name, key, entry.Link, peer, entry.Outcome, detail, entry.Milliseconds, audit);
        }
    }

    private void WriteDueSummaries(bool all)
    {
        try
        {
            IReadOnlyList<RefusalSummary.Summary> due;
            lock (_lock)
            {
                due = _summary.TakeDue(_time.GetUtcNow(), all);
            }

            foreach (var s in due)
            {
                var codes = string.Join(", ", s.Codes.OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => $"{c.Key} {c.Value}"));
                LogSummary(_logger, s.Count, s.Link, LogText.Escape(s.Source)!, s.From.UtcDateTime, s.To.UtcDateTime, codes);
                _unauthenticated.Append(SerializeSummary(s), _time.GetUtcNow(), GapLine);
            }
        }
        catch (Exception ex) when (ex is IOException or InvalidOperationException or ObjectDisposedException)
        {
            LogSummaryFailed(_logger, ex.Message); // never out of a timer or a command
        }
    }

    private static byte[] GapLine(long lost, DateTimeOffset since) => JsonLine.Build(json =>
    {
        json.WriteString("ts", Timestamp(since));
        json.WriteString("outcome", "audit_gap");
        json.WriteString("detail", $"{lost} audit lines lost while the file could not be written (since {Timestamp(since)}); they are in the log");
    });

    private static byte[] SerializeSummary(RefusalSummary.Summary s) => JsonLine.Build(json =>
    {
        json.WriteString("ts", Timestamp(s.From));
        json.WriteString("to", Timestamp(s.To));
        json.WriteString("link", s.Link);
        json.WriteString("source", LogText.Escape(s.Source));
        json.WriteString("outcome", "unauthenticated_refusals");
        json.WriteNumber("count", s.Count);
        json.WriteStartObject("codes");
        foreach (var (code, n) in s.Codes.OrderBy(c => c.Key, StringComparer.Ordinal))
        {
            json.WriteNumber(code, n);
        }

        json.WriteEndObject();
        json.WriteNumber("argsBytes", s.Bytes);
    });

    private static string Timestamp(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture);

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

    private static byte[] SerializeAsIs(Entry e, bool argsAsText = false) => JsonLine.Build(json =>
    {
        json.WriteString("ts", Timestamp(e.At));
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
    });

    /// <inheritdoc/>
    public void Dispose()
    {
        _flush.Dispose();
        WriteDueSummaries(all: true);
        _file.Dispose();
        _unauthenticated.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Command {CommandId} {CommandName} by key {KeyId} on {Link} from {Peer}: ok in {DurationMs:0.0} ms (repeat: {Duplicate}){Audit}")]
    private static partial void LogAccepted(ILogger logger, string? commandId, string? commandName, string? keyId, string link, string peer, double durationMs, bool duplicate, string audit);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Command {CommandId} {CommandName} by key {KeyId} on {Link} from {Peer}: refused, {Outcome}: {Detail} ({DurationMs:0.0} ms){Audit}")]
    private static partial void LogRefused(ILogger logger, string? commandId, string? commandName, string? keyId, string link, string peer, string outcome, string? detail, double durationMs, string audit);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused {Count} unauthenticated commands on {Link} from {Source} between {From:O} and {To:O}: {Codes}")]
    private static partial void LogSummary(ILogger logger, long count, string link, string source, DateTime from, DateTime to, string codes);

    [LoggerMessage(Level = LogLevel.Error, Message = "Summaries of unauthenticated refusals could not be written: {Error}")]
    private static partial void LogSummaryFailed(ILogger logger, string error);
}
