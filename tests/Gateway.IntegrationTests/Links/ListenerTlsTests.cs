using System.Globalization;
using System.Net.Security;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Runtime.Versioning;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using Gateway.IntegrationTests.Infrastructure;
using Gateway.Protocol.Transport;

namespace Gateway.IntegrationTests.Links;

/// <summary>
/// The listeners with <c>Gateway:Listener:Tls</c>, a real gateway process and a private CA: TLS clients that trust the
/// CA get readings over tls:// and wss://; plain clients, garbage and stalled handshakes are refused and the listener
/// goes on; a bad certificate or key stops the start naming the key.
/// </summary>
[UnsupportedOSPlatform("windows")]
public sealed class ListenerTlsTests : IDisposable
{
    private const int ExConfig = 78;
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private readonly TempDirectory _dir = new();
    private readonly X509Certificate2 _authority = TestCertificates.Authority();
    private readonly X509Certificate2 _server;
    private readonly string _caFile;
    private readonly string _certificateFile;
    private readonly string _keyFile;

    public ListenerTlsTests()
    {
        _server = TestCertificates.Issue(_authority);
        _caFile = TestCertificates.WritePem(_authority, _dir.File("ca.pem"));
        _certificateFile = TestCertificates.WritePem(_server, _dir.File("gateway.pem"));
        _keyFile = TestCertificates.WriteKeyPem(_server, _dir.File("gateway.key"));
    }

    public void Dispose()
    {
        _server.Dispose();
        _authority.Dispose();
        _dir.Dispose();
    }

    private GatewayProcess Start(params string[] extra) => GatewayProcess.Start(_dir.Path,
    [
        "--Gateway:DeviceId=tls-listen-01",
        "--Gateway:Sampling:Interval=100ms",
        $"--Gateway:Listener:Tls:Certificate={_certificateFile}",
        $"--Gateway:Listener:Tls:Key={_keyFile}",
        .. extra,
    ]);

    private static async Task<int> TcpPort(GatewayProcess gateway)
    {
        var line = await gateway.WaitForLineAsync("Listener tcp listening on 127.0.0.1:", Timeout);
        var at = line.IndexOf("127.0.0.1:", StringComparison.Ordinal) + "127.0.0.1:".Length;
        return int.Parse(new string([.. line[at..].TakeWhile(char.IsAsciiDigit)]), CultureInfo.InvariantCulture);
    }

    private async Task<(SslStream Stream, StreamReader Reader)> ConnectTls(int port)
    {
        var client = new TcpClient();
        await client.ConnectAsync("127.0.0.1", port);
        var tls = new SslStream(client.GetStream(), leaveInnerStreamOpen: false);
        await tls.AuthenticateAsClientAsync(new TlsClientSettings { CaFile = _caFile }.ClientOptions("localhost"), TestContext.Current.CancellationToken);
        return (tls, new StreamReader(tls, Encoding.UTF8));
    }

    private static Task<JsonElement> NextOfType(StreamReader reader, string type) => TcpListenerTests.NextOfType(reader, type);

    // Sends what a peer that is not a TLS client sends, then reads until the gateway closes the connection.
    private static async Task<string> SendAndReadToClose(int port, byte[] bytes)
    {
        using var client = new TcpClient();
        await client.ConnectAsync("127.0.0.1", port);
        var stream = client.GetStream();
        await stream.WriteAsync(bytes, TestContext.Current.CancellationToken);
        using var limit = new CancellationTokenSource(Timeout);
        var received = new MemoryStream();
        var buffer = new byte[4096];
        try
        {
            int n;
            while ((n = await stream.ReadAsync(buffer, limit.Token)) > 0)
            {
                received.Write(buffer, 0, n);
            }
        }
        catch (IOException)
        {
            // reset by the gateway: closed too
        }

        return Encoding.Latin1.GetString(received.ToArray());
    }

