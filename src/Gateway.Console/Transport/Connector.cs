using System.Net.Security;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Security.Authentication;
using System.Security.Cryptography;
using Gateway.Console.Addressing;
using Gateway.Console.Cli;
using Gateway.Console.Keys;
using Gateway.Protocol;
using Gateway.Protocol.Transport;

namespace Gateway.Console.Transport;

/// <summary>
/// Opens a connection to a gateway's TCP or WebSocket listener, plain or TLS (<c>tls://</c>, <c>wss://</c>; the
/// certificate checked by <see cref="ServerCertificateCheck"/>), to a <c>gwctl listen</c> control port, or to the MQTT
/// broker a gateway's link publishes to.
/// </summary>
internal static class Connector
{
    /// <summary>Longest line or frame gwctl accepts from a gateway (the protocol's default).</summary>
    public const int MaxMessage = ProtocolInfo.DefaultMaxLineLength;

    /// <summary>How long a send may wait for the gateway to read.</summary>
    public static readonly TimeSpan WriteTimeout = TimeSpan.FromSeconds(10);

    /// <summary>Connects within <paramref name="timeout"/>.</summary>
    /// <exception cref="GwctlException">It failed; the message says why and what to check.</exception>
    public static Task<IMessageChannel> OpenAsync(GatewayAddress address, TimeSpan timeout, CancellationToken cancellationToken) =>
        OpenAsync(address, null, MqttFeed.Results, timeout, cancellationToken);

