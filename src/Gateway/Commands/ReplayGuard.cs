namespace Gateway.Commands;

/// <summary>
/// Remembers, for the replay window, every nonce each key has used and the result of every command id, so a
/// replayed message never runs twice and a repeated id gets its first result back (idempotency). Entries older
/// than the window are forgotten: by then the timestamp check refuses the message anyway. Bounded: when full, new
/// commands are refused (<see cref="IsFull"/>) rather than forgetting entries that still protect against replay.
/// Thread-safe.
/// </summary>
internal sealed class ReplayGuard
{
    private readonly Lock _lock = new();
    private readonly TimeSpan _window;
    private readonly int _capacity;
    private readonly Dictionary<(string Key, string Nonce), DateTimeOffset> _nonces = [];
    private readonly Dictionary<(string Key, string Id), Entry> _ids = [];
    private readonly Queue<(DateTimeOffset At, string Key, string Nonce, string Id)> _order = new();

    /// <summary>Creates the guard.</summary>
    /// <param name="window">How long entries are kept: at least the whole span of timestamps accepted (2 × clock skew).</param>
    /// <param name="capacity">Most commands remembered at once.</param>
    public ReplayGuard(TimeSpan window, int capacity)
    {
        _window = window;
        _capacity = capacity;
    }

    /// <summary>What the guard knows about an id: the signed content it first came with, and its result once finished.</summary>
    public sealed class Entry(string content)
    {
        /// <summary>Name and canonical arguments of the first command with this id.</summary>
        public string Content { get; } = content;

        /// <summary>Completes with the first command's result.</summary>
        public TaskCompletionSource<Gateway.Protocol.ResultMessage> Result { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    /// <summary>The outcome of <see cref="Admit"/>.</summary>
    public enum Verdict
    {
        /// <summary>New id and new nonce: run it; <c>entry</c> is to be completed with its result.</summary>
        New,

        /// <summary>The id was seen with the same content: answer with the first result.</summary>
        Repeat,

        /// <summary>The id was seen with different content.</summary>
        IdReused,

        /// <summary>New id, but the nonce was used before within the window.</summary>
        NonceReused,

        /// <summary>The guard is full.</summary>
        Full,
    }

    /// <summary>Entries currently remembered.</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _order.Count;
            }
        }
    }

    /// <summary>True when no more commands can be remembered until old ones expire.</summary>
    public bool IsFull => Count >= _capacity;

    /// <summary>
    /// Whether <paramref name="id"/> or <paramref name="nonce"/> is already remembered for <paramref name="key"/>: such a
    /// command is a repeat or a replay and will not run, so it must not spend the key's rate (an eavesdropper replaying a
    /// captured command would otherwise lock the key's owner out).
    /// </summary>
    public bool Knows(string key, string id, string nonce)
    {
        lock (_lock)
        {
            return _ids.ContainsKey((key, id)) || _nonces.ContainsKey((key, nonce));
        }
    }

    /// <summary>Checks an authenticated command's id and nonce and, when new, remembers both.</summary>
    public Verdict Admit(string key, string id, string nonce, string content, DateTimeOffset now, out Entry entry)
    {
        lock (_lock)
        {
            Expire(now);
            if (_ids.TryGetValue((key, id), out var seen))
            {
                entry = seen;
                return seen.Content == content ? Verdict.Repeat : Verdict.IdReused;
            }

            entry = null!;
            if (_nonces.ContainsKey((key, nonce)))
            {
                return Verdict.NonceReused;
            }

            if (_order.Count >= _capacity)
            {
                return Verdict.Full;
            }

            entry = new Entry(content);
            _ids[(key, id)] = entry;
            _nonces[(key, nonce)] = now;
            _order.Enqueue((now, key, nonce, id));
            return Verdict.New;
        }
    }

    /// <summary>One remembered command, as persisted by <see cref="ReplayJournal"/>.</summary>
    /// <param name="At">When it was admitted.</param>
    /// <param name="Key">The key id.</param>
    /// <param name="Id">The command id.</param>
    /// <param name="Nonce">The nonce.</param>
    /// <param name="Content">The digest of its name and canonical arguments.</param>
    /// <param name="Result">Its result, once finished.</param>
    public sealed record Remembered(DateTimeOffset At, string Key, string Id, string Nonce, string Content, Gateway.Protocol.ResultMessage? Result);

    /// <summary>Remembers a command admitted before a restart (loaded in the order admitted); entries already expired are skipped.</summary>
    public void Restore(Remembered r, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(r);
        lock (_lock)
        {
            if (now - r.At > _window || _ids.ContainsKey((r.Key, r.Id)) || _order.Count >= _capacity)
            {
                return;
            }

            var entry = new Entry(r.Content);
            entry.Result.TrySetResult(r.Result ?? new Gateway.Protocol.ResultMessage(r.Id, false, Gateway.Protocol.Commands.ResultCodes.Failed,
                "the gateway restarted before this command finished; it may have run (see the audit)"));
            _ids[(r.Key, r.Id)] = entry;
            _nonces[(r.Key, r.Nonce)] = r.At;
            _order.Enqueue((r.At, r.Key, r.Nonce, r.Id));
        }
    }

    /// <summary>Every command remembered now, oldest first, with its result when finished.</summary>
    public IReadOnlyList<Remembered> Snapshot(DateTimeOffset now)
    {
        lock (_lock)
        {
            Expire(now);
            return [.. _order.Select(o =>
            {
                var e = _ids[(o.Key, o.Id)];
                return new Remembered(o.At, o.Key, o.Id, o.Nonce, e.Content, e.Result.Task.IsCompletedSuccessfully ? e.Result.Task.Result : null);
            })];
        }
    }

    private void Expire(DateTimeOffset now)
    {
        while (_order.TryPeek(out var oldest) && now - oldest.At > _window)
        {
            _order.Dequeue();
            _nonces.Remove((oldest.Key, oldest.Nonce));
            _ids.Remove((oldest.Key, oldest.Id));
        }
    }
}
