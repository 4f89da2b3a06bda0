using System.Collections.Concurrent;

namespace Gateway.Console.Upstream;

/// <summary>Every device <c>gwctl listen</c> has heard from, at most <see cref="MaxDevices"/> (a bound against peers inventing ids).</summary>
internal sealed class DeviceBook
{
    private readonly ConcurrentDictionary<string, DeviceEntry> _devices = new(StringComparer.Ordinal);
    private readonly Lock _addLock = new();

    public DeviceBook(int maxDevices = 4096) => MaxDevices = maxDevices;

    /// <summary>Most devices tracked.</summary>
    public int MaxDevices { get; }

    /// <summary>The devices, in no particular order.</summary>
    public ICollection<DeviceEntry> Devices => _devices.Values;

    /// <summary>The device <paramref name="id"/>, created when new; null when the book is full.</summary>
    public DeviceEntry? GetOrAdd(string id)
    {
        if (_devices.TryGetValue(id, out var entry))
        {
            return entry;
        }

        lock (_addLock)
        {
            if (_devices.TryGetValue(id, out entry))
            {
                return entry;
            }

            if (_devices.Count >= MaxDevices)
            {
                return null;
            }

            entry = new DeviceEntry(id);
            _devices[id] = entry;
            return entry;
        }
    }

    /// <summary>The device <paramref name="id"/>, or null.</summary>
    public DeviceEntry? Find(string id) => _devices.TryGetValue(id, out var entry) ? entry : null;
}
