using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Gateway.IntegrationTests.Siege;

/// <summary>
/// What happened during the siege, shared by every sender: hostile messages sent per channel and kind, what came back,
/// the operator's commands (sent, answered, accepted ids, failures), the signed commands an eavesdropper captured for
/// replay, and the last hostile messages sent (to name the likely culprit when the gateway falls).
/// </summary>
internal sealed class SiegeLedger
{
    private const int RecentKept = 24;
    private const int CapturedKept = 256;
    private readonly ConcurrentDictionary<string, long> _hostile = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, long> _outcomes = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<string> _recent = new();
    private readonly ConcurrentQueue<string> _captured = new();
    private readonly ConcurrentQueue<string> _failures = new();
    private readonly ConcurrentDictionary<string, string> _accepted = new(StringComparer.Ordinal);
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private long _commandsSent;
    private long _commandsOk;
    private long _requestsSent;
    private long _requestsOk;

    /// <summary>Seconds since the siege began, for log lines.</summary>
    public double Elapsed => _clock.Elapsed.TotalSeconds;

    /// <summary>Hostile messages (or connections) sent, by "channel: kind".</summary>
    public IReadOnlyDictionary<string, long> HostileSent => _hostile;

    /// <summary>What the hostile senders got back, by "channel: outcome".</summary>
    public IReadOnlyDictionary<string, long> Outcomes => _outcomes;

    /// <summary>The operator's commands sent.</summary>
    public long CommandsSent => Interlocked.Read(ref _commandsSent);

    /// <summary>The operator's commands answered ok (and, where checked, with the expected data).</summary>
    public long CommandsOk => Interlocked.Read(ref _commandsOk);

    /// <summary>The operator's other requests (web console logins, log-outs, status page) sent.</summary>
    public long RequestsSent => Interlocked.Read(ref _requestsSent);

    /// <summary>The operator's other requests answered 200.</summary>
    public long RequestsOk => Interlocked.Read(ref _requestsOk);

    /// <summary>Every operator command or request that was not answered ok, with why.</summary>
    public IReadOnlyCollection<string> Failures => _failures;

    /// <summary>Ids of the commands the gateway accepted and ran (id → channel).</summary>
    public IReadOnlyDictionary<string, string> Accepted => _accepted;

    /// <summary>The last hostile messages sent, oldest first.</summary>
    public IReadOnlyCollection<string> Recent => _recent;

    /// <summary>The siege begins: times in <see cref="Recent"/> and <see cref="Failures"/> count from now.</summary>
    public void Begin() => _clock.Restart();

    /// <summary>Counts one hostile message of <paramref name="kind"/> on <paramref name="channel"/>.</summary>
    public void Hostile(string channel, string kind)
    {
        _hostile.AddOrUpdate($"{channel}: {kind}", 1, (_, n) => n + 1);
        _recent.Enqueue(string.Create(CultureInfo.InvariantCulture, $"{Elapsed,7:0.00}s {channel}: {kind}"));
        while (_recent.Count > RecentKept && _recent.TryDequeue(out _))
        {
        }
    }

    /// <summary>Counts what a hostile sender got back (a reply code, an HTTP status, a refusal).</summary>
    public void Outcome(string channel, string outcome) => _outcomes.AddOrUpdate($"{channel}: {outcome}", 1, (_, n) => n + 1);

    /// <summary>One operator command went out.</summary>
    public void CommandSent() => Interlocked.Increment(ref _commandsSent);

    /// <summary>One operator command was answered ok; <paramref name="id"/> ran on the gateway.</summary>
    public void CommandOk(string id, string channel)
    {
        Interlocked.Increment(ref _commandsOk);
        _accepted[id] = channel;
    }

    /// <summary>One other operator request went out.</summary>
    public void RequestSent() => Interlocked.Increment(ref _requestsSent);

    /// <summary>One other operator request was answered 200.</summary>
    public void RequestOk() => Interlocked.Increment(ref _requestsOk);

    /// <summary>One operator command or request was not answered ok (or answered wrongly).</summary>
    public void CommandFailed(string description) =>
        _failures.Enqueue(string.Create(CultureInfo.InvariantCulture, $"{Elapsed:0.0}s {description}"));

    /// <summary>An eavesdropper on the LAN saw this signed command (one JSON line, as sent).</summary>
    public void Capture(string json)
    {
        _captured.Enqueue(json);
        while (_captured.Count > CapturedKept && _captured.TryDequeue(out _))
        {
        }
    }

    /// <summary>A captured signed command to replay, or null while none was seen yet.</summary>
    public string? PickCaptured(Random random)
    {
        var all = _captured.ToArray();
        return all.Length == 0 ? null : all[random.Next(all.Length)];
    }

    /// <summary>The figures, one per line, for the test output.</summary>
    public string Describe()
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"operator: {CommandsSent} signed commands sent, {CommandsOk} answered ok; {RequestsSent} other web console requests (log in, log out, status page), {RequestsOk} answered 200; {_failures.Count} failures");
        text.AppendLine(CultureInfo.InvariantCulture, $"hostile messages sent: {_hostile.Values.Sum()} in all");
        foreach (var (kind, count) in _hostile.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"  {kind}: {count}");
        }

        text.AppendLine("what the hostile senders got back:");
        foreach (var (outcome, count) in _outcomes.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"  {outcome}: {count}");
        }

        return text.ToString();
    }
}
