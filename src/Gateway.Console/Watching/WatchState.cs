using Gateway.Console.Upstream;
using Gateway.Console.Views;
using Gateway.Protocol;

namespace Gateway.Console.Watching;

/// <summary>
/// What <c>gwctl watch</c> knows of the gateway it watches: its hello, the latest value of each sensor quantity,
/// sensor health from events, how many readings arrived and how fast, and its latest status when a key lets gwctl ask.
/// Fed message by message; pure apart from the clock values passed in.
/// </summary>
internal sealed class WatchState
{
    private readonly Lock _lock = new();
    private readonly Dictionary<(string, string), LatestValue> _latest = [];
    private readonly Dictionary<string, string> _health = new(StringComparer.Ordinal);
    private readonly RateMeter _rate = new();
    private long _readings;
    private long _events;
    private GatewayStatus? _status;
    private string? _statusProblem;

    public WatchState(string address, HelloMessage hello, DateTimeOffset connected)
    {
        Address = address;
        Hello = hello;
        Connected = connected;
    }

    /// <summary>Where it is watched.</summary>
    public string Address { get; }

    /// <summary>What it said first.</summary>
    public HelloMessage Hello { get; }

    /// <summary>When the connection opened.</summary>
    public DateTimeOffset Connected { get; }

    /// <summary>Takes one live message; true when it was a reading or an event.</summary>
    public bool Take(Message message, long nowSecond)
    {
        lock (_lock)
        {
            switch (message)
            {
                case ReadingMessage r:
                    _readings++;
                    _rate.Add(nowSecond);
                    if (_latest.Count < DeviceEntry.MaxTracked || _latest.ContainsKey((r.Sensor, r.Quantity)))
                    {
                        _latest[(r.Sensor, r.Quantity)] = new LatestValue(r.Sensor, r.Quantity, r.Value, r.Unit, r.Timestamp, r.Seq);
                    }

                    return true;
                case EventMessage e:
                    _events++;
                    if (e.Kind == "health" && (_health.Count < DeviceEntry.MaxTracked || _health.ContainsKey(e.Sensor)))
                    {
                        _health[e.Sensor] = e.Message;
                    }

                    return true;
                default:
                    return false;
            }
        }
    }

    /// <summary>Takes a <c>status</c> result.</summary>
    public void TakeStatus(GatewayStatus? status, string? problem)
    {
        lock (_lock)
        {
            _status = status ?? _status;
            _statusProblem = problem;
        }
    }

    /// <summary>The state as the view shows it.</summary>
    public WatchSnapshot Snapshot(long nowSecond, DateTimeOffset now)
    {
        lock (_lock)
        {
            return new WatchSnapshot(
                Address,
                Hello,
                Connected,
                _readings,
                _events,
                _rate.Rate(nowSecond),
                [.. _latest.Values.OrderBy(v => v.Sensor, StringComparer.Ordinal).ThenBy(v => v.Quantity, StringComparer.Ordinal)],
                new Dictionary<string, string>(_health, StringComparer.Ordinal),
                _status,
                _statusProblem,
                now);
        }
    }
}

/// <summary>One moment of <see cref="WatchState"/>.</summary>
internal sealed record WatchSnapshot(
    string Address,
    HelloMessage Hello,
    DateTimeOffset Connected,
    long Readings,
    long Events,
    double Rate,
    IReadOnlyList<LatestValue> Latest,
    IReadOnlyDictionary<string, string> Health,
    GatewayStatus? Status,
    string? StatusProblem,
    DateTimeOffset Now);
