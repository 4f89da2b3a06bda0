namespace Gateway.Console.Upstream;

/// <summary>
/// What an upstream knows of one device's sequence numbers: the seqs it has (to de-duplicate redeliveries, which
/// at-least-once delivery makes normal), the ranges the gateway announced as lost (<c>gap</c>), and from both, the
/// seqs that are neither — missing. Pure; the caller serialises access.
/// </summary>
internal sealed class DeviceLedger
{
    /// <summary>The seqs received (readings and events share the numbering).</summary>
    public SeqSet Seen { get; } = new();

    /// <summary>The seqs the gateway said will never come.</summary>
    public SeqSet Announced { get; } = new();

    /// <summary>Redeliveries of seqs already received.</summary>
    public long Duplicates { get; private set; }

    /// <summary>Records <paramref name="seq"/>; true when it is new, false for a duplicate.</summary>
    public bool Accept(long seq)
    {
        if (Seen.Add(seq))
        {
            return true;
        }

        Duplicates++;
        return false;
    }

    /// <summary>Records an announced gap; returns how many of its seqs were not already known to be lost.</summary>
    public long Announce(long from, long to) => Announced.AddRange(from, to);

    /// <summary>
    /// The parts of [<paramref name="from"/>, <paramref name="to"/>] neither received nor announced lost: what a jump in
    /// a connection's seqs skipped that nothing explains (yet — another link may still bring it).
    /// </summary>
    public IEnumerable<(long From, long To)> Unaccounted(long from, long to)
    {
        foreach (var (f, t) in Seen.Missing(from, to))
        {
            foreach (var part in Announced.Missing(f, t))
            {
                yield return part;
            }
        }
    }

    /// <summary>The holes between the lowest and highest seq received that no gap explains, lowest first.</summary>
    public IEnumerable<(long From, long To)> Missing()
    {
        foreach (var (f, t) in Seen.Holes())
        {
            foreach (var part in Announced.Missing(f, t))
            {
                yield return part;
            }
        }
    }

    /// <summary>How many seqs <see cref="Missing"/> covers.</summary>
    public long MissingCount() => Missing().Sum(r => r.To - r.From + 1);
}
