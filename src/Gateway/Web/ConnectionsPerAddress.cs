using System.Net;

namespace Gateway.Web;

/// <summary>
/// Open connections counted per remote address, so one address cannot hold every slot of the console (Kestrel limits
/// connections only in total). An address's entry lives only while it has connections open, so the table is never
/// larger than the connections the server admits. Pure.
/// </summary>
internal sealed class ConnectionsPerAddress
{
    private readonly int _limit;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, int> _open = new(StringComparer.Ordinal);

    /// <summary>Creates the counter; <paramref name="limit"/> connections per address at most.</summary>
    public ConnectionsPerAddress(int limit)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        _limit = limit;
    }

    /// <summary>The most connections one address may hold.</summary>
    public int Limit => _limit;

    /// <summary>Takes a slot for <paramref name="address"/>; false when it already holds <see cref="Limit"/>.</summary>
    public bool TryOpen(IPAddress? address)
    {
        var key = PeerEventSummary.Name(address);
        lock (_lock)
        {
            var open = _open.GetValueOrDefault(key);
            if (open >= _limit)
            {
                return false;
            }

            _open[key] = open + 1;
            return true;
        }
    }

    /// <summary>Gives back a slot taken by <see cref="TryOpen"/>.</summary>
    public void Close(IPAddress? address)
    {
        var key = PeerEventSummary.Name(address);
        lock (_lock)
        {
            if (!_open.TryGetValue(key, out var open))
            {
                return;
            }

            if (open <= 1)
            {
                _open.Remove(key);
            }
            else
            {
                _open[key] = open - 1;
            }
        }
    }

    /// <summary>Connections <paramref name="address"/> holds now.</summary>
    public int OpenFrom(IPAddress? address)
    {
        lock (_lock)
        {
            return _open.GetValueOrDefault(PeerEventSummary.Name(address));
        }
    }
}
