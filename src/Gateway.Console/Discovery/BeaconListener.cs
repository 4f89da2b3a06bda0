using System.Net;
using System.Net.Sockets;
using Gateway.Console.Cli;
using Gateway.Protocol;
using Gateway.Protocol.Transport;

namespace Gateway.Console.Discovery;

/// <summary>
/// Listens on a UDP port for the beacons gateways broadcast (<c>Gateway:Upstream:Udp:Endpoint</c>, every
/// <c>BeaconInterval</c>) for a while. The socket shares the port (SO_REUSEADDR), so discovery works beside another
/// receiver of the same broadcasts. Readings on the same port are ignored.
/// </summary>
internal static class BeaconListener
{
    /// <summary>Collects beacons on <paramref name="port"/> at <paramref name="address"/> for <paramref name="duration"/>.</summary>
    /// <exception cref="GwctlException">The port cannot be bound.</exception>
    public static async Task<DiscoveredGateways> ListenAsync(IPAddress address, int port, TimeSpan duration, TimeProvider time, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(address);
        ArgumentNullException.ThrowIfNull(time);
        using var socket = new Socket(address.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            socket.EnableBroadcast = true;
            socket.Bind(new IPEndPoint(address, port));
        }
        catch (SocketException ex)
        {
            throw new GwctlException(ExitCodes.Unavailable, $"cannot listen for beacons on udp {address}:{port}: {ex.Message}", ex);
        }

        var found = new DiscoveredGateways();
        var buffer = new byte[64 * 1024];
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(duration);
        EndPoint any = new IPEndPoint(address.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any, 0);
        while (!limit.IsCancellationRequested)
        {
            SocketReceiveFromResult received;
            try
            {
                received = await socket.ReceiveFromAsync(buffer, SocketFlags.None, any, limit.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }
            catch (SocketException)
            {
                continue;
            }

            if (received.ReceivedBytes <= ProtocolInfo.MaxDatagram
                && Inbound.Parse(buffer.AsSpan(0, received.ReceivedBytes)).Message is BeaconMessage beacon
                && Protocol.Commands.CommandFields.IsToken(beacon.Device))
            {
                found.Add(beacon, ((IPEndPoint)received.RemoteEndPoint).Address, time.GetUtcNow());
            }
        }

        return found;
    }
}
