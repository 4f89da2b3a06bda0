using System.Net;

namespace Gateway.Web;

/// <summary>
/// Slows token guessing per address: the first <see cref="FreeFailures"/> wrong tokens from an address cost nothing;
/// each one after that locks the address out of logging in for twice as long as the last (1 s, 2 s, 4 s …, at most
/// <see cref="MaxLockout"/>). While locked out, a login is refused with 429 and a Retry-After before its token is even
/// compared, so guessing runs at a few tries an hour. An address is forgotten <see cref="Memory"/> after its last
/// failure, or at once when it logs in. Bounded: at most <see cref="MaxAddresses"/> addresses are remembered; when full,
/// the one that failed longest ago is forgotten first. Pure: time comes from the <see cref="TimeProvider"/>.
/// </summary>
internal sealed class LoginThrottle
{
    /// <summary>Wrong tokens an address may send before it is locked out.</summary>
    public const int FreeFailures = 5;

    /// <summary>Addresses remembered at once.</summary>
    public const int MaxAddresses = 4096;

    /// <summary>The first lock-out; each further failure doubles it.</summary>
    public static readonly TimeSpan FirstLockout = TimeSpan.FromSeconds(1);

    /// <summary>The longest lock-out.</summary>
    public static readonly TimeSpan MaxLockout = TimeSpan.FromMinutes(5);

    /// <summary>How long an address's failures are remembered after its last one.</summary>
    public static readonly TimeSpan Memory = TimeSpan.FromMinutes(15);

    private readonly TimeProvider _time;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    /// <summary>Creates the throttle.</summary>
    public LoginThrottle(TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(time);
        _time = time;
    }

    /// <summary>Addresses currently remembered.</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _entries.Count;
            }
        }
    }

    /// <summary>How long <paramref name="address"/> must still wait before it may try a token; null when it may now.</summary>
    public TimeSpan? RetryAfter(IPAddress? address)
    {
        var now = _time.GetUtcNow();
        lock (_lock)
        {
            return _entries.TryGetValue(PeerEventSummary.Name(address), out var entry) && entry.LockedUntil > now
                ? entry.LockedUntil - now
                : null;
        }
    }

    /// <summary>Records a wrong token from <paramref name="address"/>; returns the lock-out it now has (zero when none).</summary>
    public TimeSpan Failed(IPAddress? address)
    {
        var key = PeerEventSummary.Name(address);
        var now = _time.GetUtcNow();
        lock (_lock)
        {
            if (!_entries.TryGetValue(key, out var entry) || now - entry.LastFailure > Memory)
            {
                MakeRoom(now);
                entry = new Entry(0, now, DateTimeOffset.MinValue);
            }

            var failures = entry.Failures + 1;
            var lockout = Lockout(failures);
            _entries[key] = new Entry(failures, now, lockout > TimeSpan.Zero ? now + lockout : entry.LockedUntil);
            return lockout;
        }
    }

    /// <summary>A right token from <paramref name="address"/>: its failures are forgotten.</summary>
    public void Succeeded(IPAddress? address)
    {
        lock (_lock)
        {
            _entries.Remove(PeerEventSummary.Name(address));
        }
    }

    /// <summary>The lock-out after the <paramref name="failures"/>-th wrong token in a row.</summary>
    public static TimeSpan Lockout(int failures)
    {
        if (failures <= FreeFailures)
        {
            return TimeSpan.Zero;
        }

        var doublings = Math.Min(failures - FreeFailures - 1, 20);
        var lockout = FirstLockout * (1L << doublings);
        return lockout < MaxLockout ? lockout : MaxLockout;
    }

    private void MakeRoom(DateTimeOffset now)
    {
        if (_entries.Count < MaxAddresses)
        {
            return;
        }

        foreach (var stale in _entries.Where(e => now - e.Value.LastFailure > Memory && e.Value.LockedUntil <= now).Select(e => e.Key).ToList())
        {
            _entries.Remove(stale);
        }

        while (_entries.Count >= MaxAddresses)
        {
            _entries.Remove(_entries.MinBy(e => e.Value.LastFailure).Key);
        }
    }

    private sealed record Entry(int Failures, DateTimeOffset LastFailure, DateTimeOffset LockedUntil);
}
