using System.Text;

namespace Gateway.Metrics;

/// <summary>
/// How a <see cref="System.Diagnostics.Metrics"/> instrument's name, unit and tags become Prometheus names, as
/// OpenTelemetry's Prometheus compatibility rules say (opentelemetry-specification, "Prometheus and OpenMetrics
/// Compatibility", Metric Metadata): characters outside <c>[a-zA-Z0-9_:]</c> become <c>_</c>; the unit is added as a
/// suffix in words (<c>s</c> → <c>_seconds</c>, <c>By</c> → <c>_bytes</c>; annotations in braces such as
/// <c>{message}</c> are dropped); a monotonic counter ends in <c>_total</c>. So <c>gateway.link.backlog</c> is
/// <c>gateway_link_backlog</c> and <c>gateway.sensor.read.duration</c> (s) <c>gateway_sensor_read_duration_seconds</c>.
/// Pure.
/// </summary>
internal static class PrometheusNames
{
    /// <summary>The metric name for <paramref name="name"/> in <paramref name="unit"/>, <c>_total</c> added for a counter.</summary>
    public static string Metric(string name, string? unit, bool counter)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        var text = new StringBuilder(Sanitize(name, allowColon: true));
        var suffix = UnitSuffix(unit);
        if (suffix.Length > 0 && !text.ToString().EndsWith("_" + suffix, StringComparison.Ordinal))
        {
            text.Append('_').Append(suffix);
        }

        if (counter && !text.ToString().EndsWith("_total", StringComparison.Ordinal))
        {
            text.Append("_total");
        }

        return text.ToString();
    }

    /// <summary>A label name: characters outside <c>[a-zA-Z0-9_]</c> become <c>_</c>, and a leading digit gets a <c>_</c> before it.</summary>
    public static string Label(string name) => Sanitize(name, allowColon: false);

    /// <summary>The unit in words: <c>s</c> → <c>seconds</c>, <c>By</c> → <c>bytes</c>; an annotation (<c>{…}</c>) or <c>1</c> → none.</summary>
    public static string UnitSuffix(string? unit)
    {
        if (string.IsNullOrEmpty(unit) || unit == "1")
        {
            return string.Empty;
        }

        var braces = unit.IndexOf('{', StringComparison.Ordinal);
        if (braces >= 0)
        {
            unit = unit[..braces]; // "{message}" → "", "By{page}" → "By"
        }

        return unit switch
        {
            "" => string.Empty,
            "s" => "seconds",
            "ms" => "milliseconds",
            "us" => "microseconds",
            "ns" => "nanoseconds",
            "min" => "minutes",
            "h" => "hours",
            "d" => "days",
            "By" => "bytes",
            "KiBy" => "kibibytes",
            "MiBy" => "mebibytes",
            "Hz" => "hertz",
            "Cel" => "celsius",
            "%" => "percent",
            _ => Sanitize(unit, allowColon: false),
        };
    }

    private static string Sanitize(string name, bool allowColon)
    {
        var text = new StringBuilder(name.Length + 1);
        foreach (var c in name)
        {
            text.Append(char.IsAsciiLetterOrDigit(c) || c == '_' || (allowColon && c == ':') ? c : '_');
        }

        if (text.Length == 0 || char.IsAsciiDigit(text[0]))
        {
            text.Insert(0, '_');
        }

        return text.ToString();
    }
}
