using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Gateway.Mqtt.Channels;

/// <summary>The server certificate check: a pin if set; else the CA file as the only root (name still checked); else the system's verdict.</summary>
internal static class MqttCertificateValidation
{
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

    public static X509Certificate2Collection LoadTrust(string path)
    {
        var collection = new X509Certificate2Collection();
        collection.ImportFromPemFile(path);
        return collection.Count > 0 ? collection : throw new IOException($"{path} holds no PEM certificate");
    }
}
