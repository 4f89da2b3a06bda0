using System.Globalization;

namespace Gateway.Console.Cli;

/// <summary>Durations as the gateway's configuration writes them: <c>500ms</c>, <c>10s</c>, <c>1.5s</c>, <c>2m</c>, <c>1h</c>, <c>1d</c> or <c>00:00:05</c>.</summary>
internal static class Durations
{
    /// <summary>What is accepted, for error messages.</summary>
    public const string Expected = "a duration such as 500ms, 10s, 2m, 1h or 00:00:05";

    /// <summary>Parses <paramref name="text"/>; a bare number is refused (seconds or milliseconds?).</summary>
    /// <exception cref="FormatException">Not a duration, or not positive.</exception>
    public static TimeSpan Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var s = text.Trim();
        TimeSpan value;
        if (s.Contains(':', StringComparison.Ordinal))
        {
            if (!TimeSpan.TryParse(s, CultureInfo.InvariantCulture, out value))
            {
                throw new FormatException($"'{text}' is not {Expected}");
            }
        }
        else
        {
            var unitAt = 0;
            while (unitAt < s.Length && (char.IsAsciiDigit(s[unitAt]) || s[unitAt] == '.'))
            {
                unitAt++;
            }

            if (unitAt == 0 || !double.TryParse(s[..unitAt], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number))
            {
                throw new FormatException($"'{text}' is not {Expected}");
            }

            value = s[unitAt..].ToLowerInvariant() switch
            {
                "ms" => TimeSpan.FromMilliseconds(number),
                "s" => TimeSpan.FromSeconds(number),
                "m" => TimeSpan.FromMinutes(number),
                "h" => TimeSpan.FromHours(number),
                "d" => TimeSpan.FromDays(number),
                "" => throw new FormatException($"'{text}' has no unit; write e.g. {number.ToString(CultureInfo.InvariantCulture)}s or {number.ToString(CultureInfo.InvariantCulture)}ms"),
                var unit => throw new FormatException($"'{text}': unknown unit '{unit}'; expected {Expected}"),
            };
        }

        return value > TimeSpan.Zero ? value : throw new FormatException($"'{text}' is not a positive duration");
    }
}
