using System.Diagnostics.Metrics;
using Gateway.Configuration;
using Gateway.Health;
using Gateway.Links;
using Gateway.Outbox;
using Gateway.Sampling;

namespace Gateway.Metrics;

/// <summary>
/// The gateway's running figures as observable instruments on a meter named <see cref="GatewayMeter.Name"/> (made by
/// the host's <see cref="IMeterFactory"/>, so it ends with the host): read off what the gateway already keeps — the
/// sensor loops, the outbox, each link — only when a scrape asks, so they cost nothing between scrapes. The names follow
/// OpenTelemetry's conventions (dotted, unit apart); the Prometheus text turns <c>gateway.link.backlog</c> into
/// <c>gateway_link_backlog</c> and counters into <c>…_total</c> (README, "Metrics", lists them all).
/// </summary>
internal sealed class GatewayMetrics
{
    // One scrape observes every instrument in turn; the outbox's per-link figures (one index seek each) are read once
    // for all of them.
    private static readonly TimeSpan OwedReuse = TimeSpan.FromSeconds(1);

    private readonly SamplerService _sampler;
    private readonly Outbox.Outbox _outbox;
    private readonly LinkRegistry _links;
    private readonly HeartbeatRegistry _heartbeats;
    private readonly GatewayOptions _options;
    private readonly TimeProvider _time;
    private readonly Lock _owedLock = new();
    private Dictionary<string, LinkOwed?> _owed = new(StringComparer.Ordinal);
    private long _owedAt;

    /// <summary>Creates the instruments on a meter of <paramref name="meters"/>.</summary>
    public GatewayMetrics(IMeterFactory meters, SamplerService sampler, Outbox.Outbox outbox, LinkRegistry links, HeartbeatRegistry heartbeats, GatewayOptions options, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(meters);
        _sampler = sampler;
        _outbox = outbox;
        _links = links;
        _heartbeats = heartbeats;
        _options = options;
        _time = time;
        var started = time.GetUtcNow().ToUnixTimeMilliseconds() / 1000.0;
        var meter = meters.Create(GatewayMeter.Name);

        meter.CreateObservableGauge("gateway.info", () => new Measurement<int>(1, Tag("device", options.DeviceId), Tag("version", Hosting.GatewayHost.Version)),
            description: "Always 1: the device id and version as labels");
        meter.CreateObservableGauge("gateway.start_time", () => started, unit: "s", description: "When the gateway started, in seconds since 1970 (UTC)");
        meter.CreateObservableGauge("gateway.healthy", () => Healthy() ? 1 : 0,
            description: "1 while every component's heartbeat is fresh (the watchdog's and /healthz's rule), else 0");

        // Sensors: one series per configured sensor.
        meter.CreateObservableCounter("gateway.sensor.reads", () => PerSensor(l => l.Reads), unit: "{read}", description: "Successful reads of each sensor");
        meter.CreateObservableCounter("gateway.sensor.read.failures", () => PerSensor(l => l.Failures), unit: "{read}", description: "Failed reads of each sensor");
        meter.CreateObservableCounter("gateway.readings.sampled", () => PerSensor(l => l.Sampled), unit: "{reading}", description: "Measurements each sensor's reads gave, before the deadband");
        meter.CreateObservableGauge("gateway.sensor.state", SensorStates, description: "1 for each sensor's health state (ok, failing, failed), 0 for the others");

        // The outbox.
        meter.CreateObservableCounter("gateway.readings.stored", () => _outbox.Figures.Stored, unit: "{message}", description: "Readings and events stored since start (after each sensor's deadband)");
        meter.CreateObservableCounter("gateway.outbox.dropped", () => _outbox.Figures.Dropped, unit: "{message}", description: "Messages dropped to the outbox's limits since start (each announced as a gap)");
        meter.CreateObservableCounter("gateway.outbox.gaps", () => _outbox.Figures.Gaps, unit: "{gap}", description: "Gaps recorded since start");
        meter.CreateObservableGauge("gateway.outbox.pending", () => _outbox.Figures.Pending, unit: "{message}", description: "Messages accepted but not yet committed");
        meter.CreateObservableGauge("gateway.outbox.last_seq", () => _outbox.Figures.LastCommittedSeq, unit: "{seq}", description: "The seq of the last committed message");
        meter.CreateObservableGauge("gateway.outbox.size", () => _outbox.Figures.UsedBytes, unit: "By", description: "Bytes the outbox's database uses");
        meter.CreateObservableGauge("gateway.outbox.commit.duration", () => _outbox.Figures.LastCommitLatency.TotalSeconds, unit: "s", description: "How long the last group commit took");
        meter.CreateObservableGauge("gateway.outbox.disk_trouble", () => _outbox.Figures.DiskTrouble ? 1 : 0, description: "1 while the outbox cannot write its database");

        // Links: one series per configured link.
        meter.CreateObservableGauge("gateway.link.up", () => PerLink(l => l.State == "up" ? 1L : 0L), description: "1 while the link is connected");
        meter.CreateObservableCounter("gateway.link.connects", () => PerLink(l => l.Connects), unit: "{connection}", description: "Connections the link made (more than one: it reconnected)");
        meter.CreateObservableCounter("gateway.link.sent", () => PerLink(l => l.Counts.Sent), unit: "{message}", description: "Messages the link read from the outbox to send, resends after a reconnect included");
        meter.CreateObservableCounter("gateway.link.acknowledged", () => PerLink(l => l.Counts.Acknowledged), unit: "{message}", description: "Seqs the link's peer acknowledged since start");
        meter.CreateObservableGauge("gateway.link.backlog", () => PerOwed(o => (long?)o.Backlog), unit: "{message}", description: "Seqs committed after the one the link's peer acknowledged through");
        meter.CreateObservableGauge("gateway.link.oldest_unacknowledged.age", () => PerOwed(o => (double?)(o.Oldest is { } t ? Age(t) : 0)), unit: "s",
            description: "Age of the oldest reading the link's peer has not acknowledged (0: none)");
        meter.CreateObservableGauge("gateway.link.last_ack.age", () => PerOwed(o => o.LastAck is { } t ? Age(t) : (double?)null), unit: "s",
            description: "Seconds since the link's peer last acknowledged (no series until it has, in this run)");
    }

