using System.Globalization;
using System.Runtime.Versioning;
using System.Security.Cryptography.X509Certificates;
using Gateway.Console.Tests.Infrastructure;

namespace Gateway.Console.Tests.EndToEnd;

/// <summary>
/// A real gateway (simulated sensors) whose TCP and WebSocket listeners speak TLS with a certificate from a private CA
/// made for the run (<c>Gateway:Listener:Tls</c>), and a command key made by 'gwctl keygen'. Shared by the tests of
/// one class, so the gateway starts once.
/// </summary>
[UnsupportedOSPlatform("windows")]
public sealed class TlsGateway : IAsyncLifetime
{
    public const string Device = "tls-e2e-01";
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private readonly TempDirectory _dir = new();
    private ChildProcess? _gateway;

    public string Dir => _dir.Path;

    public string OperatorKey => _dir.File("operator.key");

    /// <summary>The private CA's certificate (PEM), what <c>--ca-file</c> is given.</summary>
    public string CaFile => _dir.File("ca.pem");

    /// <summary>The server certificate's SHA-256 (hex), what <c>--pin</c> is given.</summary>
    public string Pin { get; private set; } = string.Empty;

    public string ServerSubject { get; private set; } = string.Empty;

    public string AuthoritySubject { get; private set; } = string.Empty;

    public int TcpPort { get; private set; }

    public int WebSocketPort { get; private set; }

    public async ValueTask InitializeAsync()
    {
        var keygen = await Gwctl.RunAsync(Dir, "keygen", "--name", "operator", "--out", OperatorKey, "--allow", "ping,status");
        Assert.True(keygen.ExitCode == 0, keygen.ToString());
        using (var authority = TestCertificates.Authority())
        using (var server = TestCertificates.Issue(authority))
        {
            TestCertificates.WritePem(authority, CaFile);
            TestCertificates.WritePem(server, _dir.File("gateway.pem"));
            TestCertificates.WriteKeyPem(server, _dir.File("gateway.key"));
            Pin = TestCertificates.Pin(server);
            ServerSubject = server.Subject;
            AuthoritySubject = authority.Subject;
        }

        var configuration = keygen.Stdout.Select(l => l.Trim()).Where(l => l.StartsWith("--Gateway:Commands:Keys:", StringComparison.Ordinal));
        _gateway = ChildProcess.Start(ProgramUnderTest.Gateway.FileName,
        [
            .. ProgramUnderTest.Gateway.LeadingArguments,
            $"--Gateway:DeviceId={Device}",
            $"--Gateway:StateDirectory={_dir.File("state")}",
            "--Gateway:Sampling:Interval=200ms",
            "--Gateway:Listener:Tcp=127.0.0.1:0",
            "--Gateway:Listener:WebSocket=127.0.0.1:0",
            "--Gateway:Listener:Tls:Certificate=gateway.pem",
            "--Gateway:Listener:Tls:Key=gateway.key",
            .. configuration,
        ], Dir);
        TcpPort = Port(await _gateway.WaitForLineAsync("Listener tcp listening on 127.0.0.1:", Timeout), "127.0.0.1:");
        var wss = await _gateway.WaitForLineAsync("listening on wss://127.0.0.1:", Timeout);
        WebSocketPort = Port(wss, "wss://127.0.0.1:");
        await _gateway.WaitForLineAsync("Application started", Timeout);
    }

    public async ValueTask DisposeAsync()
    {
        if (_gateway is not null)
        {
            if (!_gateway.HasExited)
            {
                _gateway.Signal(Signals.SIGTERM);
                await _gateway.WaitForExitAsync(Timeout);
            }

            _gateway.Dispose();
        }

        _dir.Dispose();
    }

    private static int Port(string line, string before)
    {
        var at = line.IndexOf(before, StringComparison.Ordinal) + before.Length;
        return int.Parse(new string([.. line[at..].TakeWhile(char.IsAsciiDigit)]), CultureInfo.InvariantCulture);
    }
}