    [Fact]
    public async Task A_tls_client_that_trusts_the_private_ca_gets_hello_and_live_readings_and_the_gateway_stops_cleanly_under_it()
    {
        using var gateway = Start("--Gateway:Listener:Tcp=127.0.0.1:0");
        var port = await TcpPort(gateway);
        await gateway.WaitForLineAsync($"SHA-256 pin {TestCertificates.Pin(_server)}", Timeout);

        var (tls, reader) = await ConnectTls(port);
        await using (tls)
        {
            Assert.Equal("tls-listen-01", (await NextOfType(reader, "hello")).GetProperty("device").GetString());
            await NextOfType(reader, "reading");
            await tls.WriteAsync("{\"type\":\"ping\"}\n"u8.ToArray(), TestContext.Current.CancellationToken);
            await NextOfType(reader, "pong");

            // Stopping with a TLS session open: the session's read (through the SslStream, on the reader thread) ends.
            gateway.Signal(Signals.SIGTERM);
            Assert.Equal(0, await gateway.WaitForExitAsync(Timeout));
        }
    }

    [Fact]
    public async Task A_browser_style_client_gets_hello_and_readings_over_wss_with_the_private_ca()
    {
        using var gateway = Start("--Gateway:Listener:WebSocket=127.0.0.1:0");
        var line = await gateway.WaitForLineAsync("Listener websocket listening on wss://", Timeout);
        var url = new Uri(line[line.IndexOf("wss://", StringComparison.Ordinal)..].Trim().Replace("127.0.0.1", "localhost", StringComparison.Ordinal));
        var trust = TlsClientSettings.LoadTrust(_caFile);

        using (var socket = new ClientWebSocket())
        {
            socket.Options.AddSubProtocol("gateway.v1");
            socket.Options.RemoteCertificateValidationCallback = (_, certificate, _, errors) => TlsClientSettings.Validate(certificate as X509Certificate2, errors, trust, null);
            await socket.ConnectAsync(url, TestContext.Current.CancellationToken);
            var buffer = new byte[64 * 1024];
            var types = new List<string>();
            using var limit = new CancellationTokenSource(Timeout);
            while (!types.Contains("reading"))
            {
                var result = await socket.ReceiveAsync(buffer, limit.Token);
                using var doc = JsonDocument.Parse(buffer.AsMemory(0, result.Count));
                types.Add(doc.RootElement.GetProperty("type").GetString()!);
            }

            Assert.Equal("hello", types[0]);
        }

        // A plain ws:// client on the wss:// port: refused in the handshake, and the listener goes on.
        using (var plain = new ClientWebSocket())
        {
            plain.Options.AddSubProtocol("gateway.v1");
            await Assert.ThrowsAsync<WebSocketException>(() => plain.ConnectAsync(new Uri($"ws://127.0.0.1:{url.Port}/ws"), TestContext.Current.CancellationToken));
        }

        await gateway.WaitForLineAsync("Listener websocket refused 127.0.0.1:", Timeout);
        Assert.False(gateway.HasExited);
        gateway.Signal(Signals.SIGTERM);
        Assert.Equal(0, await gateway.WaitForExitAsync(Timeout));
    }

    [Fact]
    public async Task A_plain_client_on_the_tls_port_is_refused_and_the_next_tls_client_is_served()
    {
        using var gateway = Start("--Gateway:Listener:Tcp=127.0.0.1:0");
        var port = await TcpPort(gateway);

        var plain = await SendAndReadToClose(port, "{\"type\":\"ping\"}\n"u8.ToArray());

        Assert.DoesNotContain("hello", plain, StringComparison.Ordinal); // nothing in plain text, not even the hello
        await gateway.WaitForLineAsync("Listener tcp refused 127.0.0.1:", Timeout);
        var (tls, reader) = await ConnectTls(port);
        await using (tls)
        {
            await NextOfType(reader, "hello");
        }

        gateway.Signal(Signals.SIGTERM);
        Assert.Equal(0, await gateway.WaitForExitAsync(Timeout));
    }

