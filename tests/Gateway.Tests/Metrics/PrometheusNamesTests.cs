using Gateway.Metrics;

namespace Gateway.Tests.Metrics;

public sealed class PrometheusNamesTests
{
    [Theory]
    [InlineData("gateway.link.backlog", "{message}", false, "gateway_link_backlog")]
    [InlineData("gateway.link.sent", "{message}", true, "gateway_link_sent_total")]
    [InlineData("gateway.sensor.read.duration", "s", false, "gateway_sensor_read_duration_seconds")]
    [InlineData("gateway.outbox.size", "By", false, "gateway_outbox_size_bytes")]
    [InlineData("dotnet.gc.heap.total_allocated", "By", true, "dotnet_gc_heap_total_allocated_bytes_total")]
    [InlineData("dotnet.process.cpu.time", "s", true, "dotnet_process_cpu_time_seconds_total")]
    [InlineData("gateway.healthy", null, false, "gateway_healthy")]
    [InlineData("requests_total", "1", true, "requests_total")]
    [InlineData("latency_seconds", "s", false, "latency_seconds")]
    [InlineData("9lives-and.more", "", false, "_9lives_and_more")]
    public void Instrument_names_follow_the_opentelemetry_prometheus_rules(string name, string? unit, bool counter, string expected) =>
        Assert.Equal(expected, PrometheusNames.Metric(name, unit, counter));

    [Theory]
    [InlineData("gc.heap.generation", "gc_heap_generation")]
    [InlineData("sensor", "sensor")]
    [InlineData("a:b", "a_b")]
    public void Label_names_keep_only_letters_digits_and_underscores(string name, string expected) =>
        Assert.Equal(expected, PrometheusNames.Label(name));
}
