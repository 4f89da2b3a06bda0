using System.Diagnostics.Metrics;
using System.Globalization;

namespace Gateway.Metrics;

/// <summary>
/// Listens to the instruments of the meters it is given (<see cref="MeterListener"/>) and keeps what a scrape needs:
/// counters and histograms are added up as their measurements arrive (on whatever thread records them); observable
/// instruments are observed only when <see cref="Collect"/> asks, so between scrapes they cost nothing. Each label set
/// of an instrument is one series; an instrument keeps at most <see cref="MaxSeries"/> (further label sets are not
/// kept: the gateway's own tags are bounded by its configuration, this only guards against a runaway one).
/// </summary>
internal sealed class MetricsCollector : IDisposable
{
    /// <summary>The most label sets one instrument keeps.</summary>
    public const int MaxSeries = 1_000;

    // OpenTelemetry's default explicit bucket boundaries, for a histogram that gives no advice.
    private static readonly double[] DefaultBounds = [0, 5, 10, 25, 50, 75, 100, 250, 500, 750, 1000, 2500, 5000, 7500, 10000];

    // Snapshots the .NET 10 runtime declares as monotonic counters though they go down (dotnet/runtime#112077, #126167,
    // fixed after 10.0): written as the gauges its documentation ("Built-in metrics: System.Runtime") says they are.
    private static readonly HashSet<string> CountersThatAreGauges = new(StringComparer.Ordinal) { "dotnet.thread_pool.thread.count", "dotnet.thread_pool.queue.length" };

    private readonly MeterListener _listener = new();
    private readonly Lock _lock = new();
    private readonly List<Tracked> _instruments = [];

