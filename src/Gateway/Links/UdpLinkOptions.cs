using Gateway.Protocol.Transport;

namespace Gateway.Links;

/// <summary><c>Gateway:Upstream:Udp</c>: live readings and discovery beacons by UDP broadcast.</summary>
internal sealed record UdpLinkOptions
{
    /// <summary>The link's name, for status: <c>udp</c> or <c>udp:&lt;name&gt;</c>.</summary>
    public string Name { get; init; } = "udp";

    /// <summary><c>Endpoint</c>: where datagrams go, e.g. <c>192.168.1.255:7002</c> or <c>255.255.255.255:7002</c>.</summary>
    public required HostEndpoint Endpoint { get; init; }

    /// <summary><c>BeaconInterval</c>: how often a <c>beacon</c> is sent.</summary>
    public TimeSpan BeaconInterval { get; init; } = TimeSpan.FromSeconds(5);
}
