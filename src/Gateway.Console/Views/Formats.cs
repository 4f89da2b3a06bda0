using System.Globalization;
using Gateway.Protocol;

namespace Gateway.Console.Views;

/// <summary>How values, times and messages are written in gwctl's text output. Pure.</summary>
internal static class Formats
{
    /// <summary>A measured value: up to four decimals, no exponent for everyday magnitudes; <c>null</c> for a non-finite one.</summary>
    public static string Value(double value) =>
        !double.IsFinite(value) ? "null"
        : Math.Abs(value) is >= 1e-4 and < 1e9 or 0 ? value.ToString("0.####", CultureInfo.InvariantCulture)
        : value.ToString("G6", CultureInfo.InvariantCulture);

    /// <summary>ISO 8601 UTC with milliseconds, as the protocol writes times.</summary>
    public static string Time(DateTimeOffset ts) => ts.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    /// <summary>How long ago, compactly: <c>3s</c>, <c>2m</c>, <c>5h</c>, <c>2d</c>.</summary>
    public static string Age(TimeSpan age) =>
        age < TimeSpan.Zero ? "0s"
        : age.TotalSeconds < 60 ? string.Create(CultureInfo.InvariantCulture, $"{(int)age.TotalSeconds}s")
        : age.TotalMinutes < 60 ? string.Create(CultureInfo.InvariantCulture, $"{(int)age.TotalMinutes}m")
        : age.TotalHours < 48 ? string.Create(CultureInfo.InvariantCulture, $"{(int)age.TotalHours}h")
        : string.Create(CultureInfo.InvariantCulture, $"{(int)age.TotalDays}d");

    /// <summary>An uptime in seconds, e.g. <c>2h 5m</c>.</summary>
    public static string Uptime(long seconds)
    {
        var t = TimeSpan.FromSeconds(Math.Max(0, seconds));
        return t.TotalDays >= 1 ? string.Create(CultureInfo.InvariantCulture, $"{(int)t.TotalDays}d {t.Hours}h")
            : t.TotalHours >= 1 ? string.Create(CultureInfo.InvariantCulture, $"{t.Hours}h {t.Minutes}m")
            : t.TotalMinutes >= 1 ? string.Create(CultureInfo.InvariantCulture, $"{t.Minutes}m {t.Seconds}s")
            : string.Create(CultureInfo.InvariantCulture, $"{t.Seconds}s");
    }

    /// <summary>
    /// One line for a reading or event, for pipes and logs:
    /// <c>2026-11-23T06:30:54.474Z pi-01 #1201 env temperature 21.5 Cel</c>, or for an event
    /// <c>2026-11-23T06:30:55.001Z pi-01 #1202 env health failed: no acknowledge from i2c-1@0x76</c>.
    /// </summary>
    public static string Line(Message message) => message switch
    {
        ReadingMessage r => string.Create(CultureInfo.InvariantCulture, $"{Time(r.Timestamp)} {OneLine(r.Device)} #{r.Seq} {OneLine(r.Sensor)} {OneLine(r.Quantity)} {Value(r.Value)}{(r.Unit.Length > 0 ? " " + OneLine(r.Unit) : string.Empty)}"),
        EventMessage e => string.Create(CultureInfo.InvariantCulture, $"{Time(e.Timestamp)} {OneLine(e.Device)} #{e.Seq} {OneLine(e.Sensor)} {OneLine(e.Kind)} {OneLine(e.Message)}"),
        _ => MessageWriter.ToJson(message),
    };

    /// <summary>The state word of a health message (<c>failed: no acknowledge…</c> → <c>failed</c>).</summary>
    public static string HealthState(string message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var colon = message.IndexOf(':', StringComparison.Ordinal);
        return (colon < 0 ? message : message[..colon]).Trim();
    }

    /// <summary>Text from a peer made safe for one line: control characters (a terminal escape, a line break) become spaces.</summary>
    public static string OneLine(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return string.Create(text.Length, text, static (span, s) =>
        {
            for (var i = 0; i < s.Length; i++)
            {
                span[i] = char.IsControl(s[i]) ? ' ' : s[i];
            }
        });
    }
}
