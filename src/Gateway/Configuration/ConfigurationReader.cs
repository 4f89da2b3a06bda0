using System.Globalization;
using Gateway.Protocol.Transport;
using Microsoft.Extensions.Configuration;

namespace Gateway.Configuration;

/// <summary>
/// Reads raw configuration strings key by key, records every problem with the full key and the value found,
/// and remembers which keys it knows so that unknown ones (typos) can be reported.
/// </summary>
internal sealed class ConfigurationReader
{
    private readonly IConfiguration _root;
    private readonly List<ConfigurationProblem> _problems = [];
    private readonly HashSet<string> _knownKeys = new(StringComparer.OrdinalIgnoreCase);
    private readonly List<string> _knownPrefixes = [];
    private readonly HashSet<string> _secretKeys = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Creates a reader over the whole configuration.</summary>
    public ConfigurationReader(IConfiguration root)
    {
        ArgumentNullException.ThrowIfNull(root);
        _root = root;
    }

    /// <summary>Every problem found so far, in the order the keys were read.</summary>
    public IReadOnlyList<ConfigurationProblem> Problems => _problems;

    /// <summary>Marks a key as secret: its value never appears in a problem message.</summary>
    public void Secret(string key) => _secretKeys.Add(key);

    /// <summary>Declares that every key under <paramref name="prefix"/> is known (free-form sections such as log levels).</summary>
    public void KnownSection(string prefix) => _knownPrefixes.Add(prefix.TrimEnd(':') + ":");

    /// <summary>The raw value of a key, or <see langword="null"/> when missing or empty.</summary>
    public string? Raw(string key)
    {
        _knownKeys.Add(key);
        var value = _root[key];
        return string.IsNullOrWhiteSpace(value) ? null : value;
    }

    /// <summary>Adds a problem for <paramref name="key"/>, redacting the value when the key is secret.</summary>
    public void Problem(string key, string? value, string allowed)
        => _problems.Add(new ConfigurationProblem(key, value is not null && _secretKeys.Contains(key) ? "<redacted>" : value, allowed));

    /// <summary>A required string that must satisfy <paramref name="isValid"/>.</summary>
    public string Required(string key, Func<string, bool> isValid, string allowed)
    {
        var value = Raw(key);
        if (value is null)
        {
            Problem(key, null, allowed);
            return string.Empty;
        }

        if (!isValid(value))
        {
            Problem(key, value, allowed);
        }

        return value;
    }

    /// <summary>An optional string; <paramref name="fallback"/> when missing.</summary>
    public string Optional(string key, string fallback) => Raw(key) ?? fallback;

    /// <summary>A duration between <paramref name="min"/> and <paramref name="max"/>; <paramref name="fallback"/> when missing.</summary>
    public TimeSpan Duration(string key, TimeSpan fallback, TimeSpan min, TimeSpan max)
        => OptionalDuration(key, min, max) ?? fallback;

    /// <summary>A duration between <paramref name="min"/> and <paramref name="max"/>, or <see langword="null"/> when missing.</summary>
    public TimeSpan? OptionalDuration(string key, TimeSpan min, TimeSpan max)
    {
        var value = Raw(key);
        if (value is null)
        {
            return null;
        }

        if (DurationParser.TryParse(value, out var duration) && duration >= min && duration <= max)
        {
            return duration;
        }

        Problem(key, value, string.Create(
            CultureInfo.InvariantCulture,
            $"a duration from {DurationParser.Format(min)} to {DurationParser.Format(max)}, e.g. \"5s\", \"500ms\", \"2m\" or \"00:00:05\""));
        return null;
    }

    /// <summary>One of the names of <typeparamref name="TEnum"/>, case-insensitive; numbers are refused.</summary>
    public TEnum Enum<TEnum>(string key, TEnum fallback)
        where TEnum : struct, System.Enum
    {
        var value = Raw(key);
        if (value is null)
        {
            return fallback;
        }

        foreach (var name in System.Enum.GetNames<TEnum>())
        {
            if (string.Equals(name, value.Trim(), StringComparison.OrdinalIgnoreCase))
            {
                return System.Enum.Parse<TEnum>(name);
            }
        }

        Problem(key, value, "one of " + string.Join(", ", System.Enum.GetNames<TEnum>()));
        return fallback;
    }

