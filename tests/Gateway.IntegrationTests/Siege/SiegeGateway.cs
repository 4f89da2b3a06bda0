using System.Globalization;
using Gateway.IntegrationTests.Infrastructure;
using Gateway.Protocol.Commands;

namespace Gateway.IntegrationTests.Siege;

/// <summary>
/// The gateway under siege: the in-process simulated board sampled every 20 ms, every listener open on loopback (TCP,
/// WebSocket, the UDP command port, the web console), an operator key and a viewer key with access tokens, an honest
/// acknowledged TCP upstream and a second TCP link (<c>tcp:hostile</c>) to the hostile upstream. Lines up to
/// <see cref="MaxLineLength"/> are accepted, so 100k-deep nesting reaches the parsers instead of the line limit; a
/// listener connection idle for 10 s is dropped, so connections that hold a slot without saying anything go within
/// the siege. Listener slots stay at their defaults (16 per listener).
/// </summary>
internal sealed class SiegeGateway
{
    public const string Device = "siege-01";
    public const int MaxLineLength = 256 * 1024;
    public const string OperatorToken = "siege-operator-token-0123456789";
    public const string ViewerToken = "siege-viewer-token-0123456789ab";
    public static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);
    public static readonly byte[] OperatorSecret = [.. Enumerable.Range(1, 32).Select(i => (byte)i)];
    public static readonly byte[] ViewerSecret = [.. Enumerable.Range(101, 32).Select(i => (byte)i)];

    private SiegeGateway(GatewayProcess process, string stateDirectory, int tcp, int webSocket, int udp, int http)
    {
        Process = process;
        StateDirectory = stateDirectory;
        TcpPort = tcp;
        WebSocketPort = webSocket;
        UdpPort = udp;
        HttpPort = http;
    }

    public GatewayProcess Process { get; }

    public string StateDirectory { get; }

    public string DatabasePath => Path.Combine(StateDirectory, "gateway.db");

    public int TcpPort { get; }

    public int WebSocketPort { get; }

    public int UdpPort { get; }

    public int HttpPort { get; }

    /// <summary>Starts the gateway in <paramref name="dir"/> with its links pointed at the two upstreams.</summary>
    public static async Task<SiegeGateway> StartAsync(TempDirectory dir, int honestPort, int hostilePort)
    {
        var state = dir.File("state");
        var process = GatewayProcess.Start(dir.Path,
        [
            $"--Gateway:DeviceId={Device}",
            $"--Gateway:StateDirectory={state}",
            "--Gateway:Hardware:Backend=Simulated",
            "--Gateway:Sampling:Interval=20ms",
            "--Gateway:Listener:Tcp=127.0.0.1:0",
            "--Gateway:Listener:WebSocket=127.0.0.1:0",
            "--Gateway:Listener:Udp=127.0.0.1:0",
            "--Gateway:Listener:Http=127.0.0.1:0",
            $"--Gateway:Listener:MaxLineLength={MaxLineLength}",
            "--Gateway:Listener:IdleTimeout=10s",
            $"--Gateway:Commands:Keys:operator:Secret={Convert.ToBase64String(OperatorSecret)}",
            "--Gateway:Commands:Keys:operator:Allow=ping,status,output.set,output.get",
            $"--Gateway:Commands:Keys:operator:Token={OperatorToken}",
            $"--Gateway:Commands:Keys:viewer:Secret={Convert.ToBase64String(ViewerSecret)}",
            "--Gateway:Commands:Keys:viewer:Allow=ping,status",
            $"--Gateway:Commands:Keys:viewer:Token={ViewerToken}",
            $"--Gateway:Upstream:Tcp:Endpoint=127.0.0.1:{honestPort}",
            "--Gateway:Upstream:Tcp:BackoffMax=1s",
            $"--Gateway:Upstream:Tcp:Links:hostile:Endpoint=127.0.0.1:{hostilePort}",
            "--Gateway:Upstream:Tcp:Links:hostile:BackoffMax=1s",
            "--Gateway:Upstream:Tcp:Links:hostile:Heartbeat=2s",
            "--Gateway:Upstream:Tcp:Links:hostile:IdleTimeout=10s",
            $"--Gateway:Upstream:Tcp:Links:hostile:MaxLineLength={MaxLineLength}",
        ]);
        var tcp = LastPort(await process.WaitForLineAsync("Listener tcp listening on 127.0.0.1:", StartTimeout));
        var udp = LastPort(await process.WaitForLineAsync("UDP command port listening on 127.0.0.1:", StartTimeout));
        var ws = UrlPort(await process.WaitForLineAsync("Listener websocket listening on ws://", StartTimeout), "ws://");
        var http = UrlPort(await process.WaitForLineAsync("Web console on http://", StartTimeout), "http://");
        return new SiegeGateway(process, state, tcp, ws, udp, http);
    }

    /// <summary>A command signed with the operator's key, as a console would sign it.</summary>
    public static Protocol.CommandMessage Sign(string id, string name, string? args, string key = "operator") =>
        CommandSigning.Create(key, key == "viewer" ? ViewerSecret : OperatorSecret, Device, id, name, args, DateTimeOffset.UtcNow, CommandSigning.NewNonce());

    private static int LastPort(string line) => int.Parse(line[(line.LastIndexOf(':') + 1)..].Trim(), CultureInfo.InvariantCulture);

    private static int UrlPort(string line, string scheme)
    {
        var url = line[line.IndexOf(scheme, StringComparison.Ordinal)..].Split(' ')[0];
        return new Uri(url).Port;
    }
}
