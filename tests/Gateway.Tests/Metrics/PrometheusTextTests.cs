using System.Text;
using Gateway.Metrics;

namespace Gateway.Tests.Metrics;

public sealed class PrometheusTextTests
{
    private static string Write(params MetricFamily[] families)
    {
        var text = new StringBuilder();
        PrometheusText.Write(families, text);
        return text.ToString();
    }

    private static KeyValuePair<string, string>[] Labels(params (string Key, string Value)[] labels) =>
        [.. labels.Select(l => new KeyValuePair<string, string>(l.Key, l.Value))];

    [Fact]
    public void A_counter_is_written_with_help_type_and_one_line_per_label_set()
    {
        var text = Write(new MetricFamily("gateway_link_sent_total", MetricKind.Counter, "Messages sent",
            [new MetricPoint(Labels(("link", "tcp")), 42), new MetricPoint(Labels(("link", "mqtt")), 7)]));

        Assert.Equal(
            "# HELP gateway_link_sent_total Messages sent\n" +
            "# TYPE gateway_link_sent_total counter\n" +
            "gateway_link_sent_total{link=\"tcp\"} 42\n" +
            "gateway_link_sent_total{link=\"mqtt\"} 7\n",
            text);
    }

    [Fact]
    public void A_gauge_without_labels_has_no_braces_and_numbers_round_trip()
    {
        var text = Write(new MetricFamily("gateway_start_time_seconds", MetricKind.Gauge, null, [new MetricPoint([], 1765123456.789)]));

        Assert.Equal("# TYPE gateway_start_time_seconds gauge\ngateway_start_time_seconds 1765123456.789\n", text);
    }

    [Fact]
    public void A_histogram_has_cumulative_buckets_ending_in_plus_inf_then_sum_and_count()
    {
        var text = Write(new MetricFamily("read_seconds", MetricKind.Histogram, null,
            [new MetricPoint(Labels(("sensor", "bme")), 0, new HistogramPoint([0.001, 0.01], [2, 3, 1], 0.05, 6))]));

        Assert.Equal(
            "# TYPE read_seconds histogram\n" +
            "read_seconds_bucket{sensor=\"bme\",le=\"0.001\"} 2\n" +
            "read_seconds_bucket{sensor=\"bme\",le=\"0.01\"} 5\n" +
            "read_seconds_bucket{sensor=\"bme\",le=\"+Inf\"} 6\n" +
            "read_seconds_sum{sensor=\"bme\"} 0.05\n" +
            "read_seconds_count{sensor=\"bme\"} 6\n",
            text);
    }

    [Fact]
    public void Label_values_and_help_are_escaped_so_a_hostile_name_cannot_break_the_format()
    {
        var text = Write(new MetricFamily("m", MetricKind.Gauge, "a \\ b\nc", [new MetricPoint(Labels(("sensor", "x\"} 1\ny\\")), 1)]));

        Assert.Equal("# HELP m a \\\\ b\\nc\n# TYPE m gauge\nm{sensor=\"x\\\"} 1\\ny\\\\\"} 1\n", text);
    }

    [Theory]
    [InlineData(double.NaN, "NaN")]
    [InlineData(double.PositiveInfinity, "+Inf")]
    [InlineData(double.NegativeInfinity, "-Inf")]
    [InlineData(0.1, "0.1")]
    [InlineData(-3.0, "-3")]
    [InlineData(1e21, "1E+21")]
    public void Numbers_are_spelt_as_the_format_expects(double value, string expected) =>
        Assert.Equal(expected, PrometheusText.Number(value));
}
