using System.Net;
using System.Net.Security;
using System.Net.Sockets;

namespace Gateway.Mqtt.Channels;

/// <summary>
/// The bottom layer: a byte stream to the broker. TCP with Nagle off (MQTT packets are small and latency matters), or
/// the stream <see cref="MqttClientOptions.StreamFactory"/> opens; wrapped in TLS when <see cref="MqttClientOptions.Tls"/>
/// is set. Knows nothing of MQTT.
/// </summary>
internal static class MqttChannel
{
    /// <summary>Connects to the broker within <see cref="MqttClientOptions.Timeout"/>; failures name the endpoint and the cause.</summary>
    public static async Task<Stream> OpenAsync(MqttClientOptions options, CancellationToken cancellationToken)
    {
        using var deadline = new CancellationTokenSource(options.Timeout, options.TimeProvider);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        var endpoint = $"{options.Host}:{options.Port}";
        var stream = options.StreamFactory is { } factory
            ? await OpenGivenAsync(factory, endpoint, options.Timeout, timeout.Token, cancellationToken).ConfigureAwait(false)
            : await ConnectTcpAsync(options, endpoint, timeout.Token, cancellationToken).ConfigureAwait(false);
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
        catch
        {
            await ssl.DisposeAsync().ConfigureAwait(false); // and the stream under it
            throw;
        }
    }

    private static async Task<Stream> ConnectTcpAsync(MqttClientOptions options, string endpoint, CancellationToken timeout, CancellationToken cancellationToken)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            if (IPAddress.TryParse(options.Host, out var address))
            {
                await socket.ConnectAsync(new IPEndPoint(address, options.Port), timeout).ConfigureAwait(false);
            }
            else
            {
                await socket.ConnectAsync(options.Host, options.Port, timeout).ConfigureAwait(false);
            }

            return new NetworkStream(socket, ownsSocket: true);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            socket.Dispose();
            throw new MqttTimeoutException($"connecting to {endpoint} took longer than {options.Timeout.TotalSeconds:0.###} s");
        }
        catch (SocketException e)
        {
            socket.Dispose();
            throw new MqttCommunicationException($"cannot connect to {endpoint}: {e.Message}", e);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    // The caller's transport (MqttClientOptions.StreamFactory), held to the same deadline and the same exceptions as TCP.
    private static async Task<Stream> OpenGivenAsync(Func<CancellationToken, ValueTask<Stream>> factory, string endpoint, TimeSpan limit, CancellationToken timeout, CancellationToken cancellationToken)
    {
        try
        {
            return await factory(timeout).ConfigureAwait(false) ?? throw new InvalidOperationException("StreamFactory returned null");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new MqttTimeoutException($"opening the stream to {endpoint} took longer than {limit.TotalSeconds:0.###} s");
        }
        catch (IOException e)
        {
            throw new MqttCommunicationException($"cannot open the stream to {endpoint}: {e.Message}", e);
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