    /// <summary>Starts listening to every instrument whose meter <paramref name="include"/> accepts, now and later.</summary>
    public MetricsCollector(Func<Meter, bool> include)
    {
        ArgumentNullException.ThrowIfNull(include);
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (!include(instrument.Meter) || Tracked.Create(instrument) is not { } tracked)
            {
                return;
            }

            lock (_lock)
            {
                _instruments.Add(tracked);
            }

            listener.EnableMeasurementEvents(instrument, tracked);
        };
        _listener.MeasurementsCompleted = (_, state) =>
        {
            lock (_lock)
            {
                _instruments.Remove((Tracked)state!);
            }
        };
        _listener.SetMeasurementEventCallback<long>((_, value, tags, state) => ((Tracked)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<int>((_, value, tags, state) => ((Tracked)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<double>((_, value, tags, state) => ((Tracked)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<float>((_, value, tags, state) => ((Tracked)state!).Record(value, tags));
        _listener.Start();
    }

    /// <summary>Observes the observable instruments and returns every instrument's series, grouped by metric name.</summary>
    public IReadOnlyList<MetricFamily> Collect()
    {
        lock (_lock)
        {
            foreach (var tracked in _instruments)
            {
                tracked.BeginObservation();
            }

            _listener.RecordObservableInstruments(); // calls back Record on this thread, for each observable instrument
            var families = new List<MetricFamily>(_instruments.Count);
            foreach (var tracked in _instruments)
            {
                if (tracked.Snapshot() is { Points.Count: > 0 } family)
                {
                    families.Add(family);
                }
            }

            return families;
        }
    }

    /// <inheritdoc/>
    public void Dispose() => _listener.Dispose();

    // One instrument's series.
    private sealed class Tracked
    {
        private readonly Lock _lock = new();
        private readonly List<Series> _series = [];
        private readonly string _name;
        private readonly MetricKind _kind;
        private readonly string? _help;
        private readonly bool _observable;
        private readonly bool _adds; // a counter or up-down counter: measurements are increments
        private readonly double[]? _bounds;

        private Tracked(Instrument instrument, MetricKind kind, bool observable, bool adds, double[]? bounds)
        {
            _kind = kind;
            _observable = observable;
            _adds = adds;
            _bounds = bounds;
            _help = instrument.Description;
            _name = PrometheusNames.Metric(instrument.Name, instrument.Unit, kind == MetricKind.Counter);
        }

        // The kind from the instrument's type (no reflection beyond the generic definition, which NativeAOT keeps).
        public static Tracked? Create(Instrument instrument)
        {
            var type = instrument.GetType();
            if (!type.IsGenericType)
            {
                return null;
            }

            var definition = type.GetGenericTypeDefinition();
            return definition switch
            {
                _ when definition == typeof(Counter<>) => new Tracked(instrument, MetricKind.Counter, false, true, null),
                _ when definition == typeof(ObservableCounter<>) => new Tracked(instrument, CountersThatAreGauges.Contains(instrument.Name) ? MetricKind.Gauge : MetricKind.Counter, true, false, null),
                _ when definition == typeof(UpDownCounter<>) => new Tracked(instrument, MetricKind.Gauge, false, true, null),
                _ when definition == typeof(ObservableUpDownCounter<>) || definition == typeof(ObservableGauge<>) => new Tracked(instrument, MetricKind.Gauge, true, false, null),
                _ when definition == typeof(Gauge<>) => new Tracked(instrument, MetricKind.Gauge, false, false, null),
                _ when definition == typeof(Histogram<>) => new Tracked(instrument, MetricKind.Histogram, false, false, Bounds(instrument)),
                _ => null,
            };
        }

        private static double[] Bounds(Instrument instrument) => instrument switch
        {
            Histogram<double> { Advice.HistogramBucketBoundaries: { Count: > 0 } advised } => [.. advised],
            Histogram<long> { Advice.HistogramBucketBoundaries: { Count: > 0 } advised } => [.. advised.Select(b => (double)b)],
            Histogram<int> { Advice.HistogramBucketBoundaries: { Count: > 0 } advised } => [.. advised.Select(b => (double)b)],
            _ => DefaultBounds,
        };

        // An observable instrument's series are what its callback gives now: ones it no longer reports go.
        public void BeginObservation()
        {
            if (_observable)
            {
                lock (_lock)
                {
                    _series.Clear();
                }
            }
        }

        public void Record(double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            lock (_lock)
            {
                if (Find(tags) is not { } series)
                {
                    if (_series.Count >= MaxSeries)
                    {
                        return;
                    }

                    series = new Series(Labels(tags), _bounds);
                    _series.Add(series);
                }

                if (_bounds is not null)
                {
                    series.Observe(value, _bounds);
                }
                else if (_adds)
                {
                    series.Value += value;
                }
                else
                {
                    series.Value = value;
                }
            }
        }

        public MetricFamily Snapshot()
        {
            lock (_lock)
            {
                return new MetricFamily(_name, _kind, _help, [.. _series.Select(s => s.Point(_bounds))]);
            }
        }

        // Without allocating: the gateway records a read duration per sensor read.
        private Series? Find(ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            foreach (var series in _series)
            {
                if (series.Matches(tags))
                {
                    return series;
                }
            }

            return null;
        }

        private static KeyValuePair<string, string>[] Labels(ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            var labels = new KeyValuePair<string, string>[tags.Length];
            for (var i = 0; i < tags.Length; i++)
            {
                labels[i] = new(tags[i].Key, Text(tags[i].Value));
            }

            Array.Sort(labels, (a, b) => string.CompareOrdinal(a.Key, b.Key));
            return labels;
        }

        public static string Text(object? value) => value switch
        {
            null => string.Empty,
            string s => s,
            bool b => b ? "true" : "false",
            IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
            _ => value.ToString() ?? string.Empty,
        };
    }

    // One label set's running state. Its labels keep the instrument's tag names; Point gives them as Prometheus names.
    private sealed class Series(KeyValuePair<string, string>[] labels, double[]? bounds)
    {
        private readonly long[]? _counts = bounds is null ? null : new long[bounds.Length + 1];
        private double _sum;
        private long _count;

        public double Value { get; set; }

        public bool Matches(ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            if (tags.Length != labels.Length)
            {
                return false;
            }

            foreach (var tag in tags)
            {
                var found = false;
                foreach (var label in labels)
                {
                    if (label.Key == tag.Key)
                    {
                        found = tag.Value is string s ? label.Value == s : label.Value == Tracked.Text(tag.Value);
                        break;
                    }
                }

                if (!found)
                {
                    return false;
                }
            }

            return true;
        }

        public void Observe(double value, double[] bounds)
        {
            var bucket = 0;
            while (bucket < bounds.Length && value > bounds[bucket])
            {
                bucket++; // a bucket counts values up to and including its bound (le)
            }

            _counts![bucket]++;
            _sum += value;
            _count++;
        }

        public MetricPoint Point(double[]? bounds)
        {
            KeyValuePair<string, string>[] names = [.. labels.Select(l => new KeyValuePair<string, string>(PrometheusNames.Label(l.Key), l.Value))];
            return bounds is null
                ? new MetricPoint(names, Value)
                : new MetricPoint(names, 0, new HistogramPoint(bounds, [.. _counts!], _sum, _count));
        }
    }
}
