using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Gateway.Protocol.Tests.Transport;

/// <summary>Certificates made per test: a CA, a server certificate for localhost and 127.0.0.1 it signs (with its key), and a foreign CA.</summary>
internal sealed class TestPki : IDisposable
{
    private readonly DateTimeOffset _now = DateTimeOffset.UtcNow;

    public TestPki()
    {
        Ca = CreateCa("CN=Gateway test CA");
        ForeignCa = CreateCa("CN=Someone else's CA");
        Server = Issue(Ca, "localhost");
        ForeignServer = Issue(ForeignCa, "localhost");
    }

    /// <summary>The CA the gateway is told to trust (its CA file).</summary>
    public X509Certificate2 Ca { get; }

    /// <summary>A CA nobody here trusts.</summary>
    public X509Certificate2 ForeignCa { get; }

    /// <summary>A server certificate for localhost and 127.0.0.1, signed by <see cref="Ca"/>, with its private key.</summary>
    public X509Certificate2 Server { get; }

    /// <summary>The same names, signed by <see cref="ForeignCa"/>, with its private key.</summary>
    public X509Certificate2 ForeignServer { get; }

    /// <summary>SHA-256 of a certificate's DER, hex, as a pin is written.</summary>
    public static string Pin(X509Certificate2 certificate) => Convert.ToHexString(SHA256.HashData(certificate.RawData));

    public static string WritePem(string path, params X509Certificate2[] certificates)
    {
        File.WriteAllText(path, string.Concat(certificates.Select(c => c.ExportCertificatePem() + "\n")));
        return path;
    }

    public void Dispose()
    {
        Ca.Dispose();
        ForeignCa.Dispose();
        Server.Dispose();
        ForeignServer.Dispose();
    }

    private X509Certificate2 CreateCa(string subject)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        using var ca = request.CreateSelfSigned(_now.AddMinutes(-10), _now.AddDays(2)); // outlives what it signs
        return X509CertificateLoader.LoadPkcs12(ca.Export(X509ContentType.Pkcs12), null);
    }

    private X509Certificate2 Issue(X509Certificate2 ca, string name)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName(name);
        san.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7F;
        using var certificate = request.Create(ca, _now.AddMinutes(-5), _now.AddDays(1), serial);
        using var withKey = certificate.CopyWithPrivateKey(key);

        // Round-trip through PKCS#12 so the private key is usable by SslStream on Linux.
        return X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null);
    }
}
