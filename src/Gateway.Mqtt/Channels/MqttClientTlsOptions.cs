namespace Gateway.Mqtt;

/// <summary>
/// TLS for the broker connection. The server certificate is checked against the system's trust store by default,
/// or against <see cref="CaFile"/> as the only trust anchor, or accepted exactly when its SHA-256 matches
/// <see cref="Pin"/>; a client certificate is presented when <see cref="ClientCertificateFile"/> is set.
/// </summary>
public sealed class MqttClientTlsOptions
{
    /// <summary>The name checked against the server certificate (SNI as well); defaults to <see cref="MqttClientOptions.Host"/>.</summary>
    public string? TargetHost { get; init; }

    /// <summary>A PEM file of the certificates to trust instead of the system store (a private CA, or the broker's self-signed certificate). The host name is still checked.</summary>
    public string? CaFile { get; init; }

    /// <summary>The SHA-256 of the broker certificate (DER), 64 hex digits, colons allowed: exactly that certificate is accepted, whatever its chain or name.</summary>
    public string? Pin { get; init; }

    /// <summary>A PEM certificate presented to the broker.</summary>
    public string? ClientCertificateFile { get; init; }

    /// <summary>The PEM private key of <see cref="ClientCertificateFile"/> (omit when the certificate file holds the key too).</summary>
    public string? ClientKeyFile { get; init; }

    /// <summary>Checks the settings; throws <see cref="ArgumentException"/> naming what is wrong.</summary>
    public void Validate()
    {
        if (Pin is not null)
        {
            var hex = Pin.Replace(":", string.Empty, StringComparison.Ordinal);
            if (hex.Length != 64 || !IsHex(hex))
            {
                throw new ArgumentException($"Tls.Pin must be the certificate's SHA-256 as 64 hex digits (colons allowed), was '{Pin}'", nameof(Pin));
            }
        }

        if (ClientKeyFile is not null && ClientCertificateFile is null)
        {
            throw new ArgumentException("Tls.ClientKeyFile is set without Tls.ClientCertificateFile", nameof(ClientKeyFile));
        }
    }

    private static bool IsHex(string text)
    {
        foreach (var c in text)
        {
            if (!char.IsAsciiHexDigit(c))
            {
                return false;
            }
        }

        return true;
    }
}
