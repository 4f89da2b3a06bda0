using System.Net.Security;
using System.Security.Authentication;
using Microsoft.Extensions.Logging;

namespace Gateway.Links;

/// <summary>
/// The server side of one listener's TLS (RFC 8446; TLS 1.2 and 1.3 as the system's OpenSSL allows): runs the
/// handshake over a connection's stream within <see cref="ListenerTlsOptions.HandshakeTimeout"/>, and turns every way
/// a peer can fail it (garbage bytes, a plain client on the TLS port, a client that refuses the certificate, one that
/// stalls mid-handshake, one that hangs up) into one logged refusal and a <see cref="TlsHandshakeException"/>: the
/// connection is dropped, the listener goes on. The gateway stopping is not a refusal.
/// </summary>
internal sealed partial class ListenerTls
{
    private readonly ListenerTlsOptions _options;
    private readonly string _label;
    private readonly ILogger _logger;
    private readonly SslServerAuthenticationOptions _server;

    /// <summary>Creates the TLS side of the listener named <paramref name="name"/> (e.g. <c>listener tcp</c>).</summary>
    public ListenerTls(string name, ListenerTlsOptions options, ILogger logger)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        _options = options ?? throw new ArgumentNullException(nameof(options));
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
        _label = string.Concat(name[..1].ToUpperInvariant(), name.AsSpan(1));
        _server = new SslServerAuthenticationOptions
        {
            ServerCertificateContext = options.Certificate.Context,
            ClientCertificateRequired = false, // consoles prove who they are by signing commands, not with certificates
            CertificateRevocationCheckMode = System.Security.Cryptography.X509Certificates.X509RevocationMode.NoCheck,
        };
    }

    /// <summary>The certificate presented.</summary>
    public ListenerCertificate Certificate => _options.Certificate;

    /// <summary>
    /// Runs the server handshake over <paramref name="inner"/> (left open: its owner disposes it) and returns the
    /// encrypted stream, which the caller owns.
    /// </summary>
    /// <param name="inner">The connection.</param>
    /// <param name="peer">The peer as logged.</param>
    /// <param name="token">The gateway stopping (or the connection closing): ends the handshake without a refusal.</param>
    /// <exception cref="TlsHandshakeException">The peer failed the handshake; already logged.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="token"/> was cancelled.</exception>
    public async Task<SslStream> AuthenticateAsync(Stream inner, string peer, CancellationToken token)
    {
        ArgumentNullException.ThrowIfNull(inner);
        ArgumentNullException.ThrowIfNull(peer);
        var ssl = new SslStream(inner, leaveInnerStreamOpen: true);
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(token);
        limit.CancelAfter(_options.HandshakeTimeout);
        string reason;
        try
        {
            await ssl.AuthenticateAsServerAsync(_server, limit.Token).ConfigureAwait(false);
            return ssl;
        }
        catch (OperationCanceledException) when (!token.IsCancellationRequested)
        {
            reason = $"no TLS handshake within {_options.HandshakeTimeout.TotalSeconds:0.###}s (Gateway:Listener:Tls:HandshakeTimeout)";
        }
        catch (AuthenticationException ex)
        {
            // Garbage or plain text where a TLS ClientHello belongs, no protocol or cipher in common, or the client
            // refusing the certificate (its alert, RFC 8446 §6.2).
            reason = ex.InnerException is { } cause ? $"{ex.Message} ({cause.Message})" : ex.Message;
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException && !token.IsCancellationRequested)
        {
            reason = $"the connection ended during the handshake ({ex.Message})";
        }
        catch
        {
            await ssl.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        await ssl.DisposeAsync().ConfigureAwait(false);
        LogRefused(_logger, _label, peer, reason);
        throw new TlsHandshakeException(reason);
    }

    /// <summary>Says at start where the certificate stands (its pin, for <c>gwctl --pin</c>), and warns when it is not valid now.</summary>
    public void LogCertificate(DateTimeOffset now)
    {
        var c = _options.Certificate;
        LogPresenting(_logger, _label, c.Subject, c.Issuer, c.NotAfter, c.Pin);
        if (!c.IsValidAt(now))
        {
            // Not refused at start: a board without a clock may boot with a wrong date, and a pinned client still connects.
            LogNotValidNow(_logger, _label, c.Subject, c.NotBefore, c.NotAfter);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Listener} refused {Peer}: TLS handshake failed: {Reason} (Gateway:Listener:Tls)")]
    private static partial void LogRefused(ILogger logger, string listener, string peer, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Listener} presents TLS certificate {Subject} issued by {Issuer}, valid until {NotAfter:u}, SHA-256 pin {Pin}")]
    private static partial void LogPresenting(ILogger logger, string listener, string subject, string issuer, DateTimeOffset notAfter, string pin);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Listener}: the TLS certificate {Subject} is not valid now (valid from {NotBefore:u} to {NotAfter:u}): clients that check it will refuse it; replace it (Gateway:Listener:Tls:Certificate), or check this machine's clock")]
    private static partial void LogNotValidNow(ILogger logger, string listener, string subject, DateTimeOffset notBefore, DateTimeOffset notAfter);
}
