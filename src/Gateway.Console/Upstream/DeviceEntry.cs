using Gateway.Protocol;

namespace Gateway.Console.Upstream;

/// <summary>The latest value of one sensor quantity.</summary>
internal sealed record LatestValue(string Sensor, string Quantity, double Value, string Unit, DateTimeOffset Timestamp, long Seq);

/// <summary>One device as the live view shows it, at one moment.</summary>
internal sealed record DeviceSnapshot(
    string Id,
    string Firmware,
    IReadOnlyList<string> Links,
    long Received,
    long Duplicates,
    double Rate,
    long? LastSeq,
    long Missing,
    long Announced,
    IReadOnlyList<LatestValue> Latest,
    IReadOnlyDictionary<string, string> Health,
    DateTimeOffset? LastReading);

/// <summary>
/// Everything <c>gwctl listen</c> knows of one device, shared by all its connections (a gateway may hold a TCP and a
/// WebSocket link to the same upstream, each with its own cursor): de-duplication, recording, latest values, health,
/// rate. Each reading is checked and recorded under one lock, so a redelivery on another link can never be
/// acknowledged before the first copy is written.
/// </summary>
internal sealed class DeviceEntry
{
    /// <summary>Most distinct sensor quantities and sensors kept for the view per device (a bound against hostile peers).</summary>
    public const int MaxTracked = 256;

    private readonly Lock _lock = new();
    private readonly DeviceLedger _ledger = new();
    private readonly RateMeter _rate = new();
    private readonly Dictionary<(string Sensor, string Quantity), LatestValue> _latest = [];
    private readonly Dictionary<string, string> _health = new(StringComparer.Ordinal);
    private readonly List<UpstreamConnection> _connections = [];
    private long _received;
    private DateTimeOffset? _lastReading;

    public DeviceEntry(string id) => Id = id;

    /// <summary>The device id.</summary>
    public string Id { get; }

    /// <summary>The firmware version from its latest hello.</summary>
    public string Firmware { get; private set; } = string.Empty;

    /// <summary>Adds a connection that said hello as this device.</summary>
    public void Attach(UpstreamConnection connection, HelloMessage hello)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(hello);
        lock (_lock)
        {
            _connections.Add(connection);
            Firmware = hello.Firmware;
        }
    }

    /// <summary>Removes a connection that ended.</summary>
    public void Detach(UpstreamConnection connection)
    {
        lock (_lock)
        {
            _connections.Remove(connection);
        }
    }

    /// <summary>The newest live connection, the one a relayed command goes down; null when none.</summary>
    public UpstreamConnection? NewestConnection()
    {
        lock (_lock)
        {
            return _connections.Count == 0 ? null : _connections[^1];
        }
    }

    /// <summary>
    /// Takes a reading or event: true when it is new, in which case it has been written to <paramref name="recording"/>
    /// (buffered) before this returns; false for a duplicate.
    /// </summary>
    /// <exception cref="IOException">The recording failed: the reading is not stored and must not be acknowledged.</exception>
    public bool Receive(Message message, long seq, Recording? recording, long nowSecond)
    {
        lock (_lock)
        {
            if (!_ledger.Accept(seq))
            {
                return false;
            }

            // A failed write throws: the caller stops listening, and since nothing is acknowledged after a failure,
            // the gateway keeps this reading and sends it again to the next run.
            recording?.Write(RecordLines.Line(recording.Format, message));

            _received++;
            _rate.Add(nowSecond);
            switch (message)
            {
                case ReadingMessage r:
                    _lastReading = r.Timestamp;
                    if (_latest.Count < MaxTracked || _latest.ContainsKey((r.Sensor, r.Quantity)))
                    {
                        if (!_latest.TryGetValue((r.Sensor, r.Quantity), out var old) || old.Seq < r.Seq)
                        {
                            _latest[(r.Sensor, r.Quantity)] = new LatestValue(r.Sensor, r.Quantity, r.Value, r.Unit, r.Timestamp, r.Seq);
                        }
                    }

                    break;
                case EventMessage e when e.Kind == "health" && (_health.Count < MaxTracked || _health.ContainsKey(e.Sensor)):
                    _health[e.Sensor] = e.Message;
                    break;
                default:
                    break;
            }

            return true;
        }
    }

    /// <summary>Marks seqs an earlier run recorded as received (continuing a recording).</summary>
    public void Preload(long seq)
    {
        lock (_lock)
        {
            _ledger.Seen.Add(seq);
        }
    }

    /// <summary>Records a gap the gateway announced; returns how many of its seqs were newly known lost.</summary>
    /// <exception cref="IOException">The recording failed.</exception>
    public long Announce(GapMessage gap, Recording? recording, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(gap);
        lock (_lock)
        {
            var added = _ledger.Announce(gap.From, gap.To);
            if (added > 0)
            {
                recording?.Write(RecordLines.GapLine(recording.Format, Id, gap, now));
            }

            return added;
        }
    }

    /// <summary>The parts of a skipped range that nothing explains yet.</summary>
    public IReadOnlyList<(long From, long To)> Unaccounted(long from, long to)
    {
        lock (_lock)
        {
            return [.. _ledger.Unaccounted(from, to).Take(16)];
        }
    }

    /// <summary>The device as the view shows it now.</summary>
    public DeviceSnapshot Snapshot(long nowSecond)
    {
        lock (_lock)
        {
            return new DeviceSnapshot(
                Id,
                Firmware,
                [.. _connections.Select(c => c.Describe())],
                _received,
                _ledger.Duplicates,
                _rate.Rate(nowSecond),
                _ledger.Seen.Max,
                _ledger.MissingCount(),
                _ledger.Announced.Count,
                [.. _latest.Values.OrderBy(v => v.Sensor, StringComparer.Ordinal).ThenBy(v => v.Quantity, StringComparer.Ordinal)],
                new Dictionary<string, string>(_health, StringComparer.Ordinal),
                _lastReading);
        }
    }

    /// <summary>The ledger's figures for the closing summary.</summary>
    public (long Received, long Duplicates, long Missing, long Announced) Totals()
    {
        lock (_lock)
        {
            return (_received, _ledger.Duplicates, _ledger.MissingCount(), _ledger.Announced.Count);
        }
    }
}
