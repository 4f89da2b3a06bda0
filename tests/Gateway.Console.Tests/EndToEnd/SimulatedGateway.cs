using System.Globalization;
using Gateway.Console.Tests.Infrastructure;

namespace Gateway.Console.Tests.EndToEnd;

/// <summary>
/// A real gateway on a separate firmware-sim process (so the relay line can be read from the simulated side), set up
/// the way the README's walkthrough does it: keys made by 'gwctl keygen' (an operator and a viewer), TCP, WebSocket
/// and UDP command listeners, beacons to the loopback broadcast address, and an upstream link to a running
/// 'gwctl listen --control'. A second upstream link points at a port where the terminal test starts its own listen.
/// Shared by the tests of one class (they run one after another), so processes start once.
/// </summary>
public sealed class SimulatedGateway : IAsyncLifetime
{
    public const string Device = "e2e-01";
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private readonly TempDirectory _dir = new();
    private ChildProcess? _sim;
    private ChildProcess? _gateway;
    private ChildProcess? _listen;

    public string Dir => _dir.Path;

    public string OperatorKey => _dir.File("operator.key");

    public string ViewerKey => _dir.File("viewer.key");

    public string SimSocket => _dir.File("sim.sock");

    public int TcpPort { get; private set; }

    public int WebSocketPort { get; private set; }

    public int UdpPort { get; private set; }

    public int WebConsolePort { get; private set; }

    public int BeaconPort { get; private set; }

    public int ListenControlPort { get; private set; }

    /// <summary>Where the terminal test's own 'gwctl listen' must listen: the gateway's second TCP link points there.</summary>
    public int TerminalListenPort { get; private set; }

    internal ChildProcess Gateway => _gateway!;

    internal ChildProcess Listen => _listen!;

    public async ValueTask InitializeAsync()
    {
        var keygen = await Gwctl.RunAsync(Dir, "keygen", "--name", "operator", "--out", OperatorKey, "--allow", "ping,status,output.set,output.get,config.get");
        Assert.True(keygen.ExitCode == 0, keygen.ToString());
        var viewer = await Gwctl.RunAsync(Dir, "keygen", "--name", "viewer", "--out", ViewerKey, "--allow", "ping,status");
        Assert.True(viewer.ExitCode == 0, viewer.ToString());

        _sim = ChildProcess.Start("dotnet", [Paths.FirmwareSimDll, "serve", "--socket", SimSocket], Dir);
        _listen = Gwctl.Start(Dir, "listen", "--tcp", "127.0.0.1:0", "--control", "127.0.0.1:0");
        var upstream = Port(await _listen.WaitForLineAsync("listening on tcp://127.0.0.1:", Timeout, stderr: true), "tcp://127.0.0.1:");
        ListenControlPort = Port(await _listen.WaitForLineAsync("control port 127.0.0.1:", Timeout, stderr: true), "control port 127.0.0.1:");
        await _sim.WaitForLineAsync("listening on", Timeout);

        TerminalListenPort = Paths.FreeTcpPort();
        BeaconPort = Paths.FreeUdpPort();

        // The configuration lines keygen printed are the ones the gateway gets: the walkthrough's path.
        var configuration = keygen.Stdout.Concat(viewer.Stdout).Select(l => l.Trim()).Where(l => l.StartsWith("--Gateway:Commands:Keys:", StringComparison.Ordinal)).ToList();
        Assert.Equal(4, configuration.Count);
        _gateway = ChildProcess.Start(ProgramUnderTest.Gateway.FileName,
        [
            .. ProgramUnderTest.Gateway.LeadingArguments,
            $"--Gateway:DeviceId={Device}",
            $"--Gateway:StateDirectory={_dir.File("state")}",
            "--Gateway:Hardware:Backend=RemoteSimulator",
            $"--Gateway:Hardware:SimulatorSocket={SimSocket}",
            "--Gateway:Sampling:Interval=500ms",
            "--Gateway:Listener:Tcp=127.0.0.1:0",
            "--Gateway:Listener:WebSocket=127.0.0.1:0",
            "--Gateway:Listener:Udp=127.0.0.1:0",
            "--Gateway:Listener:Http=127.0.0.1:0",
            $"--Gateway:Upstream:Udp:Endpoint=127.255.255.255:{BeaconPort}",
            "--Gateway:Upstream:Udp:BeaconInterval=1s",
            $"--Gateway:Upstream:Tcp:Endpoint=127.0.0.1:{upstream}",
            "--Gateway:Upstream:Tcp:BackoffMax=1s",
            $"--Gateway:Upstream:Tcp:Links:terminal:Endpoint=127.0.0.1:{TerminalListenPort}",
            "--Gateway:Upstream:Tcp:Links:terminal:BackoffMax=500ms",
            .. configuration,
        ], Dir);
        TcpPort = Port(await _gateway.WaitForLineAsync("Listener tcp listening on 127.0.0.1:", Timeout), "127.0.0.1:");
        UdpPort = Port(await _gateway.WaitForLineAsync("UDP command port listening on 127.0.0.1:", Timeout), "127.0.0.1:");
        var ws = await _gateway.WaitForLineAsync("listening on ws://", Timeout);
        WebSocketPort = new Uri(ws[ws.IndexOf("ws://", StringComparison.Ordinal)..].Trim()).Port;
        WebConsolePort = Port(await _gateway.WaitForLineAsync("Web console on http://127.0.0.1:", Timeout), "http://127.0.0.1:");
        await _gateway.WaitForLineAsync("Application started", Timeout); // every service has started
        await _listen.WaitForLineAsync($"{Device} connected", Timeout, stderr: true);
    }

    /// <summary>The relay's GPIO line as the simulated board sees it, read with 'firmware-sim line'.</summary>
    public async Task<int> RelayLevelAsync()
    {
        using var line = ChildProcess.Start("dotnet", [Paths.FirmwareSimDll, "line", "0", "22", "--socket", SimSocket], Dir);
        Assert.Equal(0, await line.WaitForExitAsync(Timeout));
        return int.Parse(line.Stdout.Single().Trim(), CultureInfo.InvariantCulture);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var process in new[] { _gateway, _listen, _sim })
        {
            if (process is null)
            {
                continue;
            }

            if (!process.HasExited)
            {
                process.Signal(Signals.SIGTERM);
                await process.WaitForExitAsync(Timeout);
            }

            process.Dispose();
        }

        _dir.Dispose();
    }

    private static int Port(string line, string before)
    {
        var at = line.IndexOf(before, StringComparison.Ordinal) + before.Length;
        var end = at;
        while (end < line.Length && char.IsAsciiDigit(line[end]))
        {
            end++;
        }

        return int.Parse(line[at..end], CultureInfo.InvariantCulture);
    }
}
