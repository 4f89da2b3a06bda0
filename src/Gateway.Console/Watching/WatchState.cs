using Gateway.Console.Upstream;
using Gateway.Console.Views;
using Gateway.Protocol;

namespace Gateway.Console.Watching;

/// <summary>
/// What <c>gwctl watch</c> knows of the gateway it watches: its hello (none over MQTT, where its retained status topic
/// says whether it is online), the latest value of each sensor quantity, sensor health from events, how many readings
/// arrived and how fast, payloads skipped as unreadable, and its latest status when a key lets gwctl ask.
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
    private string? _availability;
    private long _skipped;
    private string? _lastSkipped;

    /// <summary>Creates the state of one connection.</summary>
    /// <param name="address">Where it is watched.</param>
    /// <param name="hello">What the gateway said first; null over MQTT, where it says no hello.</param>
    /// <param name="device">The device id (the hello's), or over MQTT what the address names: the prefix's last level, or the prefix.</param>
    /// <param name="connected">When the connection opened.</param>
    public WatchState(string address, HelloMessage? hello, string device, DateTimeOffset connected)
    {
        Address = address;
        Hello = hello;
        Device = device;
        Connected = connected;
    }

    /// <summary>Where it is watched.</summary>
    public string Address { get; }

    /// <summary>What it said first; null over MQTT.</summary>
    public HelloMessage? Hello { get; }

    /// <summary>Who is watched.</summary>
    public string Device { get; }

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

    /// <summary>Takes what the gateway's retained status topic says (<c>online</c>, <c>offline</c>).</summary>
    public void TakeAvailability(string availability)
    {
        lock (_lock)
        {
            _availability = availability;
        }
    }

    /// <summary>Counts a payload skipped as unreadable, and keeps why.</summary>
    public void TakeSkipped(string why)
    {
        lock (_lock)
        {
            _skipped++;
            _lastSkipped = why;
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
                Device,
                _availability,
                Connected,
                _readings,
                _events,
                _rate.Rate(nowSecond),
                [.. _latest.Values.OrderBy(v => v.Sensor, StringComparer.Ordinal).ThenBy(v => v.Quantity, StringComparer.Ordinal)],
                new Dictionary<string, string>(_health, StringComparer.Ordinal),
                _status,
                _statusProblem,
                _skipped,
                _lastSkipped,
                now);
        }
    }
}

/// <summary>One moment of <see cref="WatchState"/>.</summary>
internal sealed record WatchSnapshot(
    string Address,
    HelloMessage? Hello,
    string Device,
    string? Availability,
    DateTimeOffset Connected,
    long Readings,
    long Events,
    double Rate,
    IReadOnlyList<LatestValue> Latest,
    IReadOnlyDictionary<string, string> Health,
    GatewayStatus? Status,
    string? StatusProblem,
    long Skipped,
    string? LastSkipped,
    DateTimeOffset Now);
