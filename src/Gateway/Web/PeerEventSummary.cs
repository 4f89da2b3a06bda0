using System.Net;

namespace Gateway.Web;

/// <summary>
/// Keeps a flood from flooding the log: of one kind of event (a wrong token, a bad request …) the first from each
/// address in an interval is logged in full, the rest are only counted, and <see cref="Flush"/> (called once per
/// interval) hands back how many each address sent beyond its first, for one summary line per address. Nothing is
/// dropped silently: every event is either logged or counted. Bounded: at most <see cref="MaxAddresses"/> addresses
/// are told apart per interval, later ones are counted together under <see cref="OtherAddresses"/>.
/// </summary>
internal sealed class PeerEventSummary
{
    /// <summary>Addresses counted one by one per interval.</summary>
    public const int MaxAddresses = 1024;

    /// <summary>The name the summary uses for events from addresses beyond <see cref="MaxAddresses"/>.</summary>
    public const string OtherAddresses = "other addresses";

    private readonly Lock _lock = new();
    private readonly Dictionary<string, int> _counts = new(StringComparer.Ordinal);

    /// <summary>Counts an event from <paramref name="address"/>; true when it is the first from there this interval (log it).</summary>
    public bool Record(IPAddress? address)
    {
        var key = Name(address);
        lock (_lock)
        {
            if (_counts.TryGetValue(key, out var count))
            {
                _counts[key] = count + 1;
                return false;
            }

            if (_counts.Count >= MaxAddresses)
            {
                _counts[OtherAddresses] = _counts.GetValueOrDefault(OtherAddresses) + 1;
                return false;
            }

            _counts[key] = 1;
            return true;
        }
    }

    /// <summary>Ends the interval: per address, the events that were counted but not logged (only those with any).</summary>
    public IReadOnlyList<(string Address, int Count)> Flush()
    {
        lock (_lock)
        {
            var result = _counts
                .Select(c => (c.Key, c.Key == OtherAddresses ? c.Value : c.Value - 1))
                .Where(c => c.Item2 > 0)
                .OrderBy(c => c.Key, StringComparer.Ordinal)
                .ToList();
            _counts.Clear();
            return result;
        }
    }

    /// <summary>The address as logged: IPv4-mapped IPv6 addresses shown as IPv4.</summary>
    public static string Name(IPAddress? address) => address is null
        ? "unknown"
        : (address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address).ToString();
}
