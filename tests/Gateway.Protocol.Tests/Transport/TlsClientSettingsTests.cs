using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Gateway.Protocol.Transport;

namespace Gateway.Protocol.Tests.Transport;

/// <summary>
/// The one TLS trust policy: each rule of <see cref="TlsClientSettings.Validate"/> with the verdict SslStream would hand
/// it, then <see cref="TlsClientSettings.ClientOptions"/> in real handshakes on a loopback socket.
/// </summary>
public sealed class TlsClientSettingsTests : IDisposable
{
    private readonly TestPki _pki = new();
    private readonly string _directory = Directory.CreateTempSubdirectory("gw-tls-").FullName;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public void Dispose()
    {
        _pki.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    private static X509Certificate2Collection Trust(X509Certificate2 ca) => [X509CertificateLoader.LoadCertificate(ca.RawData)];

    [Fact]
    public void A_matching_pin_accepts_the_certificate_whatever_its_chain_or_name()
    {
        var pin = string.Join(':', TestPki.Pin(_pki.ForeignServer).Chunk(2).Select(c => new string(c))).ToLowerInvariant(); // as openssl prints it

        Assert.True(TlsClientSettings.Validate(_pki.ForeignServer, SslPolicyErrors.RemoteCertificateChainErrors | SslPolicyErrors.RemoteCertificateNameMismatch, trust: null, pin));
    }

    [Fact]
    public void A_pin_that_does_not_match_refuses_even_a_certificate_the_system_trusts()
    {
        Assert.False(TlsClientSettings.Validate(_pki.Server, SslPolicyErrors.None, trust: null, pin: TestPki.Pin(_pki.ForeignServer)));
    }

    [Fact]
    public void The_ca_file_as_only_root_accepts_a_chain_to_that_ca_the_system_does_not_know()
    {
        Assert.True(TlsClientSettings.Validate(_pki.Server, SslPolicyErrors.RemoteCertificateChainErrors, Trust(_pki.Ca), pin: null));
    }

    [Fact]
    public void The_ca_file_does_not_excuse_a_name_mismatch()
    {
        Assert.False(TlsClientSettings.Validate(_pki.Server, SslPolicyErrors.RemoteCertificateChainErrors | SslPolicyErrors.RemoteCertificateNameMismatch, Trust(_pki.Ca), pin: null));
    }

    [Fact]
    public void The_ca_file_refuses_a_certificate_from_a_foreign_ca()
    {
        Assert.False(TlsClientSettings.Validate(_pki.ForeignServer, SslPolicyErrors.RemoteCertificateChainErrors, Trust(_pki.Ca), pin: null));
    }

    [Fact]
    public void The_ca_file_is_the_only_root_so_a_certificate_the_system_trusts_but_the_file_does_not_is_refused()
    {
        Assert.False(TlsClientSettings.Validate(_pki.ForeignServer, SslPolicyErrors.None, Trust(_pki.Ca), pin: null));
    }

    [Theory]
    [InlineData(SslPolicyErrors.None, true)]
    [InlineData(SslPolicyErrors.RemoteCertificateChainErrors, false)]
    [InlineData(SslPolicyErrors.RemoteCertificateNameMismatch, false)]
    [InlineData(SslPolicyErrors.RemoteCertificateNotAvailable, false)]
    public void Without_pin_or_ca_file_the_system_stores_verdict_decides(SslPolicyErrors errors, bool accepted)
    {
        Assert.Equal(accepted, TlsClientSettings.Validate(_pki.Server, errors, trust: null, pin: null));
    }

    [Fact]
    public void No_certificate_is_refused_under_every_rule()
    {
        Assert.False(TlsClientSettings.Validate(null, SslPolicyErrors.None, trust: null, pin: null));
        Assert.False(TlsClientSettings.Validate(null, SslPolicyErrors.None, Trust(_pki.Ca), pin: null));
        Assert.False(TlsClientSettings.Validate(null, SslPolicyErrors.None, trust: null, pin: TestPki.Pin(_pki.Server)));
    }

    [Theory]
    [InlineData("ab:CD:ef:01:23:45:67:89:ab:cd:ef:01:23:45:67:89:ab:cd:ef:01:23:45:67:89:ab:cd:ef:01:23:45:67:89", "abCDef0123456789abcdef0123456789abcdef0123456789abcdef0123456789")]
    [InlineData("0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF", "0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF")]
    [InlineData("abc", null)]
    [InlineData("0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDE", null)]
    [InlineData("0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0", null)]
    [InlineData("0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEG", null)]
    [InlineData("", null)]
    public void A_pin_is_a_sha256_fingerprint_of_64_hex_digits_colons_allowed(string text, string? normalized)
    {
        Assert.Equal(normalized, TlsClientSettings.NormalizePin(text));
    }

    [Fact]
    public void A_ca_file_without_a_certificate_fails_naming_the_file()
    {
        var path = Path.Combine(_directory, "empty.pem");
        File.WriteAllText(path, "not a certificate\n");

        var error = Assert.Throws<IOException>(() => new TlsClientSettings { CaFile = path }.ClientOptions("localhost"));

        Assert.Contains(path, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_client_certificate_is_presented_with_its_private_key()
    {
        var certificate = TestPki.WritePem(Path.Combine(_directory, "client.pem"), _pki.Server);
        var key = Path.Combine(_directory, "client.key");
        using (var ecdsa = _pki.Server.GetECDsaPrivateKey()!)
        {
            File.WriteAllText(key, ecdsa.ExportPkcs8PrivateKeyPem());
        }

        var options = new TlsClientSettings { ClientCertificate = certificate, ClientKey = key }.ClientOptions("localhost");

        var presented = Assert.IsType<X509Certificate2>(Assert.Single(options.ClientCertificates!));
        Assert.True(presented.HasPrivateKey);
        Assert.Equal(_pki.Server.Thumbprint, presented.Thumbprint);
    }

    [Fact]
    public async Task A_handshake_with_the_ca_file_succeeds_for_the_servers_name_and_fails_for_another()
    {
        var settings = new TlsClientSettings { CaFile = TestPki.WritePem(Path.Combine(_directory, "ca.pem"), _pki.Ca) };

        Assert.True(await HandshakeAsync(_pki.Server, settings.ClientOptions("localhost")));
        Assert.False(await HandshakeAsync(_pki.Server, settings.ClientOptions("not-the-server")));
        Assert.False(await HandshakeAsync(_pki.ForeignServer, settings.ClientOptions("localhost")));
    }

    [Fact]
    public async Task A_handshake_with_a_pin_succeeds_for_that_certificate_only()
    {
        var settings = new TlsClientSettings { Pin = TestPki.Pin(_pki.ForeignServer) };

        Assert.True(await HandshakeAsync(_pki.ForeignServer, settings.ClientOptions("any-name")));
        Assert.False(await HandshakeAsync(_pki.Server, settings.ClientOptions("localhost")));
    }

    [Fact]
    public async Task A_handshake_on_the_system_store_refuses_a_private_ca()
    {
        Assert.False(await HandshakeAsync(_pki.Server, new TlsClientSettings().ClientOptions("localhost")));
    }

    // A TLS server on a loopback port presenting serverCertificate, and one client handshake against it (10 s at most).
    private static async Task<bool> HandshakeAsync(X509Certificate2 serverCertificate, SslClientAuthenticationOptions client)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(Token);
        deadline.CancelAfter(TimeSpan.FromSeconds(10));
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var server = ServeOnceAsync(listener, serverCertificate, deadline.Token);
        using var socket = new TcpClient();
        await socket.ConnectAsync(IPAddress.Loopback, ((IPEndPoint)listener.LocalEndpoint).Port, deadline.Token);
        await using var ssl = new SslStream(socket.GetStream());
        bool accepted;
        try
        {
            await ssl.AuthenticateAsClientAsync(client, deadline.Token);
            accepted = true;
        }
        catch (AuthenticationException)
        {
            accepted = false;
        }

        socket.Close();
        await server;
        return accepted;
    }

    private static async Task ServeOnceAsync(TcpListener listener, X509Certificate2 certificate, CancellationToken token)
    {
        using var socket = await listener.AcceptTcpClientAsync(token);
        await using var ssl = new SslStream(socket.GetStream());
        try
        {
            await ssl.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificate = certificate }, token);
        }
        catch (Exception ex) when (ex is AuthenticationException or IOException)
        {
            // the client refused the certificate: its side of the test says so
        }
    }
}
