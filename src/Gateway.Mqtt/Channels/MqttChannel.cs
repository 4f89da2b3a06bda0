using System.Net;
using System.Net.Security;
using System.Net.Sockets;

namespace Gateway.Mqtt.Channels;

/// <summary>
/// The bottom layer: a byte stream to the broker. TCP with Nagle off (MQTT packets are small and latency matters),
/// wrapped in TLS when <see cref="MqttClientOptions.Tls"/> is set. Knows nothing of MQTT.
/// </summary>
internal static class MqttChannel
{
    /// <summary>Connects to the broker within <see cref="MqttClientOptions.Timeout"/>; failures name the endpoint and the cause.</summary>
    public static async Task<Stream> OpenAsync(MqttClientOptions options, CancellationToken cancellationToken)
    {
        using var deadline = new CancellationTokenSource(options.Timeout, options.TimeProvider);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        var endpoint = $"{options.Host}:{options.Port}";
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            try
            {
                if (IPAddress.TryParse(options.Host, out var address))
                {
                    await socket.ConnectAsync(new IPEndPoint(address, options.Port), timeout.Token).ConfigureAwait(false);
                }
                else
                {
                    await socket.ConnectAsync(options.Host, options.Port, timeout.Token).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new MqttTimeoutException($"connecting to {endpoint} took longer than {options.Timeout.TotalSeconds:0.###} s");
            }
            catch (SocketException e)
            {
                throw new MqttCommunicationException($"cannot connect to {endpoint}: {e.Message}", e);
            }

            var stream = new NetworkStream(socket, ownsSocket: true);
            if (options.Tls is null)
            {
                return stream;
            }

            var ssl = new SslStream(stream, leaveInnerStreamOpen: false);
            try
            {
                await ssl.AuthenticateAsClientAsync(TlsOptions(options), timeout.Token).ConfigureAwait(false);
                return ssl;
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                await ssl.DisposeAsync().ConfigureAwait(false);
                throw new MqttTimeoutException($"the TLS handshake with {endpoint} took longer than {options.Timeout.TotalSeconds:0.###} s");
            }
            catch (Exception e) when (e is System.Security.Authentication.AuthenticationException or IOException or System.Security.Cryptography.CryptographicException)
            {
                await ssl.DisposeAsync().ConfigureAwait(false);
                throw new MqttCommunicationException($"TLS with {endpoint} failed: {e.Message}", e);
            }
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    // The caller's policy (MqttClientTlsOptions.AuthenticationOptions), for this connection attempt; the target host
    // defaults to the broker's host name, and is set if the factory left it out.
    private static SslClientAuthenticationOptions TlsOptions(MqttClientOptions options)
    {
        var tls = options.Tls!;
        var host = tls.TargetHost ?? options.Host;
        var result = tls.AuthenticationOptions(host) ?? throw new InvalidOperationException("Tls.AuthenticationOptions returned null");
        result.TargetHost ??= host;
        return result;
    }
}
