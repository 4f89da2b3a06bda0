namespace Gateway.Console.Upstream;

/// <summary>
/// A set of sequence numbers kept as sorted, disjoint, inclusive ranges: a device's readings arrive almost contiguous,
/// so a day of them is a handful of ranges. Bounded: beyond <see cref="MaxRanges"/> ranges the lowest two are merged
/// (the numbers between them then count as present), so a peer that scatters seqs on purpose cannot exhaust memory;
/// exactness is kept for the most recent ranges. Numbers are from 1 to <see cref="MaxSeq"/> (the caller checks), so
/// no arithmetic here can overflow.
/// </summary>
internal sealed class SeqSet
{
    private readonly List<(long From, long To)> _ranges = [];

    /// <summary>The largest seq accepted: 2^53 − 1, the largest whole number every JSON implementation keeps exactly.</summary>
    public const long MaxSeq = 9_007_199_254_740_991;

    public SeqSet(int maxRanges = 65_536)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxRanges, 2);
        MaxRanges = maxRanges;
    }

    /// <summary>Most ranges kept.</summary>
    public int MaxRanges { get; }

    /// <summary>The ranges, lowest first.</summary>
    public IReadOnlyList<(long From, long To)> Ranges => _ranges;

    /// <summary>The lowest number, or null when empty.</summary>
    public long? Min => _ranges.Count == 0 ? null : _ranges[0].From;

    /// <summary>The highest number, or null when empty.</summary>
    public long? Max => _ranges.Count == 0 ? null : _ranges[^1].To;

    /// <summary>How many numbers are in the set.</summary>
    public long Count { get; private set; }

    /// <summary>True when <paramref name="seq"/> is in the set.</summary>
    public bool Contains(long seq)
    {
        var i = IndexAtOrBefore(seq);
        return i >= 0 && _ranges[i].To >= seq;
    }

    /// <summary>Adds <paramref name="seq"/>; true when it was not there before.</summary>
    public bool Add(long seq) => AddRange(seq, seq) == 1;

    /// <summary>Adds every number from <paramref name="from"/> to <paramref name="to"/>; returns how many were new.</summary>
    public long AddRange(long from, long to)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(from, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(to, MaxSeq);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(from, to);

        // Fast path: at or just past the end, where almost every reading lands.
        if (_ranges.Count > 0 && from > _ranges[^1].To && from - 1 == _ranges[^1].To)
        {
            _ranges[^1] = (_ranges[^1].From, to);
            Count += to - from + 1;
            return to - from + 1;
        }

        // The first range that touches or follows [from, to] (adjacent ranges merge: 5..7 and 8..9 are 5..9).
        var start = IndexAtOrBefore(from);
        if (start < 0 || _ranges[start].To < from - 1)
        {
            start++;
        }

        var end = start;
        long covered = 0;
        var newFrom = from;
        var newTo = to;
        while (end < _ranges.Count && _ranges[end].From - 1 <= to)
        {
            var (f, t) = _ranges[end];
            covered += Math.Max(0, Math.Min(t, to) - Math.Max(f, from) + 1);
            newFrom = Math.Min(newFrom, f);
            newTo = Math.Max(newTo, t);
            end++;
        }

        var added = to - from + 1 - covered;
        _ranges.RemoveRange(start, end - start);
        _ranges.Insert(start, (newFrom, newTo));
        Count += added;
        if (_ranges.Count > MaxRanges)
        {
            // Bounded memory: the two lowest ranges become one.
            var (f0, t0) = _ranges[0];
            var (f1, t1) = _ranges[1];
            Count += f1 - t0 - 1;
            _ranges[0] = (f0, t1);
            _ranges.RemoveAt(1);
        }

        return added;
    }

    /// <summary>The numbers between <see cref="Min"/> and <see cref="Max"/> that are not in the set, lowest first.</summary>
    public IEnumerable<(long From, long To)> Holes()
    {
        for (var i = 1; i < _ranges.Count; i++)
        {
            yield return (_ranges[i - 1].To + 1, _ranges[i].From - 1);
        }
    }

    /// <summary>The parts of [<paramref name="from"/>, <paramref name="to"/>] not in the set.</summary>
    public IEnumerable<(long From, long To)> Missing(long from, long to)
    {
        var next = from;
        var i = Math.Max(0, IndexAtOrBefore(from));
        for (; i < _ranges.Count && next <= to; i++)
        {
            var (f, t) = _ranges[i];
            if (t < next)
            {
                continue;
            }

            if (f > to)
            {
                break;
            }

            if (f > next)
            {
                yield return (next, f - 1);
            }

            next = t + 1;
        }

        if (next <= to)
        {
            yield return (next, to);
        }
    }

    // The index of the last range starting at or before seq, or -1.
    private int IndexAtOrBefore(long seq)
    {
        int lo = 0, hi = _ranges.Count - 1, found = -1;
        while (lo <= hi)
        {
            var mid = lo + ((hi - lo) / 2);
            if (_ranges[mid].From <= seq)
            {
                found = mid;
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }

        return found;
    }
}
