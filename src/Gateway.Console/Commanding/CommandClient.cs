using System.Diagnostics;
using Gateway.Console.Addressing;
using Gateway.Console.Cli;
using Gateway.Console.Transport;
using Gateway.Protocol;
using Gateway.Protocol.Commands;
using Gateway.Protocol.Transport;

namespace Gateway.Console.Commanding;

/// <summary>
/// Sends one signed command and waits for its result: over a gateway's TCP or WebSocket listener (the device id taken
/// from its <c>hello</c> unless given), over the UDP command port (the device must be given), or through a
/// <c>gwctl listen</c> control port (the device named in the address).
/// </summary>
internal static class CommandClient
{
    /// <summary>Runs <paramref name="name"/> on the gateway at <paramref name="address"/>.</summary>
    /// <exception cref="GwctlException">Not reachable, no result in time, or the peer broke the protocol.</exception>
    public static async Task<CommandOutcome> RunAsync(GatewayAddress address, CommandKeyFile key, string? device, string name, string args, TimeSpan timeout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(address);
        var clock = Stopwatch.StartNew();
        if (address.Transport == TransportKind.Udp)
        {
            var target = device ?? throw new GwctlException(ExitCodes.Usage, $"the UDP command port does not say which device it is: give --device <id> (gwctl discover shows it), or use the gateway's tcp:// or ws:// listener");
            var udpCommand = SignedCommand.Create(key, target, name, args, DateTimeOffset.UtcNow);
            var udpResult = await UdpCommandClient.SendAsync(address, udpCommand, timeout, cancellationToken).ConfigureAwait(false);
            return new CommandOutcome(target, name, udpResult, clock.Elapsed);
        }

        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout);
        await using var channel = await Connector.OpenAsync(address, timeout, cancellationToken).ConfigureAwait(false);
        var greeted = address.Transport == TransportKind.Listen; // the control port of gwctl listen does not say hello
        try
        {
            var target = greeted
                ? device ?? address.Device!
                : device ?? (await GatewaySession.ReadHelloAsync(channel, address, timeout, limit.Token).ConfigureAwait(false)).Device;
            greeted = true;
            var command = SignedCommand.Create(key, target, name, args, DateTimeOffset.UtcNow);
            clock.Restart();
            await channel.SendAsync(command, limit.Token).ConfigureAwait(false);
            var result = await WaitForResultAsync(channel, address, command.Id, limit.Token).ConfigureAwait(false);
            return new CommandOutcome(target, name, result, clock.Elapsed);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested && !greeted)
        {
            throw new GwctlException(ExitCodes.Timeout, ErrorAdvice.NoHello(address, timeout));
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new GwctlException(ExitCodes.Timeout, $"no result from {address} within {ErrorAdvice.Seconds(timeout)} (raise --timeout for slow commands; the gateway's own limit is Gateway:Commands:Timeout)");
        }
        catch (ChannelClosedException ex)
        {
            throw new GwctlException(ExitCodes.Unavailable, $"the connection to {address} broke before the result came: {ex.Message}", ex);
        }
        catch (FramingViolationException ex)
        {
            throw new GwctlException(ExitCodes.Protocol, $"{address} broke the protocol: {ex.Message}", ex);
        }
    }

    private static async Task<ResultMessage> WaitForResultAsync(IMessageChannel channel, GatewayAddress address, string id, CancellationToken token)
    {
        while (true)
        {
            var batch = await channel.ReceiveAsync(token).ConfigureAwait(false);
            if (batch.Count == 0)
            {
                throw new GwctlException(ExitCodes.Unavailable, $"{address} closed the connection before the result came");
            }

            foreach (var inbound in batch)
            {
                switch (inbound.Message)
                {
                    case ResultMessage result when result.Id == id:
                        return result;
                    case ErrorMessage error:
                        // The gateway found fault with what we sent (it should not), or a relay refused it.
                        throw new GwctlException(ExitCodes.Protocol, $"{address} answered error {error.Code}: {error.Message}");
                    default:
                        break; // live readings and events while we wait
                }
            }
        }
    }
}
