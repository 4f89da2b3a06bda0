using System.Diagnostics;
using Gateway.Console.Addressing;
using Gateway.Console.Cli;
using Gateway.Console.Keys;
using Gateway.Console.Transport;
using Gateway.Protocol;
using Gateway.Protocol.Commands;
using Gateway.Protocol.Transport;

namespace Gateway.Console.Commanding;

/// <summary>
/// Sends one signed command and waits for its result: over a gateway's TCP or WebSocket listener (the device id taken
/// from its <c>hello</c> unless given), over the UDP command port (the device must be given), through a
/// <c>gwctl listen</c> control port (the device named in the address), or through the MQTT broker of the gateway's
/// link (published to <c>&lt;prefix&gt;/commands</c> once subscribed to <c>&lt;prefix&gt;/results</c>, where the result
/// with the command's id is awaited; the device is the prefix's last level unless given).
/// </summary>
internal static class CommandClient
{
    /// <summary>Runs <paramref name="name"/> on the gateway at <paramref name="address"/>.</summary>
    /// <exception cref="GwctlException">Not reachable, no result in time, or the peer broke the protocol.</exception>
    public static Task<CommandOutcome> RunAsync(GatewayAddress address, CommandKeyFile key, string? device, string name, string args, TimeSpan timeout, CancellationToken cancellationToken) =>
        RunAsync(address, key, device, name, args, timeout, null, cancellationToken);

    /// <summary>Runs <paramref name="name"/> on the gateway at <paramref name="address"/>, logging in to its broker with <paramref name="login"/> for <c>mqtt://</c>.</summary>
    /// <exception cref="GwctlException">Not reachable, no result in time, or the peer broke the protocol.</exception>
    public static async Task<CommandOutcome> RunAsync(GatewayAddress address, CommandKeyFile key, string? device, string name, string args, TimeSpan timeout, BrokerLogin? login, CancellationToken cancellationToken)
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

        // Neither the control port of gwctl listen nor a broker says hello: the device is named in the address or given.
        var greeted = address.Transport is TransportKind.Listen or TransportKind.Mqtt;
        var named = device ?? address.Device;
        if (greeted && named is null)
        {
            throw new GwctlException(ExitCodes.Usage, $"the topic prefix '{address.Path}' does not end with a device id: give --device <id> (the gateway's Gateway:DeviceId)");
        }

        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout);
        await using var channel = await Connector.OpenAsync(address, login, MqttFeed.Results, timeout, cancellationToken).ConfigureAwait(false);
        var heard = new Heard();
        try
        {
            var target = greeted
                ? named!
                : device ?? (await GatewaySession.ReadHelloAsync(channel, address, timeout, limit.Token).ConfigureAwait(false)).Device;
            greeted = true;
            var command = SignedCommand.Create(key, target, name, args, DateTimeOffset.UtcNow);
            clock.Restart();
            await channel.SendAsync(command, limit.Token).ConfigureAwait(false);
            var result = await WaitForResultAsync(channel, address, command.Id, heard, limit.Token).ConfigureAwait(false);
            return new CommandOutcome(target, name, result, clock.Elapsed);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested && !greeted)
        {
            throw new GwctlException(ExitCodes.Timeout, ErrorAdvice.NoHello(address, timeout));
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested && address.Transport == TransportKind.Mqtt)
        {
            throw new GwctlException(ExitCodes.Timeout, NoMqttResult(address, timeout, heard));
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

    // No result over MQTT: the command went to the broker, and the gateway's link never answered on the results topic.
    private static string NoMqttResult(GatewayAddress address, TimeSpan timeout, Heard heard)
    {
        var topics = new MqttTopics(address.Path);
        var said = heard.Status is null ? $"nothing is retained on {topics.Status}" : $"{topics.Status} says '{Views.Formats.OneLine(heard.Status)}'";
        var error = heard.Error is null ? string.Empty : $"; {topics.Results} carried the error {heard.Error}";
        return $"no result on {topics.Results} within {ErrorAdvice.Seconds(timeout)} ({said}{error}): is the gateway's MQTT link connected to this broker with TopicPrefix {topics.Prefix}? (raise --timeout for slow commands)";
    }

    private static async Task<ResultMessage> WaitForResultAsync(IMessageChannel channel, GatewayAddress address, string id, Heard heard, CancellationToken token)
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
                    case BrokerStatusMessage status:
                        heard.Status = status.Status;
                        break;
                    case ErrorMessage error when address.Transport == TransportKind.Mqtt:
                        // The results topic is every peer's: an error there answers someone's message, not knowably ours.
                        heard.Error = $"{error.Code}: {Views.Formats.OneLine(error.Message)}";
                        break;
                    case ErrorMessage error:
                        // The gateway found fault with what we sent (it should not), or a relay refused it.
                        throw new GwctlException(ExitCodes.Protocol, $"{address} answered error {error.Code}: {error.Message}");
                    default:
                        break; // live readings and events while we wait
                }
            }
        }
    }

    // What the MQTT topics said while no result came, for the timeout's message.
    private sealed class Heard
    {
        public string? Status { get; set; }

        public string? Error { get; set; }
    }
}
