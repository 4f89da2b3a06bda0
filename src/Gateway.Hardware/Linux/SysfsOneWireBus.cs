using System.Globalization;
using Gateway.Hardware.OneWire;

namespace Gateway.Hardware.Linux;

/// <summary>
/// 1-Wire slaves through the Linux w1 sysfs tree (Documentation/w1/w1-generic.rst): one folder per slave named
/// <c>FF-SSSSSSSSSSSS</c> under <c>/sys/bus/w1/devices</c> (configurable, so tests and the simulator can point it at
/// a folder of their own). Bus masters (<c>w1_bus_masterN</c>) are not slaves and are skipped.
/// </summary>
public sealed class SysfsOneWireBus : IOneWireBus
{
    /// <summary>Where the kernel puts the slaves.</summary>
    public const string DefaultRoot = "/sys/bus/w1/devices";

    private readonly string _root;

    /// <summary>Reads slaves under <paramref name="root"/>.</summary>
    public SysfsOneWireBus(string root = DefaultRoot)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(root);
        _root = root;
    }

    /// <summary>The sysfs folder read.</summary>
    public string Root => _root;

    /// <inheritdoc/>
    public IReadOnlyList<string> EnumerateDevices(byte? family = null)
    {
        if (!Directory.Exists(_root))
        {
            return [];
        }

        var prefix = family is { } f ? f.ToString("x2", CultureInfo.InvariantCulture) + "-" : null;
        return [.. Directory.EnumerateFileSystemEntries(_root)
            .Select(Path.GetFileName)
            .OfType<string>()
            .Where(IsSlaveId)
            .Where(id => prefix is null || id.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
            .Order(StringComparer.Ordinal)];
    }

    /// <inheritdoc/>
    public async Task<string> ReadFileAsync(string deviceId, string fileName, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(deviceId);
        ArgumentException.ThrowIfNullOrWhiteSpace(fileName);
        if (!IsSlaveId(deviceId) || fileName.Contains('/', StringComparison.Ordinal) || fileName.Contains("..", StringComparison.Ordinal))
        {
            throw new ArgumentException($"'{deviceId}/{fileName}' is not a 1-Wire slave file (ids look like 28-000005e2fdc3)");
        }

        var path = Path.Combine(_root, deviceId, fileName);
        try
        {
            return await File.ReadAllTextAsync(path, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new DeviceNotFoundException($"1-Wire slave {deviceId} is not present ({path} does not exist)", path);
        }
        catch (IOException ex)
        {
            // w1_therm reports a failed conversion or a bus error as an I/O error on read.
            throw new HardwareException($"reading {path} failed: {ex.Message}", path, null, ex);
        }
    }

    // "FF-SSSSSSSSSSSS": family code, dash, 12 hex digits (the 48-bit serial number).
    private static bool IsSlaveId(string id) =>
        id.Length == 15 && id[2] == '-' && id.Where((c, i) => i != 2).All(char.IsAsciiHexDigit);
}