    /// <summary>An optional <c>host:port</c> endpoint; <paramref name="allowPortZero"/> for listeners (0 = any free port).</summary>
    public HostEndpoint? Endpoint(string key, bool allowPortZero = false)
    {
        var value = Raw(key);
        if (value is null)
        {
            return null;
        }

        if (HostEndpoint.TryParse(value, allowPortZero, out var endpoint, out _))
        {
            return endpoint;
        }

        Problem(key, value, HostEndpoint.Expected);
        return null;
    }
    /// <summary>
    /// A secret's file (<paramref name="key"/>, e.g. <c>TokenFile</c>): null when the key is absent; its full path
    /// when it names a readable file only its owner can read (mode 600 or stricter), else null with a problem that
    /// says what to do.
    /// </summary>
    public string? OwnerOnlyFile(string key, string workingDirectory)
    {
        if (Raw(key) is not { } file)
        {
            return null;
        }

        var path = Path.GetFullPath(file, workingDirectory);
        if (!File.Exists(path))
        {
            Problem(key, file, "the path of an existing file, readable only by its owner (chmod 600)");
            return null;
        }

        if (OwnerOnlyProblem(path) is { } problem)
        {
            Problem(key, file, $"a file only its owner can read: {problem}");
            return null;
        }

        return path;
    }

    /// <summary>Why <paramref name="path"/> is not a file only its owner may read (group or others have any access: its mode, and the chmod that fixes it), or null.</summary>
    public static string? OwnerOnlyProblem(string path)
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS())
        {
            return null;
        }

        var mode = File.GetUnixFileMode(path);
        const UnixFileMode groupOrOthers = UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
            | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;
        return (mode & groupOrOthers) == 0
            ? null
            : $"it has mode {Convert.ToString((int)mode, 8).PadLeft(4, '0')}; run chmod 600 {path}";
    }


    /// <summary>The names of the sub-sections of <paramref name="section"/> (e.g. the sensor ids under <c>Gateway:Sensors</c>).</summary>
    public IReadOnlyList<string> Children(string section) => [.. _root.GetSection(section).GetChildren().Select(c => c.Key)];

    /// <summary>An integer between <paramref name="min"/> and <paramref name="max"/>; <paramref name="fallback"/> when missing.</summary>
    public int Int(string key, int fallback, int min, int max)
    {
        var value = Raw(key);
        if (value is null)
        {
            return fallback;
        }

        if (TryParseInt(value, out var number) && number >= min && number <= max)
        {
            return number;
        }

        Problem(key, value, string.Create(CultureInfo.InvariantCulture, $"a whole number from {min} to {max}"));
        return fallback;
    }

    /// <summary>An integer written in decimal or as <c>0x</c> hex (bus addresses), or null when missing.</summary>
    public int? OptionalInt(string key, int min, int max, string allowed)
    {
        var value = Raw(key);
        if (value is null)
        {
            return null;
        }

        if (TryParseInt(value, out var number) && number >= min && number <= max)
        {
            return number;
        }

        Problem(key, value, allowed);
        return null;
    }

    /// <summary>A size in bytes, written as a number or with a unit: <c>64KB</c>, <c>512MB</c>, <c>2GB</c> (powers of 1024).</summary>
    public long Size(string key, long fallback, long min, long max)
    {
        var value = Raw(key);
        if (value is null)
        {
            return fallback;
        }

        var s = value.Trim().ToUpperInvariant();
        var (digits, scale) = s switch
        {
            _ when s.EndsWith("GB", StringComparison.Ordinal) => (s[..^2], 1L << 30),
            _ when s.EndsWith("MB", StringComparison.Ordinal) => (s[..^2], 1L << 20),
            _ when s.EndsWith("KB", StringComparison.Ordinal) => (s[..^2], 1L << 10),
            _ when s.EndsWith('B') => (s[..^1], 1L),
            _ => (s, 1L),
        };
        if (long.TryParse(digits.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n <= max / scale && n * scale >= min && n * scale <= max)
        {
            return n * scale;
        }

        Problem(key, value, string.Create(CultureInfo.InvariantCulture, $"a size from {min / 1024}KB to {max >> 30}GB, e.g. 512MB"));
        return fallback;
    }

    /// <summary><c>true</c> or <c>false</c>; <paramref name="fallback"/> when missing.</summary>
    public bool Bool(string key, bool fallback)
    {
        var value = Raw(key);
        if (value is null)
        {
            return fallback;
        }

        if (bool.TryParse(value.Trim(), out var b))
        {
            return b;
        }

        Problem(key, value, "true or false");
        return fallback;
    }

    private static bool TryParseInt(string value, out int number)
    {
        var s = value.Trim();
        return s.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
            ? int.TryParse(s.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out number)
            : int.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out number);
    }

    /// <summary>Keys present under <paramref name="section"/> that no reader asked for: most likely typos.</summary>
    public IReadOnlyList<string> UnknownKeys(string section)
    {
        var unknown = new List<string>();
        foreach (var (key, value) in _root.GetSection(section).AsEnumerable())
        {
            // Only leaves carry values; intermediate sections come back with a null value.
            if (value is null || _knownKeys.Contains(key)
                || _knownPrefixes.Exists(p => key.StartsWith(p, StringComparison.OrdinalIgnoreCase)))
            {
                continue;
            }

            unknown.Add(key);
        }

        unknown.Sort(StringComparer.OrdinalIgnoreCase);
        return unknown;
    }
}
