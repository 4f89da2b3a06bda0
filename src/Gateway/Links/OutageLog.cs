namespace Gateway.Links;

/// <summary>
/// What a link that is down writes to the log: its first failure and every change of what is wrong, then at most one
/// summary a minute while it stays down; and, once it is up again, how long the outage lasted. A link retries with
/// backoff, and a warning per retry buried everything else (120 lines in 2.5 minutes for one unplugged upstream,
/// issue 17). The status board still shows every attempt. Pure: the caller logs what this returns.
/// </summary>
internal sealed class OutageLog
{
    /// <summary>How often a link that stays down with the same problem writes a summary.</summary>
    public static readonly TimeSpan SummaryEvery = TimeSpan.FromMinutes(1);

    private readonly TimeProvider _time;
    private string? _problem;
    private long _since;
    private long _lastLine;
    private int _failures;
    private int _unreported;

    /// <summary>Creates the log of one link, on <paramref name="time"/>.</summary>
    public OutageLog(TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(time);
        _time = time;
    }

    /// <summary>Records a failed attempt (a connection that could not be made or was lost) and says what to log.</summary>
    /// <param name="problem">What is wrong, as the log would say it; a different text counts as a change.</param>
    public OutageEntry Failed(string problem)
    {
        ArgumentNullException.ThrowIfNull(problem);
        var now = _time.GetTimestamp();
        _failures++;
        if (_failures == 1)
        {
            _since = now;
        }

        if (_failures == 1 || !string.Equals(problem, _problem, StringComparison.Ordinal))
        {
            _problem = problem;
            _lastLine = now;
            _unreported = 0;
            return new OutageEntry(OutageLine.Report, _failures, 0, _time.GetElapsedTime(_since, now));
        }

        _unreported++;
        if (_time.GetElapsedTime(_lastLine, now) < SummaryEvery)
        {
            return new OutageEntry(OutageLine.None, _failures, _unreported, _time.GetElapsedTime(_since, now));
        }

        var entry = new OutageEntry(OutageLine.Summary, _failures, _unreported, _time.GetElapsedTime(_since, now));
        _lastLine = now;
        _unreported = 0;
        return entry;
    }

    /// <summary>Records that the link is up; returns the outage that ended (null when there was none).</summary>
    public OutageEntry? Recovered()
    {
        if (_failures == 0)
        {
            return null;
        }

        var entry = new OutageEntry(OutageLine.Report, _failures, _unreported, _time.GetElapsedTime(_since));
        _failures = 0;
        _unreported = 0;
        _problem = null;
        return entry;
    }
}

/// <summary>What <see cref="OutageLog"/> says to log.</summary>
/// <param name="Line">Which line, if any.</param>
/// <param name="Failures">Failed attempts since the outage began.</param>
/// <param name="Unreported">Failed attempts since the last line that no line told of.</param>
/// <param name="DownFor">How long the link has been down.</param>
internal readonly record struct OutageEntry(OutageLine Line, int Failures, int Unreported, TimeSpan DownFor);

/// <summary>The kinds of line <see cref="OutageLog"/> asks for.</summary>
internal enum OutageLine
{
    /// <summary>Nothing: the same problem again, within a minute of the last line.</summary>
    None,

    /// <summary>The first failure, or a different problem than the last one reported (or, from <see cref="OutageLog.Recovered"/>, the outage that ended).</summary>
    Report,

    /// <summary>A minute's summary of a link that stays down with the same problem.</summary>
    Summary,
}
