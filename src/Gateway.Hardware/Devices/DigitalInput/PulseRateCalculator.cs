namespace Gateway.Hardware.Devices.DigitalInput;

/// <summary>
/// Pulse rate from edge timestamps (the kernel's, CLOCK_MONOTONIC): within each window (the time between two reads),
/// the rate is the number of whole periods between the window's first and last edge divided by the time between
/// them, i.e. reciprocal counting. Unlike counting edges per read interval, it does not jump by one edge per window
/// (a steady 0.5 Hz read every 10 s is 0.5 Hz, not 0.4 / 0.5 / 0.6), and edges the kernel reported as lost
/// between two seen edges are periods too. Pure and single-threaded: the caller serialises access.
/// </summary>
public sealed class PulseRateCalculator
{
    private long _first;
    private long _last;
    private long _edges;
    private long _periods;

    /// <summary>Edges recorded in the current window.</summary>
    public long EdgesInWindow => _edges;

    /// <summary>Records one edge.</summary>
    /// <param name="timestampNanoseconds">When it happened, in the edge clock's nanoseconds.</param>
    /// <param name="droppedBefore">Edges the kernel lost just before this one (a gap in its sequence numbers).</param>
    public void Record(long timestampNanoseconds, long droppedBefore = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(droppedBefore);
        if (_edges == 0)
        {
            // Edges lost before the window's first edge belong to the time before the window.
            _first = timestampNanoseconds;
        }
        else
        {
            _periods += 1 + droppedBefore;
        }

        _last = timestampNanoseconds;
        _edges++;
    }

    /// <summary>
    /// Ends the window and returns its rate in Hz: periods / (last edge − first edge) when the window holds two or
    /// more edges; with a single edge, 1 / <paramref name="window"/> (no period can be timed); with none, 0.
    /// </summary>
    /// <param name="window">How long the window lasted, by the reader's clock (used only with a single edge).</param>
    public double TakeRate(TimeSpan window)
    {
        double rate;
        if (_edges >= 2 && _last > _first)
        {
            rate = _periods / ((_last - _first) / 1e9);
        }
        else if (_edges > 0 && window > TimeSpan.Zero)
        {
            rate = _edges / window.TotalSeconds; // one edge, or timestamps that did not advance
        }
        else
        {
            rate = 0;
        }

        _edges = 0;
        _periods = 0;
        return rate;
    }
}
