using System.IO.Pipelines;
using Microsoft.AspNetCore.Connections;

namespace Gateway.Links;

/// <summary>
/// The WebSocket listener's TLS as Kestrel connection middleware: the same <see cref="ListenerTls"/> handshake as the
/// TCP listener's (same timeout, same refusal in the log), then HTTP and the WebSocket upgrade (RFC 6455 §4: over TLS
/// the <c>wss</c> scheme) read and written through the <see cref="System.Net.Security.SslStream"/>. Kestrel's own
/// HTTPS support is not used: it logs a failed handshake only through its own logger (which the gateway's embedded
/// apps do not have) and without the peer, and it adds Kestrel's HTTPS configuration to the native binary.
/// </summary>
internal static class KestrelTls
{
    /// <summary>Puts TLS in front of <paramref name="next"/> on every connection of the endpoint.</summary>
    public static ConnectionDelegate Use(ListenerTls tls, ConnectionDelegate next)
    {
        ArgumentNullException.ThrowIfNull(tls);
        ArgumentNullException.ThrowIfNull(next);
        return async context =>
        {
            var peer = context.RemoteEndPoint?.ToString() ?? "?";
            await using var raw = new DuplexPipeStream(context.Transport);
            System.Net.Security.SslStream ssl;
            try
            {
                ssl = await tls.AuthenticateAsync(raw, peer, context.ConnectionClosed).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is TlsHandshakeException or OperationCanceledException)
            {
                return; // refused and logged, or the connection closed (the gateway stopping): Kestrel closes it
            }

            await using (ssl.ConfigureAwait(false))
            {
                var plain = context.Transport;
                var reader = PipeReader.Create(ssl, new StreamPipeReaderOptions(leaveOpen: true));
                var writer = PipeWriter.Create(ssl, new StreamPipeWriterOptions(leaveOpen: true));
                context.Transport = new Pipe(reader, writer);
                try
                {
                    await next(context).ConfigureAwait(false);
                }
                finally
                {
                    await reader.CompleteAsync().ConfigureAwait(false);
                    await writer.CompleteAsync().ConfigureAwait(false);
                    context.Transport = plain;
                }
            }
        };
    }

    private sealed record Pipe(PipeReader Input, PipeWriter Output) : IDuplexPipe;
}
