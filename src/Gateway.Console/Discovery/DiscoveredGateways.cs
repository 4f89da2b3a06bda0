using System.Net;
using Gateway.Protocol;

namespace Gateway.Console.Discovery;

/// <summary>One gateway found by its beacons.</summary>
/// <param name="Device">Its device id.</param>
/// <param name="Address">The address its beacons came from.</param>
/// <param name="Firmware">Its version.</param>
/// <param name="Uptime">Seconds since it started, as of its latest beacon.</param>
/// <param name="Listeners">Where consoles connect (a wildcard host replaced by <paramref name="Address"/>).</param>
/// <param name="Beacons">How many of its beacons arrived.</param>
/// <param name="LastSeen">When the latest arrived.</param>
internal sealed record DiscoveredGateway(string Device, string Address, string Firmware, long Uptime, IReadOnlyList<string> Listeners, int Beacons, DateTimeOffset LastSeen);

/// <summary>
/// Gathers beacons into one entry per device (the latest beacon wins). A listener bound to every address
/// (<c>tcp://0.0.0.0:7000</c>) is advertised as such; it is reachable at the address the beacon came from, so that is
/// shown instead. Pure.
/// </summary>
internal sealed class DiscoveredGateways
{
    /// <summary>Most devices kept (a bound against a flood of forged beacons).</summary>
    public const int MaxDevices = 1024;

    private readonly Dictionary<string, DiscoveredGateway> _found = new(StringComparer.Ordinal);

    /// <summary>The gateways found, by device id.</summary>
    public IReadOnlyList<DiscoveredGateway> All => [.. _found.Values.OrderBy(g => g.Device, StringComparer.Ordinal)];

    /// <summary>Takes one beacon from <paramref name="sender"/>.</summary>
    public void Add(BeaconMessage beacon, IPAddress sender, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(beacon);
        ArgumentNullException.ThrowIfNull(sender);
        if (!_found.TryGetValue(beacon.Device, out var known) && _found.Count >= MaxDevices)
        {
            return;
        }

        var address = sender.IsIPv4MappedToIPv6 ? sender.MapToIPv4().ToString() : sender.ToString();
        _found[beacon.Device] = new DiscoveredGateway(
            beacon.Device,
            address,
            beacon.Firmware,
            beacon.UptimeSeconds,
            [.. beacon.Listeners.Select(l => Reachable(l, address))],
            (known?.Beacons ?? 0) + 1,
            at);
    }

    /// <summary><paramref name="url"/> with a wildcard host (<c>0.0.0.0</c>, <c>[::]</c>) replaced by <paramref name="address"/>.</summary>
    public static string Reachable(string url, string address)
    {
        ArgumentNullException.ThrowIfNull(url);
        ArgumentNullException.ThrowIfNull(address);
        var host = address.Contains(':', StringComparison.Ordinal) ? $"[{address}]" : address;
        foreach (var wildcard in new[] { "0.0.0.0", "[::]" })
        {
            var at = url.IndexOf("://" + wildcard + ":", StringComparison.Ordinal);
            if (at >= 0)
            {
                return url[..(at + 3)] + host + url[(at + 3 + wildcard.Length)..];
            }
        }

        return url;
    }
}
