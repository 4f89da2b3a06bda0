using System.Security.Cryptography;
using System.Text;

namespace Gateway.Web;

/// <summary>
/// The web console's logins: an access token is exchanged once for a random session id (sent back only as an
/// HttpOnly cookie), which names the command key the page acts for. A session unused for
/// <see cref="WebConsoleOptions.SessionIdle"/>, or older than <see cref="WebConsoleOptions.SessionMax"/>, expires; at most <see cref="WebConsoleOptions.MaxSessions"/> are kept per
/// key, that key's least recently used going first, so logging in many times with one key (a viewer's token, say) never
/// ends another key's sessions. The store is bounded by keys × MaxSessions. Only hashes of the session ids are kept.
/// </summary>
internal sealed class ConsoleSessions
{
    private readonly WebConsoleOptions _options;
    private readonly TimeProvider _time;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, Entry> _sessions = new(StringComparer.Ordinal);
    private readonly (byte[] Hash, string KeyId)[] _tokens;

    /// <summary>Creates the store over the configured tokens.</summary>
    public ConsoleSessions(WebConsoleOptions options, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _time = time;
        _tokens = [.. options.Tokens.Select(t => (Hash(t.Value), t.Key))];
    }

    /// <summary>True when at least one key has a token, i.e. someone can log in.</summary>
    public bool AnyTokens => _tokens.Length > 0;

    /// <summary>Sessions currently held (expired ones are dropped when seen).</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _sessions.Count;
            }
        }
    }

    /// <summary>
    /// The key whose token this is, or null. Every configured token is compared, in constant time over equal-length
    /// hashes, so the time taken does not tell how much of a guess was right.
    /// </summary>
    public string? KeyForToken(string token)
    {
        ArgumentNullException.ThrowIfNull(token);
        var hash = Hash(token);
        string? found = null;
        foreach (var (expected, keyId) in _tokens)
        {
            if (CryptographicOperations.FixedTimeEquals(hash, expected))
            {
                found = keyId;
            }
        }

        return found;
    }

    /// <summary>Opens a session for <paramref name="keyId"/>; returns the id to put in the cookie.</summary>
    public string Open(string keyId)
    {
        var id = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var now = _time.GetUtcNow();
        lock (_lock)
        {
            Expire(now);
            var mine = _sessions.Where(s => s.Value.KeyId == keyId).ToList();
            for (var extra = mine.Count - _options.MaxSessions + 1; extra > 0; extra--)
            {
                var oldest = mine.MinBy(s => s.Value.LastUsed);
                mine.Remove(oldest);
                _sessions.Remove(oldest.Key);
            }

            _sessions[Key(id)] = new Entry(keyId, now, now);
        }

        return id;
    }

    /// <summary>The key of a live session, refreshing its idle timer; null when unknown or expired.</summary>
    public string? Use(string? sessionId)
    {
        if (string.IsNullOrEmpty(sessionId) || sessionId.Length > 100)
        {
            return null;
        }

        var now = _time.GetUtcNow();
        lock (_lock)
        {
            var key = Key(sessionId);
            if (!_sessions.TryGetValue(key, out var entry))
            {
                return null;
            }

            if (Expired(entry, now))
            {
                _sessions.Remove(key);
                return null;
            }

            _sessions[key] = entry with { LastUsed = now };
            return entry.KeyId;
        }
    }

    /// <summary>True while the session exists and has not idled out; does not count as use.</summary>
    public bool IsAlive(string? sessionId)
    {
        if (string.IsNullOrEmpty(sessionId) || sessionId.Length > 100)
        {
            return false;
        }

        var now = _time.GetUtcNow();
        lock (_lock)
        {
            return _sessions.TryGetValue(Key(sessionId), out var entry) && !Expired(entry, now);
        }
    }

    /// <summary>Ends a session (log out). Unknown ids are ignored.</summary>
    public void Close(string? sessionId)
    {
        if (string.IsNullOrEmpty(sessionId) || sessionId.Length > 100)
        {
            return;
        }

        lock (_lock)
        {
            _sessions.Remove(Key(sessionId));
        }
    }

    private void Expire(DateTimeOffset now)
    {
        foreach (var stale in _sessions.Where(s => Expired(s.Value, now)).Select(s => s.Key).ToList())
        {
            _sessions.Remove(stale);
        }
    }

    // Idle too long, or past its absolute lifetime since the login.
    private bool Expired(Entry entry, DateTimeOffset now) => now - entry.LastUsed > _options.SessionIdle || now - entry.Opened > _options.SessionMax;

    private static byte[] Hash(string text) => SHA256.HashData(Encoding.UTF8.GetBytes(text));

    private static string Key(string sessionId) => Convert.ToHexString(Hash(sessionId));

    private sealed record Entry(string KeyId, DateTimeOffset LastUsed, DateTimeOffset Opened);
}
