using System.Net;
using System.Net.Sockets;

namespace Gateway.Console.Tests.Infrastructure;

/// <summary>Where things are: the repository, and the programs built next to these tests.</summary>
internal static class Paths
{
    /// <summary>The folder holding Gateway.sln, found by walking up from the test binaries.</summary>
    public static string Root { get; } = FindRoot();

    /// <summary>firmware-sim.dll as built into this test project's output folder.</summary>
    public static string FirmwareSimDll { get; } = Path.Combine(AppContext.BaseDirectory, "firmware-sim.dll");

    /// <summary>A TCP port free on loopback right now (for a gateway that must be told an upstream's port before it starts).</summary>
    public static int FreeTcpPort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    /// <summary>A UDP port free on loopback right now.</summary>
    public static int FreeUdpPort()
    {
        using var probe = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)probe.Client.LocalEndPoint!).Port;
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Gateway.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"Gateway.sln not found above {AppContext.BaseDirectory}");
    }
}
