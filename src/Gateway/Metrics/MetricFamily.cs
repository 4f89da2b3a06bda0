namespace Gateway.Metrics;

/// <summary>What kind of figure a metric is, as the Prometheus text says it (<c># TYPE</c>).</summary>
internal enum MetricKind
{
    /// <summary>Only grows while the gateway runs (<c>…_total</c>).</summary>
    Counter,

    /// <summary>Goes up and down.</summary>
    Gauge,

    /// <summary>Counts of observations by upper bound, their sum and count.</summary>
    Histogram,
}

/// <summary>One metric at one scrape: its Prometheus name, kind, help text and a point per label set.</summary>
/// <param name="Name">The Prometheus name (<see cref="PrometheusNames.Metric"/>).</param>
/// <param name="Kind">The kind.</param>
/// <param name="Help">What it measures (the instrument's description), or null.</param>
/// <param name="Points">A point per label set, in the order first seen.</param>
internal sealed record MetricFamily(string Name, MetricKind Kind, string? Help, IReadOnlyList<MetricPoint> Points);

/// <summary>One label set's value; for a histogram, its buckets instead.</summary>
/// <param name="Labels">Label names (already Prometheus names) and values.</param>
/// <param name="Value">The value (a counter's total, a gauge's reading); unused for a histogram.</param>
/// <param name="Histogram">A histogram's buckets, or null.</param>
internal sealed record MetricPoint(IReadOnlyList<KeyValuePair<string, string>> Labels, double Value, HistogramPoint? Histogram = null);

/// <summary>A histogram's state: observations counted per bucket, their sum and count.</summary>
/// <param name="Bounds">The buckets' upper bounds, ascending (the last bucket, to +Inf, has none).</param>
/// <param name="Counts">Observations per bucket, not cumulative: one more entry than <paramref name="Bounds"/>.</param>
/// <param name="Sum">The sum of the observations.</param>
/// <param name="Count">How many observations.</param>
internal sealed record HistogramPoint(IReadOnlyList<double> Bounds, IReadOnlyList<long> Counts, double Sum, long Count);
