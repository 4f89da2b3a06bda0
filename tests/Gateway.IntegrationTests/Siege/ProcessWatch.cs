using System.Globalization;

namespace Gateway.IntegrationTests.Siege;

/// <summary>
/// Watches a process through <c>/proc/&lt;pid&gt;/status</c> once a second: its resident set (<c>VmRSS</c>, peak
/// kept) and whether it is still alive. The moment it is gone (or a zombie), <see cref="Died"/> is cancelled, so the
/// siege stops at once and the test reports the fall instead of waiting out the clock.
/// </summary>
internal sealed class ProcessWatch : IAsyncDisposable
{
    private static readonly TimeSpan Period = TimeSpan.FromSeconds(1);
    private readonly int _pid;
    private readonly CancellationTokenSource _stop = new();
    private readonly CancellationTokenSource _died = new();
    private readonly System.Diagnostics.Stopwatch _clock = System.Diagnostics.Stopwatch.StartNew();
    private readonly Task _loop;
    private long _peakKib;
    private long _lastKib;
    private int _samples;

    public ProcessWatch(int pid)
    {
        _pid = pid;
        _loop = Task.Run(LoopAsync);
    }

    /// <summary>Cancelled when the process is gone.</summary>
    public CancellationToken Died => _died.Token;

    /// <summary>How long after the watch began the process was found gone, or null while it lives.</summary>
    public TimeSpan? DiedAfter { get; private set; }

    /// <summary>The highest VmRSS seen, in MiB.</summary>
    public double PeakMib => Interlocked.Read(ref _peakKib) / 1024.0;

    /// <summary>The last VmRSS seen, in MiB.</summary>
    public double LastMib => Interlocked.Read(ref _lastKib) / 1024.0;

    /// <summary>How many samples were taken.</summary>
    public int Samples => Volatile.Read(ref _samples);

    /// <summary>Takes one sample now (also at the end, so a short run has its figure).</summary>
    public bool Sample()
    {
        string text;
        try
        {
            text = File.ReadAllText($"/proc/{_pid}/status");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return Gone();
        }

        var state = Field(text, "State:");
        var rss = Field(text, "VmRSS:");
        if (rss is null || (state?.StartsWith('Z') ?? false))
        {
            return Gone();
        }

        // "VmRSS:	   81234 kB"
        var kib = long.Parse(rss.Split(' ', StringSplitOptions.RemoveEmptyEntries)[0], CultureInfo.InvariantCulture);
        Interlocked.Exchange(ref _lastKib, kib);
        if (kib > Interlocked.Read(ref _peakKib))
        {
            Interlocked.Exchange(ref _peakKib, kib);
        }

        Interlocked.Increment(ref _samples);
        return true;
    }

    private bool Gone()
    {
        DiedAfter ??= _clock.Elapsed;
        _died.Cancel();
        return false;
    }

    private static string? Field(string status, string name)
    {
        foreach (var line in status.Split('\n'))
        {
            if (line.StartsWith(name, StringComparison.Ordinal))
            {
                return line[name.Length..].Trim();
            }
        }

        return null;
    }

    private async Task LoopAsync()
    {
        // Bounded by the test's own end (DisposeAsync) and by the process's end.
        while (!_stop.IsCancellationRequested && Sample())
        {
            try
            {
                await Task.Delay(Period, _stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        _stop.Dispose();
        _died.Dispose();
    }
}
