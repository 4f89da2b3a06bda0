using Gateway.Console.Addressing;
using Gateway.Console.Cli;
using Gateway.Protocol;
using Gateway.Protocol.Transport;

namespace Gateway.Console.Transport;

/// <summary>The start of a console's connection to a gateway's listener: the gateway speaks first, with <c>hello</c>.</summary>
internal static class GatewaySession
{
    /// <summary>Waits for the gateway's <c>hello</c>; messages that came with it are returned too.</summary>
    /// <exception cref="GwctlException">Refused (e.g. too many connections), closed, silent, or not a gateway.</exception>
    public static async Task<HelloMessage> ReadHelloAsync(IMessageChannel channel, GatewayAddress address, TimeSpan timeout, CancellationToken cancellationToken, List<Inbound>? rest = null)
    {
        ArgumentNullException.ThrowIfNull(channel);
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout);
        IReadOnlyList<Inbound> batch;
        try
        {
            batch = await channel.ReceiveAsync(limit.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new GwctlException(ExitCodes.Timeout, ErrorAdvice.NoHello(address, timeout));
        }
        catch (ChannelClosedException ex)
        {
            throw new GwctlException(ExitCodes.Unavailable, $"{address} closed the connection at once ({ex.Message}): {ErrorAdvice.WhatToCheck(address)}{ErrorAdvice.PlainToTls(address)}", ex);
        }
        catch (FramingViolationException ex)
        {
            throw new GwctlException(ExitCodes.Protocol, $"{address} does not speak the gateway protocol ({ex.Message})", ex);
        }

        if (batch.Count == 0)
        {
            throw new GwctlException(ExitCodes.Unavailable, $"{address} closed the connection without a hello: {ErrorAdvice.WhatToCheck(address)}{ErrorAdvice.PlainToTls(address)}");
        }

        rest?.AddRange(batch.Skip(1));
        return batch[0] switch
        {
            { Message: HelloMessage hello } => hello,
            { Message: ErrorMessage { Code: "too_many_connections" } error } =>
                throw new GwctlException(ExitCodes.Unavailable, $"{address} is full: {error.Message} (Gateway:Listener:MaxConnections)"),
            { Message: ErrorMessage error } => throw new GwctlException(ExitCodes.Unavailable, $"{address} refused the connection: {error.Code}: {error.Message}"),
            { Message: { } other } => throw new GwctlException(ExitCodes.Protocol, $"{address} sent '{other.Type}' before hello: is it a gateway's listener?"),
            { Problem: { } problem } => throw new GwctlException(ExitCodes.Protocol, $"{address} does not speak the gateway protocol ({problem.Message}): is it a gateway's listener?"),
            _ => throw new GwctlException(ExitCodes.Protocol, $"{address} sent nothing usable"),
        };
    }
}