    /// <summary>Connects within <paramref name="timeout"/>; an <c>mqtt://</c> address with <paramref name="login"/>, subscribed to <paramref name="feed"/>.</summary>
    /// <exception cref="GwctlException">It failed; the message says why and what to check.</exception>
    public static async Task<IMessageChannel> OpenAsync(GatewayAddress address, BrokerLogin? login, MqttFeed feed, TimeSpan timeout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(address);
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout);
        try
        {
            return address.Transport switch
            {
                TransportKind.Tcp or TransportKind.Listen => await OpenTcpAsync(address, limit.Token).ConfigureAwait(false),
                TransportKind.WebSocket => await OpenWebSocketAsync(address, limit.Token).ConfigureAwait(false),
                TransportKind.Mqtt => await MqttGatewayChannel.OpenAsync(address, login, feed, timeout, limit.Token).ConfigureAwait(false),
                _ => throw new GwctlException(ExitCodes.Usage, $"{address} is the UDP command port: it takes single commands (gwctl send, gwctl status), not a connection"),
            };
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new GwctlException(ExitCodes.Timeout, ErrorAdvice.TimedOut(address, timeout));
        }
    }

    private static async Task<IMessageChannel> OpenTcpAsync(GatewayAddress address, CancellationToken token)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(address.Endpoint.Host, address.Endpoint.Port, token).ConfigureAwait(false);
            var peer = $"{(address.Tls ? "tls" : address.Transport.ToString().ToLowerInvariant())} {socket.RemoteEndPoint}";
            Stream stream = new NetworkStream(socket, ownsSocket: true);
            if (address.Tls)
            {
                stream = await SecureAsync(stream, address, token).ConfigureAwait(false);
            }

            return new NdjsonChannel(stream, peer, MaxMessage, WriteTimeout);
        }
        catch (SocketException ex)
        {
            socket.Dispose();
            throw new GwctlException(ExitCodes.Unavailable, ErrorAdvice.ConnectFailed(address, ex.SocketErrorCode, ex.Message, TimeSpan.Zero), ex);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    // The TLS handshake over a connected stream (RFC 8446), disposing the stream when it fails.
    private static async Task<Stream> SecureAsync(Stream stream, GatewayAddress address, CancellationToken token)
    {
        var ssl = new SslStream(stream, leaveInnerStreamOpen: false);
        try
        {
            var check = Check(address);
            var options = new SslClientAuthenticationOptions { TargetHost = address.Endpoint.Host, RemoteCertificateValidationCallback = check.Validate };
            try
            {
                await ssl.AuthenticateAsClientAsync(options, token).ConfigureAwait(false);
                return ssl;
            }
            catch (Exception ex) when (ex is AuthenticationException or IOException)
            {
                throw Refused(address, check, ex);
            }
        }
        catch
        {
            await ssl.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private static ServerCertificateCheck Check(GatewayAddress address)
    {
        try
        {
            return new ServerCertificateCheck(address);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or CryptographicException)
        {
            throw new GwctlException(ExitCodes.Config, $"--ca-file {address.TlsSettings.CaFile}: {ex.Message} (a PEM file of the CA certificates to trust)", ex);
        }
    }

    // A failed handshake: the certificate refused (what was wrong, and what to pass), or no TLS at all.
    private static GwctlException Refused(GatewayAddress address, ServerCertificateCheck check, Exception ex)
    {
        var detail = Find<AuthenticationException>(ex)?.Message ?? Find<IOException>(ex)?.Message ?? ex.Message;
        return check.Refusal() is { } why
            ? new GwctlException(ExitCodes.Untrusted, why, ex)
            : check.Presented
                ? new GwctlException(ExitCodes.Unavailable, $"the TLS handshake with {address} failed: {detail}", ex)
                : new GwctlException(ExitCodes.Protocol, ErrorAdvice.NotTls(address, detail), ex);
    }

    private static async Task<IMessageChannel> OpenWebSocketAsync(GatewayAddress address, CancellationToken token)
    {
        var socket = new ClientWebSocket();
        try
        {
            socket.Options.AddSubProtocol(WebSocketChannel.SubProtocol);
            socket.Options.KeepAliveInterval = TimeSpan.Zero; // the protocol's own ping/pong applies
            socket.Options.CollectHttpResponseDetails = true;
            var check = address.Tls ? Check(address) : null;
            if (check is not null)
            {
                socket.Options.RemoteCertificateValidationCallback = check.Validate;
            }

            var url = new Uri($"{(address.Tls ? "wss" : "ws")}://{address.Endpoint}{address.Path}");
            try
            {
                await socket.ConnectAsync(url, token).ConfigureAwait(false);
            }
            catch (WebSocketException ex) when (socket.HttpStatusCode != 0 && (int)socket.HttpStatusCode != 101)
            {
                throw new GwctlException(ExitCodes.Unavailable, ErrorAdvice.WebSocketRefused(address, (int)socket.HttpStatusCode), ex);
            }
            catch (WebSocketException ex) when (check is not null && (check.Presented || Find<AuthenticationException>(ex) is not null))
            {
                throw Refused(address, check, ex);
            }
            catch (WebSocketException ex) when (Find<SocketException>(ex) is { } inner)
            {
                throw new GwctlException(ExitCodes.Unavailable, ErrorAdvice.ConnectFailed(address, inner.SocketErrorCode, inner.Message, TimeSpan.Zero), ex);
            }
            catch (WebSocketException ex)
            {
                throw new GwctlException(ExitCodes.Unavailable, $"cannot open a WebSocket to {address}: {ex.Message} ({ErrorAdvice.WhatToCheck(address)}{ErrorAdvice.PlainToTls(address)})", ex);
            }

            if (socket.SubProtocol != WebSocketChannel.SubProtocol)
            {
                throw new GwctlException(ExitCodes.Protocol, $"{address} did not accept the subprotocol {WebSocketChannel.SubProtocol}: is it a gateway's WebSocket listener?");
            }

            return new WebSocketChannel(socket, $"{(address.Tls ? "wss" : "ws")} {address.Endpoint}", MaxMessage, WriteTimeout);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private static T? Find<T>(Exception? ex)
        where T : Exception
    {
        for (; ex is not null; ex = ex.InnerException)
        {
            if (ex is T found)
            {
                return found;
            }
        }

        return null;
    }
}