    private static KeyValuePair<string, object?> Tag(string name, string value) => new(name, value);

    private double Age(DateTimeOffset at) => Math.Max(0, (_time.GetUtcNow() - at).TotalSeconds);

    private bool Healthy() => !_heartbeats.TryFindStale(_options.Watchdog.HeartbeatTimeout, out _, out _);

    private IEnumerable<Measurement<long>> PerSensor(Func<SensorLoop, long> value) =>
        _sampler.Loops.Select(l => new Measurement<long>(value(l), Tag("sensor", l.Id)));

    private IEnumerable<Measurement<int>> SensorStates() =>
        _sampler.Loops.SelectMany(l => Enum.GetValues<HealthState>().Select(s =>
            new Measurement<int>(l.State == s ? 1 : 0, Tag("sensor", l.Id), Tag("state", s.ToString().ToLowerInvariant()))));

    private IEnumerable<Measurement<long>> PerLink(Func<ILinkControl, long> value) =>
        _links.All.Select(l => new Measurement<long>(value(l), Tag("link", l.Name), Tag("kind", l.Kind)));

    // Links with no place in the outbox (UDP), and any while the outbox cannot say, have no series.
    private IEnumerable<Measurement<T>> PerOwed<T>(Func<LinkOwed, T?> value)
        where T : struct
    {
        foreach (var (name, owed) in Owed())
        {
            if (owed is not null && value(owed) is { } v)
            {
                yield return new Measurement<T>(v, Tag("link", name));
            }
        }
    }

    private Dictionary<string, LinkOwed?> Owed()
    {
        lock (_owedLock)
        {
            if (_owedAt == 0 || _time.GetElapsedTime(_owedAt) > OwedReuse)
            {
                _owed = _links.All.ToDictionary(l => l.Name, l => _outbox.Owed(l.Name), StringComparer.Ordinal);
                _owedAt = _time.GetTimestamp();
            }

            return _owed;
        }
    }
}
