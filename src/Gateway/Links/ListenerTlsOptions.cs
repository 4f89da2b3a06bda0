namespace Gateway.Links;

/// <summary>
/// <c>Gateway:Listener:Tls</c>: TLS on the TCP listener (<c>tls://</c>) and the WebSocket listener (<c>wss://</c>).
/// One setting for both: they are the same gateway under the same name, so one certificate serves them, and a device
/// that speaks TLS on one listener and plain on the other would leave a plain door open beside the locked one. The web
/// console (<c>Gateway:Listener:Http</c>) is not covered.
/// </summary>
internal sealed record ListenerTlsOptions
{
    /// <summary><c>Certificate</c>: the PEM certificate file (server certificate first, then intermediates), full path.</summary>
    public required string CertificateFile { get; init; }

    /// <summary><c>Key</c>: the PEM private key file of the certificate, readable only by its owner, full path.</summary>
    public required string KeyFile { get; init; }

    /// <summary><c>HandshakeTimeout</c>: how long a peer may take to complete its TLS handshake before it is dropped.</summary>
    public TimeSpan HandshakeTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The certificate, loaded and checked against its key when the configuration was read.</summary>
    public required ListenerCertificate Certificate { get; init; }
}
