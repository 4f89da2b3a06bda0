using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Gateway.Console.Addressing;
using Gateway.Protocol.Transport;

namespace Gateway.Console.Transport;

/// <summary>
/// gwctl's check of a gateway's TLS certificate: the gateway's own policy (<see cref="TlsClientSettings.Validate"/>:
/// the pin if <c>--pin</c>, else the CA file of <c>--ca-file</c> as the only root with the name still checked, else
/// the system's trust store), plus a record of what the server presented, so that a refusal can say what was wrong:
/// which certificate (subject, issuer, its pin) and what to pass instead. One connection attempt each.
/// </summary>
internal sealed class ServerCertificateCheck
{
    private readonly GatewayAddress _address;
    private readonly X509Certificate2Collection? _trust;
    private Seen? _refused;

    /// <summary>Reads the CA file of <paramref name="address"/>'s settings now.</summary>
    /// <exception cref="IOException">The CA file cannot be read or holds no PEM certificate.</exception>
    /// <exception cref="CryptographicException">The CA file cannot be decoded.</exception>
    public ServerCertificateCheck(GatewayAddress address)
    {
        _address = address ?? throw new ArgumentNullException(nameof(address));
        _trust = address.TlsSettings.CaFile is { } file ? TlsClientSettings.LoadTrust(file) : null;
    }

    /// <summary>Whether the server presented a certificate at all (false: the handshake failed before, e.g. not TLS).</summary>
    public bool Presented { get; private set; }

    /// <summary>The callback for <see cref="SslStream"/> and <c>ClientWebSocket</c>.</summary>
    public bool Validate(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        Presented = true;
        var server = certificate as X509Certificate2;
        if (TlsClientSettings.Validate(server, errors, _trust, _address.TlsSettings.Pin))
        {
            return true;
        }

        _refused = server is null
            ? new Seen(string.Empty, string.Empty, string.Empty, [], errors, false)
            : new Seen(server.Subject, server.Issuer, Convert.ToHexString(SHA256.HashData(server.RawData)), Names(server), errors, ChainsToTrust(server));
        return false;
    }

    /// <summary>Why the certificate was refused, for the operator; null when it was not (or none was seen).</summary>
    public string? Refusal()
    {
        if (_refused is not { } seen)
        {
            return null;
        }

        if (seen.Subject.Length == 0)
        {
            return $"{_address} presented no certificate";
        }

        var settings = _address.TlsSettings;
        var which = $"the certificate '{seen.Subject}' issued by '{seen.Issuer}'";

        if (settings.Pin is { } pin)
        {
            return $"{_address} presented {which} whose pin is {seen.Pin}, not the --pin {pin}: if that is the gateway's certificate (its log says its pin at start), pass --pin {seen.Pin}";
        }

        var host = _address.Endpoint.Host;
        if ((seen.Errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0 && (_trust is null ? (seen.Errors & SslPolicyErrors.RemoteCertificateChainErrors) == 0 : seen.Trusted))
        {
            var names = seen.Names.Count == 0 ? "no names" : $"the names {string.Join(", ", seen.Names)}";
            return $"{_address} presented {which}, which is not for '{host}' (it has {names}): connect by one of its names, or pass --pin {seen.Pin}";
        }

        return settings.CaFile is { } ca
            ? $"{_address} presented {which}, which the CA in --ca-file {ca} did not sign: pass the CA file that issued it, or --pin {seen.Pin}"
            : $"{_address} presented {which}, which this system does not trust: pass --ca-file <the PEM of the CA that issued it> (a private CA) or --pin {seen.Pin}";
    }

    // The DNS names and IP addresses the certificate is for (its subject alternative names).
    private static List<string> Names(X509Certificate2 certificate)
    {
        var names = new List<string>();
        foreach (var extension in certificate.Extensions)
        {
            if (extension is X509SubjectAlternativeNameExtension san)
            {
                names.AddRange(san.EnumerateDnsNames());
                names.AddRange(san.EnumerateIPAddresses().Select(a => a.ToString()));
            }
        }

        return names;
    }

    // With --ca-file: whether the certificate chains to it (then a refusal is the name's).
    private bool ChainsToTrust(X509Certificate2 certificate) =>
        _trust is not null && TlsClientSettings.Validate(certificate, SslPolicyErrors.None, _trust, null);

    private sealed record Seen(string Subject, string Issuer, string Pin, IReadOnlyList<string> Names, SslPolicyErrors Errors, bool Trusted);
}
