using System.Globalization;

namespace Gateway.FirmwareSim.Faults;

/// <summary>The kinds of fault the simulator can inject.</summary>
public enum FaultKind
{
    /// <summary>The device does not acknowledge: every transaction fails with a NACK.</summary>
    Nack,

    /// <summary>The bus times out on every transaction with the device.</summary>
    Timeout,

    /// <summary>Data arrives with a wrong checksum (SHT3x CRC byte, DS18B20 "crc=… NO").</summary>
    BadCrc,

    /// <summary>The conversion never completes (BME280 measuring bit, ADS1115 OS bit, SHT3x and BH1750 NACK the read; DS18B20 reads 85 °C).</summary>
    Stuck,

    /// <summary>The device is gone (unplugged): NACK on I2C, its folder vanishes on 1-Wire.</summary>
    Gone,

    /// <summary>A different chip answers at the address (BME280 id 0x58, the BMP280).</summary>
    WrongId,

    /// <summary>The GPIO line is held by someone else: opening it fails with EBUSY.</summary>
    Busy,
}

/// <summary>
/// A fault as written on the command line and in scenarios: <c>kind target [duration]</c>, e.g. <c>nack env</c>,
/// <c>timeout sht3x 5s</c>, <c>busy gpio17</c>. The target is a device name or type from the scenario, or
/// <c>gpioN</c> for a line.
/// </summary>
/// <param name="Kind">What goes wrong.</param>
/// <param name="Target">Which device (lower case).</param>
/// <param name="Duration">How long, or null until cleared.</param>
public sealed record FaultSpec(FaultKind Kind, string Target, TimeSpan? Duration)
{
    /// <summary>The grammar, for error messages.</summary>
    public const string Grammar = "'<kind> <target> [duration]' with kind nack, timeout, badcrc, stuck, gone, wrongid or busy, e.g. 'nack env' or 'timeout sht3x 5s'";

    /// <summary>Parses a fault description.</summary>
    /// <exception cref="FormatException">It does not follow <see cref="Grammar"/>; the message says what is wrong.</exception>
    public static FaultSpec Parse(string text)
    {
        var words = (text ?? string.Empty).Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (words.Length is < 2 or > 3)
        {
            throw new FormatException($"'{text}' is not a fault: expected {Grammar}");
        }

        if (!Enum.TryParse<FaultKind>(words[0], ignoreCase: true, out var kind) || !Enum.IsDefined(kind) || int.TryParse(words[0], out _))
        {
            throw new FormatException($"unknown fault kind '{words[0]}': expected nack, timeout, badcrc, stuck, gone, wrongid or busy");
        }

        TimeSpan? duration = null;
        if (words.Length == 3)
        {
            duration = ParseDuration(words[2]) ?? throw new FormatException($"'{words[2]}' is not a duration like 5s, 500ms or 2m");
        }

        return new FaultSpec(kind, words[1].ToLowerInvariant(), duration);
    }

    /// <inheritdoc/>
    public override string ToString() => Duration is { } d
        ? string.Create(CultureInfo.InvariantCulture, $"{Kind.ToString().ToLowerInvariant()} {Target} {d.TotalSeconds:0.###}s")
        : $"{Kind.ToString().ToLowerInvariant()} {Target}";

    private static TimeSpan? ParseDuration(string s)
    {
        (string number, double scale) = s.EndsWith("ms", StringComparison.OrdinalIgnoreCase) ? (s[..^2], 0.001)
            : s.EndsWith('s') ? (s[..^1], 1)
            : s.EndsWith('m') ? (s[..^1], 60)
            : s.EndsWith('h') ? (s[..^1], 3600)
            : (s, double.NaN);
        return !double.IsNaN(scale) && double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && v > 0
            ? TimeSpan.FromSeconds(v * scale)
            : null;
    }
}
