using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Gateway.Links;

/// <summary>
/// How an upstream link checks the server's certificate and presents its own: the system's trust store by default,
/// or a CA file (a private CA or a self-signed server certificate, PEM) as the only trust anchor, or a pinned
/// SHA-256 fingerprint of the server certificate; optionally a client certificate (PEM certificate and key).
/// </summary>
internal sealed record TlsClientSettings
{
    /// <summary><c>CaFile</c>: PEM file of the certificates to trust instead of the system store.</summary>
    public string? CaFile { get; init; }

    /// <summary><c>Pin</c>: SHA-256 of the server certificate (DER), hex; when set, exactly that certificate is accepted.</summary>
    public string? Pin { get; init; }

    /// <summary><c>ClientCertificate</c>: PEM certificate presented to the server.</summary>
    public string? ClientCertificate { get; init; }

    /// <summary><c>ClientKey</c>: PEM private key of the client certificate.</summary>
    public string? ClientKey { get; init; }

    /// <summary>Builds the SslStream options for <paramref name="host"/>; reads the files now, so a bad file fails the connection attempt with its name.</summary>
    public SslClientAuthenticationOptions ClientOptions(string host)
    {
        var trust = CaFile is null ? null : LoadTrust(CaFile);
        var options = new SslClientAuthenticationOptions
        {
            TargetHost = host,
            RemoteCertificateValidationCallback = (_, certificate, _, errors) => Validate(certificate as X509Certificate2, errors, trust, Pin),
        };
        if (ClientCertificate is not null)
        {
            var cert = X509Certificate2.CreateFromPemFile(ClientCertificate, ClientKey);
            options.ClientCertificates = [X509CertificateLoader.LoadPkcs12(cert.Export(X509ContentType.Pkcs12), null)];
        }

        return options;
    }

    /// <summary>The certificate check: pin if set; else the CA file as the only root (name still checked); else the system's verdict.</summary>
    public static bool Validate(X509Certificate2? certificate, SslPolicyErrors errors, X509Certificate2Collection? trust, string? pin)
    {
        if (certificate is null)
        {
            return false;
        }

        if (pin is not null)
        {
            var actual = Convert.ToHexString(SHA256.HashData(certificate.RawData));
            return string.Equals(actual, pin.Replace(":", string.Empty, StringComparison.Ordinal), StringComparison.OrdinalIgnoreCase);
        }

        if (trust is null)
        {
            return errors == SslPolicyErrors.None;
        }

        if ((errors & (SslPolicyErrors.RemoteCertificateNameMismatch | SslPolicyErrors.RemoteCertificateNotAvailable)) != 0)
        {
            return false;
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(trust);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck; // offline LANs have no CRL/OCSP to reach
        return chain.Build(certificate);
    }

    private static X509Certificate2Collection LoadTrust(string path)
    {
        var collection = new X509Certificate2Collection();
        collection.ImportFromPemFile(path);
        return collection.Count > 0 ? collection : throw new IOException($"{path} holds no PEM certificate");
    }
}
