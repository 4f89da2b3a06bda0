using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Runtime.Versioning;
using System.Security.Cryptography.X509Certificates;
using Gateway.Console.Addressing;
using Gateway.Console.Cli;
using Gateway.Console.Tests.Infrastructure;
using Gateway.Console.Transport;
using Gateway.Protocol.Transport;

namespace Gateway.Console.Tests.Sockets;

/// <summary>
/// gwctl's TLS connections against stand-in servers on real loopback sockets: the refusals that need a server a real
/// gateway cannot be made into (a certificate for another name, a plain listener where TLS was asked for).
/// </summary>
[UnsupportedOSPlatform("windows")]
public sealed class TlsConnectorTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static int Port(TcpListener server) => ((IPEndPoint)server.LocalEndpoint).Port;

    [Fact]
    public async Task A_certificate_for_another_name_is_refused_naming_the_names_it_has()
    {
        using var authority = TestCertificates.Authority();
        using var elsewhere = TestCertificates.Issue(authority, "elsewhere.test", dnsName: "elsewhere.test");
        var ca = TestCertificates.WritePem(authority, _dir.File("ca.pem"));
        using var server = new TcpListener(IPAddress.Loopback, 0);
        server.Start();
        var serving = Task.Run(async () =>
        {
            using var client = await server.AcceptTcpClientAsync();
            await using var tls = new SslStream(client.GetStream());
            // Whether the server's side of the handshake completes before the client hangs up depends on the TLS
            // version (with 1.3 the client checks the certificate after its Finished); either way the client refuses.
            await Record.ExceptionAsync(() => tls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificate = elsewhere }, TestContext.Current.CancellationToken));
        }, TestContext.Current.CancellationToken);
        var address = GatewayAddress.Parse($"tls://127.0.0.1:{Port(server)}") with { TlsSettings = new TlsClientSettings { CaFile = ca } };

        var ex = await Assert.ThrowsAsync<GwctlException>(() => Connector.OpenAsync(address, Timeout, TestContext.Current.CancellationToken));

        await serving.WaitAsync(Timeout, TestContext.Current.CancellationToken);
        Assert.Equal(ExitCodes.Untrusted, ex.ExitCode);
        Assert.Contains("which is not for '127.0.0.1' (it has the names elsewhere.test): connect by one of its names, or pass --pin ", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Tls_to_a_plain_listener_says_it_is_not_tls_and_which_address_to_use()
    {
        using var server = new TcpListener(IPAddress.Loopback, 0);
        server.Start();
        var serving = Task.Run(async () =>
        {
            // A plain gateway listener: hello at once, and an error for the line it cannot parse.
            using var client = await server.AcceptTcpClientAsync();
            var stream = client.GetStream();
            await stream.WriteAsync("{\"type\":\"hello\",\"device\":\"gw-07\",\"firmware\":\"0.1.0\",\"protocol\":1,\"sensors\":[],\"nextSeq\":1}\n"u8.ToArray());
            var buffer = new byte[4096];
            while (await stream.ReadAsync(buffer) > 0)
            {
            }
        }, TestContext.Current.CancellationToken);
        var address = GatewayAddress.Parse($"tls://127.0.0.1:{Port(server)}");

        var ex = await Assert.ThrowsAsync<GwctlException>(() => Connector.OpenAsync(address, Timeout, TestContext.Current.CancellationToken));

        await serving.WaitAsync(Timeout, TestContext.Current.CancellationToken);
        Assert.Equal(ExitCodes.Protocol, ex.ExitCode);
        Assert.Contains($"the TLS handshake with tls://127.0.0.1:{Port(server)} failed before any certificate came", ex.Message, StringComparison.Ordinal);
        Assert.Contains($"is it a plain listener? a gateway without Gateway:Listener:Tls speaks tcp://127.0.0.1:{Port(server)}", ex.Message, StringComparison.Ordinal);
    }
}
