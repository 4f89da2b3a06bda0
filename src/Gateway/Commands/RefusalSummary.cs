using System.Net;

namespace Gateway.Commands;

/// <summary>
/// Counts refusals of commands that carry no valid signature, per source (link and sender address, without the port, so
/// a sender cannot multiply itself by opening sockets) and per interval, instead of writing each one (issue 14, finding 4:
/// one line per refusal let anyone push the operators' commands out of the audit). At most <c>maxSources</c> sources are
/// tracked at once; refusals from more are counted together under <see cref="OtherSources"/>. Pure: time is passed in.
/// Not thread-safe (the <see cref="AuditLog"/> holds a lock).
/// </summary>
internal sealed class RefusalSummary
{
    /// <summary>The source under which refusals are counted once <c>maxSources</c> are tracked.</summary>
    public const string OtherSources = "(other sources)";

    private readonly TimeSpan _interval;
    private readonly int _maxSources;
    private readonly Dictionary<(string Link, string Source), Tally> _open = [];

    /// <summary>Creates the summary.</summary>
    /// <param name="interval">How long one summary covers.</param>
    /// <param name="maxSources">Most sources tracked at once.</param>
    public RefusalSummary(TimeSpan interval, int maxSources)
    {
        _interval = interval;
        _maxSources = maxSources;
    }

    /// <summary>One source's refusals over one interval.</summary>
    /// <param name="Link">The link.</param>
    /// <param name="Source">The sender's address (no port), or <see cref="OtherSources"/>.</param>
    /// <param name="From">The first refusal.</param>
    /// <param name="To">The last refusal.</param>
    /// <param name="Count">Refusals.</param>
    /// <param name="Codes">Refusals by result code.</param>
    /// <param name="Bytes">Bytes of <c>args</c> they carried.</param>
    public sealed record Summary(string Link, string Source, DateTimeOffset From, DateTimeOffset To, long Count, IReadOnlyDictionary<string, long> Codes, long Bytes);

    private sealed class Tally(DateTimeOffset from)
    {
        public DateTimeOffset From { get; } = from;

        public DateTimeOffset To { get; set; } = from;

        public long Count { get; set; }

        public long Bytes { get; set; }

        public Dictionary<string, long> Codes { get; } = new(StringComparer.Ordinal);
    }

    /// <summary>Sources with an open interval.</summary>
    public int Sources => _open.Count;

    /// <summary>The address part of a peer such as <c>127.0.0.1:5000</c> or <c>[::1]:5000</c>.</summary>
    public static string SourceOf(string peer) =>
        IPEndPoint.TryParse(peer, out var endpoint) ? endpoint.Address.ToString() : peer;

    /// <summary>Counts one refusal; true when it is the first from its source in the current interval (worth a log line of its own).</summary>
    public bool Count(string link, string peer, string code, long argsBytes, DateTimeOffset now)
    {
        var source = (link, SourceOf(peer));
        if (!_open.TryGetValue(source, out var tally))
        {
            if (_open.Count >= _maxSources)
            {
                source = (link, OtherSources);
            }

            if (!_open.TryGetValue(source, out tally))
            {
                tally = new Tally(now);
                _open[source] = tally;
            }
        }

        var first = tally.Count == 0;
        tally.Count++;
        tally.To = now;
        tally.Bytes += argsBytes;
        tally.Codes[code] = tally.Codes.GetValueOrDefault(code) + 1;
        return first;
    }

    /// <summary>Takes the summaries whose interval has ended by <paramref name="now"/> (all of them when <paramref name="all"/>).</summary>
    public IReadOnlyList<Summary> TakeDue(DateTimeOffset now, bool all = false)
    {
        List<Summary>? due = null;
        foreach (var ((link, source), tally) in _open)
        {
            if (all || now - tally.From >= _interval)
            {
                (due ??= []).Add(new Summary(link, source, tally.From, tally.To, tally.Count, tally.Codes, tally.Bytes));
            }
        }

        if (due is null)
        {
            return [];
        }

        foreach (var s in due)
        {
            _open.Remove((s.Link, s.Source));
        }

        return due;
    }
}
