using System.Globalization;
using System.Text;

namespace Gateway.Metrics;

/// <summary>
/// Writes metric families in the Prometheus text exposition format, version 0.0.4 (prometheus.io, "Exposition
/// formats", Text-based format): a <c># HELP</c> and <c># TYPE</c> line per family, then one line per sample; a
/// histogram as cumulative <c>_bucket{le=…}</c> lines ending in <c>le="+Inf"</c>, then <c>_sum</c> and <c>_count</c>.
/// Pure.
/// </summary>
internal static class PrometheusText
{
    /// <summary>The response's content type for this format.</summary>
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    /// <summary>Writes <paramref name="families"/> to <paramref name="text"/>.</summary>
    public static void Write(IEnumerable<MetricFamily> families, StringBuilder text)
    {
        ArgumentNullException.ThrowIfNull(families);
        ArgumentNullException.ThrowIfNull(text);
        foreach (var family in families)
        {
            if (family.Help is { Length: > 0 } help)
            {
                text.Append("# HELP ").Append(family.Name).Append(' ');
                Escape(help, text, quote: false);
                text.Append('\n');
            }

            text.Append("# TYPE ").Append(family.Name).Append(' ').Append(family.Kind switch
            {
                MetricKind.Counter => "counter",
                MetricKind.Histogram => "histogram",
                _ => "gauge",
            }).Append('\n');
            foreach (var point in family.Points)
            {
                if (point.Histogram is { } histogram)
                {
                    WriteHistogram(family.Name, point.Labels, histogram, text);
                }
                else
                {
                    Sample(text, family.Name, string.Empty, point.Labels, null, point.Value);
                }
            }
        }
    }

    /// <summary>A number as the format spells it: shortest round-trip form, <c>NaN</c>, <c>+Inf</c>, <c>-Inf</c>.</summary>
    public static string Number(double value) =>
        double.IsNaN(value) ? "NaN"
        : double.IsPositiveInfinity(value) ? "+Inf"
        : double.IsNegativeInfinity(value) ? "-Inf"
        : value.ToString("R", CultureInfo.InvariantCulture);

    private static void WriteHistogram(string name, IReadOnlyList<KeyValuePair<string, string>> labels, HistogramPoint histogram, StringBuilder text)
    {
        long cumulative = 0;
        for (var i = 0; i < histogram.Bounds.Count; i++)
        {
            cumulative += histogram.Counts[i];
            Sample(text, name, "_bucket", labels, Number(histogram.Bounds[i]), cumulative);
        }

        Sample(text, name, "_bucket", labels, "+Inf", histogram.Count);
        Sample(text, name, "_sum", labels, null, histogram.Sum);
        Sample(text, name, "_count", labels, null, histogram.Count);
    }

    private static void Sample(StringBuilder text, string name, string suffix, IReadOnlyList<KeyValuePair<string, string>> labels, string? le, double value)
    {
        text.Append(name).Append(suffix);
        if (labels.Count > 0 || le is not null)
        {
            text.Append('{');
            var first = true;
            foreach (var (key, label) in labels)
            {
                text.Append(first ? string.Empty : ",").Append(key).Append("=\"");
                Escape(label, text, quote: true);
                text.Append('"');
                first = false;
            }

            if (le is not null)
            {
                text.Append(first ? string.Empty : ",").Append("le=\"").Append(le).Append('"');
            }

            text.Append('}');
        }

        text.Append(' ').Append(Number(value)).Append('\n');
    }

    // Label values escape backslash, double quote and line feed; help text backslash and line feed.
    private static void Escape(string value, StringBuilder text, bool quote)
    {
        foreach (var c in value)
        {
            _ = c switch
            {
                '\\' => text.Append(@"\\"),
                '\n' => text.Append(@"\n"),
                '"' when quote => text.Append("\\\""),
                _ => text.Append(c),
            };
        }
    }
}
