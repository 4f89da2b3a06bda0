using System.Net;
using System.Net.Sockets;

namespace Gateway.IntegrationTests.Infrastructure;

/// <summary>Free TCP ports on 127.0.0.1 for servers a test starts (the port is free when asked; a server that loses the race fails to bind and says so).</summary>
internal static class LoopbackPorts
{
    /// <summary>A port no one listens on now.</summary>
    public static int Free()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
