using System.Net;
using System.Net.Sockets;
using System.Text;
using Gateway.Console.Addressing;
using Gateway.Console.Cli;
using Gateway.Protocol;
using Gateway.Protocol.Transport;

namespace Gateway.Console.Commanding;

/// <summary>
/// A command over the gateway's UDP command port: one datagram out, one result datagram back. Datagrams can be lost,
/// so the very same signed message is sent again every <see cref="Resend"/> until the result comes; that is safe
/// because the gateway answers a repeated id with the first result and never runs it twice (docs/protocol.md, id).
/// </summary>
internal static class UdpCommandClient
{
    /// <summary>How long to wait before sending the same datagram again.</summary>
    public static readonly TimeSpan Resend = TimeSpan.FromSeconds(1);

    /// <summary>Sends <paramref name="command"/> and returns its result.</summary>
    /// <exception cref="GwctlException">Nothing listens there, no result in time, or the command is too large for a datagram.</exception>
    public static async Task<ResultMessage> SendAsync(GatewayAddress address, CommandMessage command, TimeSpan timeout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(address);
        var payload = Encoding.UTF8.GetBytes(MessageWriter.ToJson(command));
        if (payload.Length > ProtocolInfo.MaxDatagram)
        {
            throw new GwctlException(ExitCodes.Usage, $"the command is {payload.Length} bytes, more than a datagram carries ({ProtocolInfo.MaxDatagram}); send it over the gateway's tcp:// or ws:// listener");
        }

        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout);
        using var socket = new Socket(SocketType.Dgram, ProtocolType.Udp);
        var buffer = new byte[64 * 1024];
        try
        {
            // A connected UDP socket hears the ICMP "port unreachable" of a closed port as ConnectionRefused.
            await socket.ConnectAsync(address.Endpoint.Host, address.Endpoint.Port, limit.Token).ConfigureAwait(false);
            while (true)
            {
                await socket.SendAsync(payload, SocketFlags.None, limit.Token).ConfigureAwait(false);
                using var wait = CancellationTokenSource.CreateLinkedTokenSource(limit.Token);
                wait.CancelAfter(Resend);
                try
                {
                    while (true)
                    {
                        var n = await socket.ReceiveAsync(buffer, SocketFlags.None, wait.Token).ConfigureAwait(false);
                        switch (Inbound.Parse(buffer.AsSpan(0, n)).Message)
                        {
                            case ResultMessage result when result.Id == command.Id:
                                return result;
                            case ErrorMessage error:
                                throw new GwctlException(ExitCodes.Protocol, $"{address} answered error {error.Code}: {error.Message}");
                            default:
                                continue; // a late answer to something else
                        }
                    }
                }
                catch (OperationCanceledException) when (!limit.IsCancellationRequested)
                {
                    // nothing within Resend: send the same datagram again
                }
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new GwctlException(ExitCodes.Timeout, $"no result from {address} within {ErrorAdvice.Seconds(timeout)}: {ErrorAdvice.WhatToCheck(address)}");
        }
        catch (SocketException ex)
        {
            throw new GwctlException(ExitCodes.Unavailable, ErrorAdvice.ConnectFailed(address, ex.SocketErrorCode, ex.Message, timeout), ex);
        }
    }
}
