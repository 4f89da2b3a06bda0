using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Gateway.Links;

/// <summary>
/// The certificate the listeners present in their TLS handshake (<c>Gateway:Listener:Tls</c>): a PEM certificate file
/// (the server certificate first, then any intermediate CA certificates, sent along so a client that trusts only the
/// root can build the chain) and the PEM private key of its first certificate. Loaded once at start, with
/// <see cref="X509Certificate2.CreateFromPemFile"/> (AOT-safe, no certificate store); the key's contents never leave
/// this class, not even in an exception message.
/// </summary>
internal sealed class ListenerCertificate
{
    private ListenerCertificate(X509Certificate2 certificate, SslStreamCertificateContext context)
    {
        Subject = certificate.Subject;
        Issuer = certificate.Issuer;
        NotBefore = new DateTimeOffset(certificate.NotBefore.ToUniversalTime(), TimeSpan.Zero);
        NotAfter = new DateTimeOffset(certificate.NotAfter.ToUniversalTime(), TimeSpan.Zero);
        Pin = Convert.ToHexString(SHA256.HashData(certificate.RawData));
        Context = context;
    }

    /// <summary>The server certificate and its intermediates, ready for every handshake.</summary>
    public SslStreamCertificateContext Context { get; }

    /// <summary>The server certificate's subject, e.g. <c>CN=pi-01.local</c>.</summary>
    public string Subject { get; }

    /// <summary>Who issued it (the private CA, or the subject again when self-signed).</summary>
    public string Issuer { get; }

    /// <summary>The start of its validity.</summary>
    public DateTimeOffset NotBefore { get; }

    /// <summary>The end of its validity.</summary>
    public DateTimeOffset NotAfter { get; }

    /// <summary>
    /// The SHA-256 of the certificate (DER), 64 hex digits: what a client's pin is compared with (the gateway's
    /// upstream <c>Pin</c>, gwctl's <c>--pin</c>; <see cref="Gateway.Protocol.Transport.TlsClientSettings.Validate"/>).
    /// </summary>
    public string Pin { get; }

    /// <summary>Reads <paramref name="certificateFile"/> and <paramref name="keyFile"/> and checks that they belong together.</summary>
    /// <exception cref="ListenerCertificateException">Which file is at fault and why.</exception>
    public static ListenerCertificate Load(string certificateFile, string keyFile)
    {
        ArgumentNullException.ThrowIfNull(certificateFile);
        ArgumentNullException.ThrowIfNull(keyFile);
        var chain = new X509Certificate2Collection();
        try
        {
            chain.ImportFromPemFile(certificateFile);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or CryptographicException)
        {
            throw new ListenerCertificateException(ListenerTlsFile.Certificate, $"a readable PEM certificate file ({ex.Message})", ex);
        }

        if (chain.Count == 0)
        {
            throw new ListenerCertificateException(ListenerTlsFile.Certificate, "a PEM certificate file (-----BEGIN CERTIFICATE-----); it holds none");
        }

        X509Certificate2 withKey;
        try
        {
            // Only the key file is read for the key: a key in the certificate file is not looked for.
            withKey = X509Certificate2.CreateFromPemFile(certificateFile, keyFile);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new ListenerCertificateException(ListenerTlsFile.Key, $"a readable PEM private key file ({ex.Message})", ex);
        }
        catch (ArgumentException ex)
        {
            // What the runtime throws for an EC key of another certificate (an RSA one: CryptographicException, below).
            throw new ListenerCertificateException(ListenerTlsFile.Key, "the PEM private key of the first certificate in the certificate file (it is the key of another certificate)", ex);
        }
        catch (CryptographicException ex)
        {
            // No usable key in the file, or a key of another certificate; the runtime's message does not quote the key.
            throw new ListenerCertificateException(ListenerTlsFile.Key, $"the PEM private key of the first certificate in the certificate file ({ex.Message})", ex);
        }

        using (withKey)
        {
            // Round-trip through PKCS#12 so that the private key is one SslStream can use on every platform (an
            // ephemeral PEM key is refused by some; the same step TlsClientSettings takes for client certificates).
            var certificate = X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null);
            var intermediates = new X509Certificate2Collection();
            for (var i = 1; i < chain.Count; i++)
            {
                intermediates.Add(chain[i]);
            }

            // offline: the chain is built from the file alone; nothing is fetched (AIA) on a board without internet.
            var context = SslStreamCertificateContext.Create(certificate, intermediates, offline: true);
            return new ListenerCertificate(certificate, context);
        }
    }

    /// <summary>Whether the certificate is valid at <paramref name="now"/> (clients that check the chain refuse it otherwise; a pin still matches).</summary>
    public bool IsValidAt(DateTimeOffset now) => now >= NotBefore && now <= NotAfter;
}
