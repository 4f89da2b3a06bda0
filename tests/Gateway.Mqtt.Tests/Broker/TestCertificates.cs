using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Gateway.Mqtt.Tests.Broker;

/// <summary>Certificates made per test: a CA, a broker certificate for 127.0.0.1 it signs, and a client certificate it signs.</summary>
internal sealed class TestCertificates : IDisposable
{
    private readonly ECDsa _caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private readonly DateTimeOffset _now = DateTimeOffset.UtcNow;

    public TestCertificates(string directory)
    {
        var request = new CertificateRequest("CN=Gateway test CA", _caKey, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        Ca = request.CreateSelfSigned(_now.AddMinutes(-10), _now.AddDays(2)); // outlives what it signs
        CaFile = Write(directory, "ca.pem", Ca.ExportCertificatePem());
        (Server, ServerCertificateFile, ServerKeyFile) = Issue(directory, "server", "localhost", serverAuth: true);
        (Client, ClientCertificateFile, ClientKeyFile) = Issue(directory, "client", "gateway-client", serverAuth: false);
    }

    public X509Certificate2 Ca { get; }

    public string CaFile { get; }

    public X509Certificate2 Server { get; }

    public string ServerCertificateFile { get; }

    public string ServerKeyFile { get; }

    public X509Certificate2 Client { get; }

    public string ClientCertificateFile { get; }

    public string ClientKeyFile { get; }

    /// <summary>SHA-256 of the broker certificate, as <see cref="Gateway.Protocol.Transport.TlsClientSettings.Pin"/> takes it.</summary>
    public string ServerPin => Convert.ToHexString(SHA256.HashData(Server.RawData));

    public void Dispose()
    {
        Ca.Dispose();
        Server.Dispose();
        Client.Dispose();
        _caKey.Dispose();
    }

    private (X509Certificate2 Certificate, string CertificateFile, string KeyFile) Issue(string directory, string name, string commonName, bool serverAuth)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={commonName}", key, HashAlgorithmName.SHA256);
        if (serverAuth)
        {
            var san = new SubjectAlternativeNameBuilder();
            san.AddDnsName("localhost");
            san.AddIpAddress(IPAddress.Loopback);
            request.CertificateExtensions.Add(san.Build());
        }

        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid(serverAuth ? "1.3.6.1.5.5.7.3.1" : "1.3.6.1.5.5.7.3.2")], false));
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7F;
        var certificate = request.Create(Ca, _now.AddMinutes(-5), _now.AddDays(1), serial);
        var certificateFile = Write(directory, $"{name}.pem", certificate.ExportCertificatePem());
        var keyFile = Write(directory, $"{name}.key", key.ExportPkcs8PrivateKeyPem());
        return (certificate, certificateFile, keyFile);
    }

    private static string Write(string directory, string name, string pem)
    {
        var path = Path.Combine(directory, name);
        File.WriteAllText(path, pem);
        return path;
    }
}
