using System.Diagnostics.Metrics;
using Gateway.Metrics;

namespace Gateway.Tests.Metrics;

public sealed class MetricsCollectorTests : IDisposable
{
    private readonly string _meterName = $"test.{Guid.NewGuid():N}";
    private readonly Meter _meter;
    private readonly MetricsCollector _collector;

    public MetricsCollectorTests()
    {
        _meter = new Meter(_meterName);
        _collector = new MetricsCollector(m => m.Name == _meterName);
    }

    public void Dispose()
    {
        _collector.Dispose();
        _meter.Dispose();
    }

    private MetricFamily Family(string name) => Assert.Single(_collector.Collect(), f => f.Name == name);

    private static KeyValuePair<string, object?> Tag(string key, object? value) => new(key, value);

    [Fact]
    public void A_counter_adds_its_measurements_per_label_set_whatever_the_tag_order()
    {
        var counter = _meter.CreateCounter<long>("cmd", "{command}");
        counter.Add(1, Tag("code", "ok"), Tag("link", "tcp"));
        counter.Add(2, Tag("link", "tcp"), Tag("code", "ok"));
        counter.Add(1, Tag("code", "bad_signature"), Tag("link", "tcp"));

        var family = Family("cmd_total");
        Assert.Equal(MetricKind.Counter, family.Kind);
        Assert.Equal(2, family.Points.Count);
        Assert.Equal(3, family.Points[0].Value);
        Assert.Equal([new("code", "ok"), new("link", "tcp")], family.Points[0].Labels);
    }

    [Fact]
    public void An_observable_instrument_is_read_at_collect_time_and_a_series_it_stops_giving_goes()
    {
        var value = 5L;
        var withSeries = true;
        _meter.CreateObservableGauge("backlog", () => withSeries ? [new Measurement<long>(value, Tag("link", "tcp"))] : Array.Empty<Measurement<long>>());

        Assert.Equal(5, Assert.Single(Family("backlog").Points).Value);
        value = 9;
        Assert.Equal(9, Assert.Single(Family("backlog").Points).Value);
        withSeries = false;
        Assert.DoesNotContain(_collector.Collect(), f => f.Name == "backlog");
    }

    [Fact]
    public void An_observable_counter_reports_its_total_not_a_sum_of_observations()
    {
        var total = 10L;
        _meter.CreateObservableCounter("reads", () => total, "{read}");
        _collector.Collect();
        total = 12;

        Assert.Equal(12, Assert.Single(Family("reads_total").Points).Value);
    }

    [Fact]
    public void A_histogram_counts_each_value_in_the_first_bucket_whose_bound_it_does_not_exceed()
    {
        var histogram = _meter.CreateHistogram("read.duration", "s", null, null, new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.01, 0.1] });
        foreach (var v in new[] { 0.005, 0.01, 0.05, 0.5 })
        {
            histogram.Record(v, Tag("sensor", "bme"));
        }

        var point = Assert.Single(Family("read_duration_seconds").Points);
        Assert.Equal([0.01, 0.1], point.Histogram!.Bounds);
        Assert.Equal([2L, 1L, 1L], point.Histogram.Counts);
        Assert.Equal(4, point.Histogram.Count);
        Assert.Equal(0.565, point.Histogram.Sum, 9);
    }

    [Fact]
    public void An_instrument_keeps_at_most_max_series_so_a_runaway_tag_cannot_grow_memory_without_bound()
    {
        var counter = _meter.CreateCounter<int>("runaway");
        for (var i = 0; i < MetricsCollector.MaxSeries + 50; i++)
        {
            counter.Add(1, Tag("id", i));
        }

        Assert.Equal(MetricsCollector.MaxSeries, Family("runaway_total").Points.Count);
    }

    [Fact]
    public void Up_down_counters_and_gauges_are_gauges_and_only_monotonic_counters_end_in_total()
    {
        _meter.CreateObservableUpDownCounter("threads", () => 3L, "{thread}");
        _meter.CreateUpDownCounter<long>("queue").Add(2);
        _meter.CreateGauge<double>("temperature").Record(21.5);

        var families = _collector.Collect().ToDictionary(f => f.Name);
        Assert.Equal(MetricKind.Gauge, families["threads"].Kind);
        Assert.Equal(MetricKind.Gauge, families["queue"].Kind);
        Assert.Equal(21.5, Assert.Single(families["temperature"].Points).Value);
    }

    [Fact]
    public void Meters_the_filter_refuses_are_not_collected()
    {
        using var other = new Meter($"other.{Guid.NewGuid():N}");
        other.CreateCounter<long>("elsewhere").Add(1);

        Assert.DoesNotContain(_collector.Collect(), f => f.Name == "elsewhere_total");
    }
}

public sealed class RuntimeMetricsCollectionTests
{
    [Fact]
    public void The_runtimes_process_gc_and_thread_pool_figures_are_collected_with_their_kinds()
    {
        using var collector = new MetricsCollector(m => m.Name == "System.Runtime");
        var families = collector.Collect().ToDictionary(f => f.Name);

        Assert.True(families.ContainsKey("dotnet_process_cpu_time_seconds_total"), string.Join(", ", families.Select(f => $"{f.Key} {f.Value.Kind}")));
        Assert.Equal(MetricKind.Counter, families["dotnet_process_cpu_time_seconds_total"].Kind);
        Assert.Equal(MetricKind.Gauge, families["dotnet_process_memory_working_set_bytes"].Kind);
        Assert.True(families.ContainsKey("dotnet_thread_pool_thread_count"), string.Join(", ", families.Select(f => $"{f.Key} {f.Value.Kind}")));
        Assert.Equal(MetricKind.Gauge, families["dotnet_thread_pool_thread_count"].Kind);
        Assert.Equal(MetricKind.Counter, families["dotnet_gc_collections_total"].Kind);
    }
}
