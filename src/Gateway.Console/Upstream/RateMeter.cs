namespace Gateway.Console.Upstream;

/// <summary>
/// Readings per second over the last <see cref="WindowSeconds"/> whole seconds: a ring of per-second counts. Time is
/// passed in (whole seconds since any origin), so it is tested without waiting.
/// </summary>
internal sealed class RateMeter
{
    /// <summary>The averaging window.</summary>
    public const int WindowSeconds = 10;

    private readonly long[] _counts = new long[WindowSeconds + 1];
    private long _second = long.MinValue;

    /// <summary>Counts <paramref name="n"/> events in second <paramref name="second"/>.</summary>
    public void Add(long second, long n = 1)
    {
        Advance(second);
        _counts[Slot(second)] += n;
    }

    /// <summary>Events per second over the <see cref="WindowSeconds"/> complete seconds before <paramref name="second"/>.</summary>
    public double Rate(long second)
    {
        Advance(second);
        long total = 0;
        for (var s = second - WindowSeconds; s < second; s++)
        {
            total += _counts[Slot(s)];
        }

        return total / (double)WindowSeconds;
    }

    private void Advance(long second)
    {
        if (_second == long.MinValue || second - _second > WindowSeconds)
        {
            Array.Clear(_counts);
        }
        else
        {
            for (var s = _second + 1; s <= second; s++)
            {
                _counts[Slot(s)] = 0;
            }
        }

        if (second > _second)
        {
            _second = second;
        }
    }

    private static int Slot(long second) => (int)(((second % (WindowSeconds + 1)) + WindowSeconds + 1) % (WindowSeconds + 1));
}
