using Gateway.Console.Views;
using Gateway.Protocol;

namespace Gateway.Console.Upstream;

/// <summary>
/// <c>gwctl listen</c> without a terminal (or with <c>--json</c>): one line per new reading or event on stdout — text,
/// or the protocol message as JSON — and notices on stderr, so stdout stays machine-readable.
/// </summary>
internal sealed class LineListenOutput : IListenOutput
{
    private readonly TextWriter _out;
    private readonly TextWriter _error;
    private readonly bool _json;
    private readonly Lock _lock = new();

    public LineListenOutput(TextWriter stdout, TextWriter stderr, bool json)
    {
        _out = stdout;
        _error = stderr;
        _json = json;
    }

    /// <inheritdoc/>
    public void Reading(Message message)
    {
        var line = _json ? MessageWriter.ToJson(message) : Formats.Line(message);
        lock (_lock)
        {
            _out.WriteLine(line);
            _out.Flush();
        }
    }

    /// <inheritdoc/>
    public void Notice(NoticeLevel level, string text)
    {
        lock (_lock)
        {
            _error.WriteLine($"gwctl: {Formats.OneLine(text)}");
            _error.Flush();
        }
    }
}

/// <summary><c>gwctl listen</c> on a terminal: notices are kept for the live view (the latest few); readings are in the device book.</summary>
internal sealed class LiveListenOutput : IListenOutput
{
    /// <summary>Notices kept.</summary>
    public const int Kept = 6;

    private readonly Queue<(NoticeLevel, DateTimeOffset, string)> _notices = new();
    private readonly TimeProvider _time;
    private readonly Lock _lock = new();

    public LiveListenOutput(TimeProvider time) => _time = time;

    /// <inheritdoc/>
    public void Reading(Message message)
    {
    }

    /// <inheritdoc/>
    public void Notice(NoticeLevel level, string text)
    {
        lock (_lock)
        {
            _notices.Enqueue((level, _time.GetUtcNow(), text));
            while (_notices.Count > Kept)
            {
                _notices.Dequeue();
            }
        }
    }

    /// <summary>The notices kept, oldest first.</summary>
    public IReadOnlyList<(NoticeLevel Level, DateTimeOffset At, string Text)> Notices
    {
        get
        {
            lock (_lock)
            {
                return [.. _notices];
            }
        }
    }
}
