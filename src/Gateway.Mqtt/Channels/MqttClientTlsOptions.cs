using System.Net.Security;

namespace Gateway.Mqtt;

/// <summary>
/// TLS for the broker connection. The policy (which certificates to trust, a pin, a client certificate) comes from the
/// caller as a factory of <see cref="SslClientAuthenticationOptions"/>, the way <see cref="SslStream"/> takes it: the
/// client holds no trust policy of its own, so an application states its policy once for every TLS connection it makes.
/// </summary>
public sealed class MqttClientTlsOptions
{
    /// <summary>The name checked against the server certificate (SNI as well); defaults to <see cref="MqttClientOptions.Host"/>.</summary>
    public string? TargetHost { get; init; }

    /// <summary>
    /// Makes the <see cref="SslStream"/> options for one connection attempt, given the target host; called on every
    /// connect, so files it reads are read again. Exceptions it throws (<see cref="IOException"/>,
    /// <see cref="System.Security.Cryptography.CryptographicException"/>) fail that connect with
    /// <see cref="MqttCommunicationException"/>. The default trusts the system's store and checks the name.
    /// </summary>
    public Func<string, SslClientAuthenticationOptions> AuthenticationOptions { get; init; } = static host => new SslClientAuthenticationOptions { TargetHost = host };

    /// <summary>Checks the settings; throws <see cref="ArgumentException"/> naming what is wrong.</summary>
    public void Validate()
    {
        if (AuthenticationOptions is null)
        {
            throw new ArgumentException("Tls.AuthenticationOptions is required: a factory of the SslStream options (the TLS policy)", nameof(AuthenticationOptions));
        }

        if (TargetHost is { } host && string.IsNullOrWhiteSpace(host))
        {
            throw new ArgumentException("Tls.TargetHost is blank: leave it unset to check the certificate against Host", nameof(TargetHost));
        }
    }
}
