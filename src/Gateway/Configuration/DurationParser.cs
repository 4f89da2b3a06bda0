using System.Globalization;

namespace Gateway.Configuration;

/// <summary>
/// Parses durations as operators write them: <c>500ms</c>, <c>5s</c>, <c>2m</c>, <c>1h</c>, <c>1d</c>,
/// or .NET's constant format <c>00:00:05</c>.
/// </summary>
internal static class DurationParser
{
    /// <summary>Parses <paramref name="text"/>; false when it is not a duration (negative ones included).</summary>
    public static bool TryParse(string? text, out TimeSpan duration)
    {
        duration = default;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        var s = text.Trim();
        if (s.Contains(':', StringComparison.Ordinal))
        {
            return TimeSpan.TryParseExact(s, "c", CultureInfo.InvariantCulture, out duration)
                && duration >= TimeSpan.Zero;
        }

        var (number, scale) = SplitUnit(s);
        if (scale is null
            || !decimal.TryParse(number, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value))
        {
            return false;
        }

        // Compare before multiplying: a huge number times a unit overflows even decimal.
        if (value > TimeSpan.MaxValue.Ticks / scale.Value)
        {
            return false;
        }

        duration = TimeSpan.FromTicks((long)(value * scale.Value));
        return true;
    }

    /// <summary>Formats a duration the short way this parser reads back (e.g. <c>5s</c>, <c>250ms</c>).</summary>
    public static string Format(TimeSpan duration)
    {
        if (duration.Ticks % TimeSpan.TicksPerSecond != 0)
        {
            return string.Create(CultureInfo.InvariantCulture, $"{duration.TotalMilliseconds}ms");
        }

        return duration.TotalSeconds switch
        {
            var s when s % 86400 == 0 && s > 0 => string.Create(CultureInfo.InvariantCulture, $"{s / 86400}d"),
            var s when s % 3600 == 0 && s > 0 => string.Create(CultureInfo.InvariantCulture, $"{s / 3600}h"),
            var s when s % 60 == 0 && s > 0 => string.Create(CultureInfo.InvariantCulture, $"{s / 60}m"),
            var s => string.Create(CultureInfo.InvariantCulture, $"{s}s"),
        };
    }

    private static (string Number, decimal? TicksPerUnit) SplitUnit(string s)
    {
        // Longest suffix first: "ms" before "m" and "s".
        if (s.EndsWith("ms", StringComparison.OrdinalIgnoreCase))
        {
            return (s[..^2], TimeSpan.TicksPerMillisecond);
        }

        if (s.Length < 2)
        {
            return (s, null);
        }

        decimal? unit = char.ToLowerInvariant(s[^1]) switch
        {
            's' => TimeSpan.TicksPerSecond,
            'm' => TimeSpan.TicksPerMinute,
            'h' => TimeSpan.TicksPerHour,
            'd' => TimeSpan.TicksPerDay,
            _ => null,
        };
        return (s[..^1], unit);
    }
}
