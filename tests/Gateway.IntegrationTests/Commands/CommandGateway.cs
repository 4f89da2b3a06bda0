using System.Globalization;
using System.Net.Sockets;
using System.Text;
using Gateway.Hardware.Remote;
using Gateway.IntegrationTests.Infrastructure;
using Gateway.Protocol;
using Gateway.Protocol.Commands;

namespace Gateway.IntegrationTests.Commands;

/// <summary>
/// A gateway on a separate firmware-sim process (so the relay line can be watched from the simulated side), with
/// command keys, a TCP listener, a WebSocket listener and a UDP command port on free loopback ports.
/// </summary>
internal sealed class CommandGateway : IAsyncDisposable
{
    public const string Device = "cmd-01";
    public const int RelayChip = 0;
    public const int RelayLine = 22; // appsettings.json: relay on GPIO22
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90); // generous: many gateways start at once on a loaded 2-core machine
    public static readonly byte[] OperatorSecret = [.. Enumerable.Range(1, 32).Select(i => (byte)i)];
    public static readonly byte[] ViewerSecret = [.. Enumerable.Range(101, 32).Select(i => (byte)i)];

    private readonly TempDirectory _dir;
    private readonly GatewayProcess _sim;
    private int _nonce;

    private CommandGateway(TempDirectory dir, GatewayProcess sim, GatewayProcess gateway, int tcp, int udp, int ws)
    {
        _dir = dir;
        _sim = sim;
        Process = gateway;
        TcpPort = tcp;
        UdpPort = udp;
        WebSocketPort = ws;
    }

    public GatewayProcess Process { get; }

    public int TcpPort { get; }

    public int UdpPort { get; }

    public int WebSocketPort { get; }

    public string StateDirectory => _dir.File("state");

    public static async Task<CommandGateway> StartAsync(TempDirectory dir, params string[] extra)
    {
        var socket = dir.File("sim.sock");
        var sim = GatewayProcess.StartCommand("dotnet", [RepositoryPaths.FirmwareSimDll, "serve", "--socket", socket], dir.Path);
        await sim.WaitForLineAsync("listening on", Timeout);

        var keyFile = dir.File("operator.key");
        await File.WriteAllTextAsync(keyFile, CommandKeyFile.Format("operator", OperatorSecret));
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(keyFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        var gateway = GatewayProcess.Start(dir.Path,
        [
            $"--Gateway:DeviceId={Device}",
            $"--Gateway:StateDirectory={dir.File("state")}",
            "--Gateway:Hardware:Backend=RemoteSimulator",
            $"--Gateway:Hardware:SimulatorSocket={socket}",
            "--Gateway:Listener:Tcp=127.0.0.1:0",
            "--Gateway:Listener:WebSocket=127.0.0.1:0",
            "--Gateway:Listener:Udp=127.0.0.1:0",
            $"--Gateway:Commands:Keys:operator:SecretFile={keyFile}",
            "--Gateway:Commands:Keys:operator:Allow=ping,status,output.set,output.get,sensor.read,sampling.set,link.reconnect,config.get",
            $"--Gateway:Commands:Keys:viewer:Secret={Convert.ToBase64String(ViewerSecret)}",
            "--Gateway:Commands:Keys:viewer:Allow=ping,status",
            .. extra,
        ]);
        var tcp = Port(await gateway.WaitForLineAsync("Listener tcp listening on 127.0.0.1:", Timeout));
        var udp = Port(await gateway.WaitForLineAsync("UDP command port listening on 127.0.0.1:", Timeout));
        var wsLine = await gateway.WaitForLineAsync("listening on ws://", Timeout);
        var ws = new Uri(wsLine[wsLine.IndexOf("ws://", StringComparison.Ordinal)..].Trim()).Port;
        return new CommandGateway(dir, sim, gateway, tcp, udp, ws);
    }

    private static int Port(string line) => int.Parse(line[(line.LastIndexOf(':') + 1)..].Trim(), CultureInfo.InvariantCulture);

    /// <summary>The relay line's level as the simulated board sees it.</summary>
    public int RelayLevel()
    {
        using var connection = new RemoteConnection(_dir.File("sim.sock"), TimeSpan.FromSeconds(5));
        return connection.Call(new RemoteRequest { Op = RemoteOps.SimLine, Chip = RelayChip, Pin = RelayLine }, "test").Value!.Value;
    }

    public string NextNonce() => $"nonce-{Interlocked.Increment(ref _nonce):000000}";

    public CommandMessage Sign(string name, string? args = null, string key = "operator", string? id = null, string device = Device, DateTimeOffset? at = null, string? nonce = null) =>
        CommandSigning.Create(key, key == "viewer" ? ViewerSecret : OperatorSecret, device, id ?? Guid.NewGuid().ToString("N"), name, args, at ?? DateTimeOffset.UtcNow, nonce ?? NextNonce());

    public async ValueTask DisposeAsync()
    {
        Process.Signal(Signals.SIGTERM);
        await Process.WaitForExitAsync(Timeout);
        Process.Dispose();
        _sim.Signal(Signals.SIGTERM);
        await _sim.WaitForExitAsync(Timeout);
        _sim.Dispose();
    }
}

/// <summary>A console on the TCP listener that sends lines and waits for the result of a given id.</summary>
internal sealed class TcpConsole : IDisposable
{
    private readonly TcpClient _client = new();
    private StreamReader? _reader;
    private NetworkStream? _stream;

    public static async Task<TcpConsole> ConnectAsync(int port)
    {
        var console = new TcpConsole();
        await console._client.ConnectAsync("127.0.0.1", port);
        console._stream = console._client.GetStream();
        console._reader = new StreamReader(console._stream, Encoding.UTF8);
        return console;
    }

    public async Task<ResultMessage> SendAsync(Message command) => await SendRawAsync(MessageWriter.ToJson(command), ((CommandMessage)command).Id);

    public async Task<ResultMessage> SendRawAsync(string line, string id)
    {
        await _stream!.WriteAsync(Encoding.UTF8.GetBytes(line + "\n"));
        using var limit = new CancellationTokenSource(CommandGateway.Timeout);
        while (true)
        {
            var text = await _reader!.ReadLineAsync(limit.Token) ?? throw new IOException("the gateway closed the connection before the result");
            if (MessageParser.Parse(Encoding.UTF8.GetBytes(text)) is ResultMessage result && result.Id == id)
            {
                return result;
            }
        }
    }

    public void Dispose()
    {
        _reader?.Dispose();
        _client.Dispose();
    }
}
