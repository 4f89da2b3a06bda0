using System.Buffers;
using System.Globalization;
using Gateway.Hardware.OneWire;

namespace Gateway.Hardware.Linux;

/// <summary>
/// 1-Wire slaves through the Linux w1 sysfs tree (Documentation/w1/w1-generic.rst): one entry per slave named
/// <c>FF-SSSSSSSSSSSS</c> (family code and 48-bit serial, lower-case hex) under <c>/sys/bus/w1/devices</c>, holding
/// files such as <c>w1_slave</c> (Documentation/w1/slaves/w1_therm.rst). Bus masters (<c>w1_bus_masterN</c>) live in
/// the same folder and are not slaves. The root is configurable so tests and the simulator can use a folder of their own.
/// </summary>
public sealed class SysfsOneWireBus : IOneWireBus
{
    /// <summary>Where the kernel lists the slaves.</summary>
    public const string DefaultRoot = "/sys/bus/w1/devices";

    private static readonly SearchValues<char> HexDigits = SearchValues.Create("0123456789abcdefABCDEF");

    /// <summary>Reads slaves under <paramref name="root"/>.</summary>
    /// <param name="root">The w1 devices folder; <see cref="DefaultRoot"/> on a real board.</param>
    public SysfsOneWireBus(string root = DefaultRoot)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(root);
        Root = root;
    }

    /// <summary>The folder read.</summary>
    public string Root { get; }

    /// <inheritdoc/>
    /// <exception cref="DeviceNotFoundException">The folder does not exist (1-Wire not enabled).</exception>
    /// <exception cref="HardwareException">The folder cannot be listed.</exception>
    public IReadOnlyList<string> EnumerateDevices(byte? family = null)
    {
        try
        {
            // Entries, not directories: in sysfs each slave is a symbolic link to its device.
            return [.. Directory.EnumerateFileSystemEntries(Root)
                .Select(Path.GetFileName)
                .OfType<string>()
                .Where(id => TryParseFamily(id, out var f) && (family is null || f == family))
                .Order(StringComparer.Ordinal)];
        }
        catch (DirectoryNotFoundException)
        {
            throw new DeviceNotFoundException(
                $"{Root} does not exist: is 1-Wire enabled (dtoverlay=w1-gpio in config.txt, or the w1 modules loaded)?", Root);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new HardwareException($"listing {Root} failed: {ex.Message}", Root, null, ex);
        }
    }

    /// <inheritdoc/>
    /// <exception cref="ArgumentException">The id or file name is empty or would leave the slave's folder.</exception>
    /// <exception cref="HardwareException">The file exists but cannot be read (w1_therm reports a bus error this way).</exception>
    public async Task<string> ReadFileAsync(string deviceId, string fileName, CancellationToken cancellationToken)
    {
        CheckName(deviceId, nameof(deviceId));
        CheckName(fileName, nameof(fileName));
        var folder = Path.Join(Root, deviceId);
        var path = Path.Join(folder, fileName);
        try
        {
            return await File.ReadAllTextAsync(path, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            var message = Directory.Exists(folder)
                ? $"1-Wire slave {deviceId} has no file {fileName} ({path} does not exist)"
                : $"1-Wire slave {deviceId} is not present ({folder} does not exist)";
            throw new DeviceNotFoundException(message, path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new HardwareException($"reading {path} failed: {ex.Message}", path, null, ex);
        }
    }

    /// <summary>Whether <paramref name="id"/> is a slave's name, <c>FF-SSSSSSSSSSSS</c>, and its family code.</summary>
    internal static bool TryParseFamily(string id, out byte family)
    {
        family = 0;
        return id.Length == 15
            && id[2] == '-'
            && !id.AsSpan(3).ContainsAnyExcept(HexDigits)
            && byte.TryParse(id.AsSpan(0, 2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out family);
    }

    // A name is one path segment inside the slave's folder: no separators, no parent references.
    private static void CheckName(string name, string parameter)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name, parameter);
        if (name.Contains('/', StringComparison.Ordinal) || name.Contains('\\', StringComparison.Ordinal)
            || name.Contains("..", StringComparison.Ordinal) || name.Contains('\0', StringComparison.Ordinal))
        {
            throw new ArgumentException($"'{name}' is not a single name inside the 1-Wire tree (no '/', '\\' or '..')", parameter);
        }
    }
}
