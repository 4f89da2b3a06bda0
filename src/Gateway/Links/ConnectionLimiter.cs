using System.Net;

namespace Gateway.Links;

/// <summary>
/// The connection slots of one listener: at most <c>MaxConnections</c> in all and <c>MaxConnectionsPerAddress</c> from
/// one peer address, so one host cannot hold every slot (issue 14, finding 8). An IPv4 peer seen as an IPv4-mapped
/// IPv6 address (RFC 4291 §2.5.5.2) counts as that IPv4 address. Pure; thread-safe.
/// </summary>
internal sealed class ConnectionLimiter
{
    private readonly int _max;
    private readonly int _perAddress;
    private readonly Lock _lock = new();
    private readonly Dictionary<IPAddress, int> _byAddress = [];
    private int _total;

    /// <summary>Creates the limiter.</summary>
    public ConnectionLimiter(int maxConnections, int maxPerAddress)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxConnections, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxPerAddress, 1);
        _max = maxConnections;
        _perAddress = maxPerAddress;
    }

    /// <summary>Connections held now.</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _total;
            }
        }
    }

    /// <summary>
    /// Takes a slot for a connection from <paramref name="address"/> (null: unknown, counted as one address);
    /// dispose the lease when the connection ends. Null when refused, with <paramref name="refusal"/> saying why.
    /// </summary>
    public IDisposable? TryAcquire(IPAddress? address, out string refusal)
    {
        var key = address is null ? IPAddress.None : address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
        lock (_lock)
        {
            if (_total >= _max)
            {
                refusal = $"at most {_max} connections";
                return null;
            }

            var fromAddress = _byAddress.GetValueOrDefault(key);
            if (fromAddress >= _perAddress)
            {
                refusal = $"at most {_perAddress} connections from one address";
                return null;
            }

            _byAddress[key] = fromAddress + 1;
            _total++;
        }

        refusal = string.Empty;
        return new Lease(this, key);
    }

    private void Release(IPAddress key)
    {
        lock (_lock)
        {
            _total--;
            if (--_byAddress[key] == 0)
            {
                _byAddress.Remove(key);
            }
        }
    }

    private sealed class Lease(ConnectionLimiter owner, IPAddress key) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                owner.Release(key);
            }
        }
    }
}
