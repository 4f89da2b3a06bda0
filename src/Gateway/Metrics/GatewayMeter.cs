using System.Diagnostics.Metrics;

namespace Gateway.Metrics;

/// <summary>
/// The gateway's measured events (<see cref="System.Diagnostics.Metrics"/>, meter <see cref="Name"/>): what happens one
/// event at a time and so cannot be read off a running total — how long each sensor read took, and each command's
/// result. Everything kept as a total elsewhere (reads, stored, sent, acknowledged …) is observed at scrape time instead
/// (<see cref="GatewayMetrics"/>). Recording costs nothing while no listener (the <c>/metrics</c> exporter) is enabled.
/// </summary>
internal static class GatewayMeter
{
    /// <summary>The meter's name: the exporter listens to it (and to the runtime's <c>System.Runtime</c>).</summary>
    public const string Name = "Gateway";

    // Sensor reads on I2C take 1-50 ms (a BME280 forced measurement ~10 ms at 1x oversampling, datasheet 9.1; a DS18B20
    // 12-bit conversion 750 ms, datasheet table 2), a read timeout is seconds: buckets from 0.5 ms to 5 s.
    private static readonly double[] ReadBuckets = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

    private static readonly Meter Meter = new(Name);

    /// <summary><c>gateway.sensor.read.duration</c> (s): each read attempt, tagged <c>sensor</c> and <c>outcome</c> (<c>ok</c>, <c>error</c>).</summary>
    public static readonly Histogram<double> SensorReadDuration = Meter.CreateHistogram(
        "gateway.sensor.read.duration",
        unit: "s",
        description: "How long each sensor read took, failed ones included",
        tags: null,
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = ReadBuckets });

    /// <summary><c>gateway.commands</c>: each command's result, tagged <c>code</c> (<c>ok</c> or the error code, docs/protocol.md) and <c>link</c>.</summary>
    public static readonly Counter<long> Commands = Meter.CreateCounter<long>(
        "gateway.commands",
        unit: "{command}",
        description: "Commands handled, by result code and the link they came on");
}
