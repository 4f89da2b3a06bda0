using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Gateway.Protocol.Transport;

/// <summary>
/// How a client checks a server's certificate and presents its own, the one policy every TLS connection of the
/// gateway and gwctl uses (TCP and WebSocket links, the MQTT client, wss://): a pinned SHA-256 fingerprint of the
/// server certificate if set; else a CA file (a private CA or a self-signed server certificate, PEM) as the only
/// trust anchor, the host name still checked; else the system's trust store. Optionally a client certificate (PEM
/// certificate and key) is presented.
/// </summary>
public sealed record TlsClientSettings
{
    /// <summary><c>CaFile</c>: PEM file of the certificates to trust instead of the system store.</summary>
    public string? CaFile { get; init; }

    /// <summary>
    /// <c>Pin</c>: SHA-256 of the server certificate (DER), hex, colons allowed; when set, exactly that certificate is
    /// accepted, whatever its chain or name. <see cref="NormalizePin"/> checks the form.
    /// </summary>
    public string? Pin { get; init; }

    /// <summary><c>ClientCertificate</c>: PEM certificate presented to the server.</summary>
    public string? ClientCertificate { get; init; }

    /// <summary><c>ClientKey</c>: PEM private key of <see cref="ClientCertificate"/> (omit when the certificate file holds the key too).</summary>
    public string? ClientKey { get; init; }

    /// <summary>
    /// Builds the <see cref="SslStream"/> options for one connection to <paramref name="host"/>. Reads the files now,
    /// so a missing or bad file fails this connection attempt with its name, and a replaced file is read again on the
    /// next one.
    /// </summary>
    /// <param name="host">The server's name: checked against its certificate, and sent as SNI.</param>
    /// <exception cref="IOException">The CA file cannot be read or holds no PEM certificate.</exception>
    /// <exception cref="CryptographicException">A PEM file cannot be decoded.</exception>
    public SslClientAuthenticationOptions ClientOptions(string host)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(host);
        var trust = CaFile is null ? null : LoadTrust(CaFile);
        var pin = Pin;
        var options = new SslClientAuthenticationOptions
        {
            TargetHost = host,
            RemoteCertificateValidationCallback = (_, certificate, _, errors) => Validate(certificate as X509Certificate2, errors, trust, pin),
        };
        if (ClientCertificate is not null)
        {
            using var pem = X509Certificate2.CreateFromPemFile(ClientCertificate, ClientKey);

            // Round-trip through PKCS#12 so the private key is usable by SslStream on Linux.
            options.ClientCertificates = [X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null)];
        }

        return options;
    }

    /// <summary>
    /// The certificate check: the pin if set; else <paramref name="trust"/> as the only roots (a name mismatch is still
    /// refused); else the system's verdict (<paramref name="errors"/> must be none).
    /// </summary>
    /// <param name="certificate">The server's certificate; null (none sent) is refused.</param>
    /// <param name="errors">What <see cref="SslStream"/> found checking the certificate against the system store and the name.</param>
    /// <param name="trust">The CA file's certificates, or null for the system store.</param>
    /// <param name="pin">The expected SHA-256 of the certificate (hex, colons allowed), or null.</param>
    /// <returns>True when the connection may go on.</returns>
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

        // RemoteCertificateChainErrors is expected here (the system store does not know a private CA): the chain is
        // built again with the CA file as the only root (X509ChainTrustMode.CustomRootTrust).
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(trust);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck; // offline LANs have no CRL/OCSP to reach
        return chain.Build(certificate);
    }

    /// <summary>
    /// The pin in the form <see cref="Validate"/> compares: 64 hex digits without colons, or null when
    /// <paramref name="text"/> is not a SHA-256 fingerprint (64 hex digits, colons allowed, as <c>openssl x509
    /// -fingerprint -sha256</c> prints them).
    /// </summary>
    public static string? NormalizePin(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var hex = text.Replace(":", string.Empty, StringComparison.Ordinal);
        return hex.Length == 2 * SHA256.HashSizeInBytes && hex.All(char.IsAsciiHexDigit) ? hex : null;
    }

    /// <summary>Reads a PEM file of trusted certificates.</summary>
    /// <exception cref="IOException">The file cannot be read or holds no PEM certificate.</exception>
    public static X509Certificate2Collection LoadTrust(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var collection = new X509Certificate2Collection();
        collection.ImportFromPemFile(path);
        return collection.Count > 0 ? collection : throw new IOException($"{path} holds no PEM certificate");
    }
}