    [Fact]
    public async Task Garbage_and_a_stalled_handshake_are_refused_within_the_handshake_timeout_and_the_listener_goes_on()
    {
        using var gateway = Start("--Gateway:Listener:Tcp=127.0.0.1:0", "--Gateway:Listener:Tls:HandshakeTimeout=1s", "--Gateway:Listener:MaxConnectionsPerAddress=2");
        var port = await TcpPort(gateway);
        var garbage = new byte[512];
        new Random(7).NextBytes(garbage);
        garbage[0] = 0x47; // not 0x16, a handshake record (RFC 8446 §5.1)

        await SendAndReadToClose(port, garbage);
        await SendAndReadToClose(port, [0x16, 0x03, 0x01, 0x02, 0x00, 0x01]); // a ClientHello's first bytes, then silence

        await gateway.WaitForLineAsync("TLS handshake failed: no TLS handshake within 1s", Timeout);
        Assert.Equal(2, gateway.Stdout.Count(l => l.Contains("Listener tcp refused 127.0.0.1:", StringComparison.Ordinal)));

        // Both slots of this address are free again: two TLS clients at once are served.
        var (a, ra) = await ConnectTls(port);
        var (b, rb) = await ConnectTls(port);
        await using (a)
        await using (b)
        {
            await NextOfType(ra, "hello");
            await NextOfType(rb, "hello");
        }

        gateway.Signal(Signals.SIGTERM);
        Assert.Equal(0, await gateway.WaitForExitAsync(Timeout));
    }

    [Theory]
    [InlineData("missing key file", "Gateway:Listener:Tls:Key: 'nowhere.key' is not allowed; expected the path of an existing file")]
    [InlineData("key readable by others", "Gateway:Listener:Tls:Key: 'gateway.key' is not allowed; expected a file only its owner can read: it has mode 0644; run chmod 600")]
    [InlineData("key of another certificate", "Gateway:Listener:Tls:Key: 'other.key' is not allowed; expected the PEM private key of the first certificate in the certificate file")]
    [InlineData("no certificate", "Gateway:Listener:Tls:Certificate: missing; expected the PEM certificate file of Gateway:Listener:Tls:Key")]
    [InlineData("missing certificate file", "Gateway:Listener:Tls:Certificate: 'nowhere.pem' is not allowed; expected the path of an existing PEM certificate file")]
    [InlineData("certificate file without a certificate", "Gateway:Listener:Tls:Certificate: 'gateway.key' is not allowed; expected a PEM certificate file (-----BEGIN CERTIFICATE-----); it holds none")]
    public async Task A_bad_certificate_or_key_exits_78_naming_the_key_and_the_problem(string what, string expected)
    {
        string[] settings;
        switch (what)
        {
            case "missing key file":
                settings = ["--Gateway:Listener:Tls:Certificate=gateway.pem", "--Gateway:Listener:Tls:Key=nowhere.key"];
                break;
            case "key readable by others":
                File.SetUnixFileMode(_keyFile, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
                settings = ["--Gateway:Listener:Tls:Certificate=gateway.pem", "--Gateway:Listener:Tls:Key=gateway.key"];
                break;
            case "key of another certificate":
                using (var other = TestCertificates.Issue(_authority, "other.test"))
                {
                    TestCertificates.WriteKeyPem(other, _dir.File("other.key"));
                }

                settings = ["--Gateway:Listener:Tls:Certificate=gateway.pem", "--Gateway:Listener:Tls:Key=other.key"];
                break;
            case "no certificate":
                settings = ["--Gateway:Listener:Tls:Key=gateway.key"];
                break;
            case "missing certificate file":
                settings = ["--Gateway:Listener:Tls:Certificate=nowhere.pem", "--Gateway:Listener:Tls:Key=gateway.key"];
                break;
            default:
                settings = ["--Gateway:Listener:Tls:Certificate=gateway.key", "--Gateway:Listener:Tls:Key=gateway.key"];
                break;
        }

        using var gateway = GatewayProcess.Start(_dir.Path, ["--Gateway:DeviceId=tls-listen-01", "--Gateway:Listener:Tcp=127.0.0.1:0", .. settings]);

        Assert.Equal(ExConfig, await gateway.WaitForExitAsync(Timeout));
        Assert.Contains(gateway.Stderr, l => l.Contains(expected, StringComparison.Ordinal));
        Assert.DoesNotContain("PRIVATE KEY", gateway.Output, StringComparison.Ordinal); // the key's contents are never shown
    }
}
