using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Threading.Channels;
using Gateway.Console.Addressing;
using Gateway.Console.Cli;
using Gateway.Console.Keys;
using Gateway.Mqtt;
using Gateway.Mqtt.Packets;
using Gateway.Protocol;
using Gateway.Protocol.Transport;
using ChannelClosedException = Gateway.Protocol.Transport.ChannelClosedException;

namespace Gateway.Console.Transport;

/// <summary>
/// A gateway reached through the MQTT broker its link publishes to (<c>mqtt://host:port/&lt;prefix&gt;</c>), as a
/// message channel: what gwctl sends is published QoS 1 to <c>&lt;prefix&gt;/commands</c>; what it receives is every
/// message on the topics of its <see cref="MqttFeed"/> (readings, events, gaps, results), parsed as the gateway
/// protocol, and the retained status as a <see cref="BrokerStatusMessage"/>. Topics and payloads: docs/protocol.md,
/// MQTT. A clean session under a fresh client id (MQTT 3.1.1 §3.1.2.4): nothing is left on the broker afterwards.
/// </summary>
/// <remarks>
/// What the broker sends is hostile until parsed: a packet over <see cref="MaxPacket"/> ends the connection (the
/// client refuses it before reading it), a payload over <see cref="Connector.MaxMessage"/> or one that is not a valid
/// message becomes an <see cref="Inbound"/> problem naming its topic, to be reported and skipped; at most
/// <see cref="Backlog"/> messages wait for the reader, and then the client stops reading the socket.
/// </remarks>
internal sealed class MqttGatewayChannel : IMessageChannel
{
    /// <summary>The largest packet taken from the broker: a payload of <see cref="Connector.MaxMessage"/> and a topic of any length fit.</summary>
    public const int MaxPacket = 256 * 1024;

    /// <summary>Messages received and not yet read, at most (here, and again in the MQTT client's own queue).</summary>
    public const int Backlog = 64;

    /// <summary>MQTT keep alive (MQTT 3.1.1 §3.1.2.10): the client pings the broker after this long without sending.</summary>
    public static readonly TimeSpan KeepAlive = TimeSpan.FromSeconds(30);

    private static readonly TimeSpan DisconnectTimeout = TimeSpan.FromSeconds(2);
    private readonly Channel<Inbound> _inbox = Channel.CreateBounded<Inbound>(new BoundedChannelOptions(Backlog) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
    private readonly MqttClient _client = new();
    private readonly GatewayAddress _address;

    private MqttGatewayChannel(GatewayAddress address)
    {
        _address = address;
        Topics = new MqttTopics(address.Path);
        _client.ApplicationMessageReceivedAsync += e => OnMessageAsync(e.ApplicationMessage);
        _client.DisconnectedAsync += e =>
        {
            // Null: this side disconnected (disposal); the reader sees the end of the messages.
            _inbox.Writer.TryComplete(e.Exception is null ? null : new ChannelClosedException(Describe(e.Exception), e.Exception));
            return Task.CompletedTask;
        };
    }

    /// <summary>The gateway's topics.</summary>
    public MqttTopics Topics { get; }

    /// <inheritdoc/>
    public string Peer => $"mqtt {_address.Endpoint} {Topics.Prefix}";

    /// <summary>Connects to the broker and subscribes to <paramref name="feed"/>'s topics, each bounded by <paramref name="timeout"/> (the client's own limit on every wait for the broker).</summary>
    /// <exception cref="GwctlException">The broker cannot be reached (69), refused the login or a subscription (69), did not answer (75), or does not speak MQTT 3.1.1 (76).</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public static async Task<MqttGatewayChannel> OpenAsync(GatewayAddress address, BrokerLogin? login, MqttFeed feed, TimeSpan timeout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(address);
        var channel = new MqttGatewayChannel(address);
        try
        {
            await channel._client.ConnectAsync(Options(address, login, timeout), cancellationToken).ConfigureAwait(false);
            await channel._client.SubscribeAsync(channel.Filters(feed), cancellationToken).ConfigureAwait(false);
            return channel;
        }
        catch (MqttException ex)
        {
            await channel.DisposeAsync().ConfigureAwait(false);
            throw Explain(address, login, timeout, ex);
        }
        catch
        {
            await channel.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Publishes <paramref name="message"/> to the commands topic, QoS 1, not retained; returns on the broker's PUBACK.</summary>
    public Task SendAsync(Message message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        return PublishAsync(Encoding.UTF8.GetBytes(MessageWriter.ToJson(message)), cancellationToken);
    }

    /// <summary>Publishes each NDJSON line as a message of its own to the commands topic, in order.</summary>
    public async Task SendLinesAsync(ReadOnlyMemory<byte> lines, CancellationToken cancellationToken)
    {
        while (!lines.IsEmpty)
        {
            var end = lines.Span.IndexOf((byte)'\n');
            var line = end < 0 ? lines : lines[..end];
            lines = end < 0 ? ReadOnlyMemory<byte>.Empty : lines[(end + 1)..];
            if (!line.IsEmpty)
            {
                await PublishAsync(line, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <inheritdoc/>
    public async Task<IReadOnlyList<Inbound>> ReceiveAsync(CancellationToken cancellationToken)
    {
        // Completed with the cause when the connection was lost: WaitToReadAsync throws it once what came before is read.
        if (!await _inbox.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
        {
            return [];
        }

        var batch = new List<Inbound>();
        while (batch.Count < Backlog && _inbox.Reader.TryRead(out var inbound))
        {
            batch.Add(inbound);
        }

        return batch;
    }

    /// <summary>Says DISCONNECT (bounded) and closes the connection.</summary>
    public async ValueTask DisposeAsync()
    {
        _inbox.Writer.TryComplete();
        using var limit = new CancellationTokenSource(DisconnectTimeout);
        try
        {
            await _client.DisconnectAsync(limit.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or MqttException)
        {
            // gone already, or the broker does not take it: the socket is closed below either way
        }

        await _client.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>What an MQTT failure means for gwctl, in the words and exit codes of the other transports.</summary>
    internal static GwctlException Explain(GatewayAddress address, BrokerLogin? login, TimeSpan timeout, MqttException ex) => ex switch
    {
        MqttCommunicationException { InnerException: SocketException socket } =>
            new GwctlException(ExitCodes.Unavailable, ErrorAdvice.ConnectFailed(address, socket.SocketErrorCode, socket.Message, timeout), ex),
        MqttConnectException { ReturnCode: MqttConnectReturnCode.BadUserNameOrPassword or MqttConnectReturnCode.NotAuthorized } =>
            new GwctlException(ExitCodes.Unavailable, $"{address}: {ex.Message}: {(login is null ? "the broker wants a login: give --mqtt-user and the password in --mqtt-password-file or $" + BrokerLogin.PasswordVariable : $"check --mqtt-user ({login.User}) and the password")}", ex),
        MqttConnectException => new GwctlException(ExitCodes.Unavailable, $"{address}: {ex.Message}", ex),
        MqttSubscribeException => new GwctlException(ExitCodes.Unavailable, $"{address}: the broker refused to subscribe gwctl to the gateway's topics ({ex.Message}): check the broker's ACL for this user", ex),
        MqttTimeoutException => new GwctlException(ExitCodes.Timeout, $"no answer from the broker at {address} within {ErrorAdvice.Seconds(timeout)} ({ex.Message}): is it an MQTT broker's plain listener?", ex),
        MqttProtocolViolationException => new GwctlException(ExitCodes.Protocol, $"{address} does not speak MQTT 3.1.1 ({ex.Message}): is it an MQTT broker's plain listener?", ex),
        _ => new GwctlException(ExitCodes.Unavailable, $"cannot talk to the broker at {address}: {ex.Message} ({ErrorAdvice.WhatToCheck(address)})", ex),
    };

    private static MqttClientOptions Options(GatewayAddress address, BrokerLogin? login, TimeSpan timeout) => new()
    {
        Host = address.Endpoint.Host,
        Port = address.Endpoint.Port,
        ClientId = "gwctl" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6)), // 17 of [0-9a-z]: every broker takes it (MQTT 3.1.1 §3.1.3.1)
        CleanSession = true,
        KeepAlivePeriod = KeepAlive,
        Username = login?.User,
        Password = login?.Password is { } password ? Encoding.UTF8.GetBytes(password) : (ReadOnlyMemory<byte>?)null, // not a null array: that would be an empty password
        Timeout = timeout <= TimeSpan.Zero || timeout > TimeSpan.FromHours(1) ? TimeSpan.FromHours(1) : timeout,
        MaximumPacketSize = MaxPacket,
        ReceiveQueueCapacity = Backlog,
    };

    private static string Describe(Exception ex) => ex is MqttException && ex.InnerException is { } cause and not MqttException
        ? $"{ex.Message} ({cause.Message})"
        : ex.Message;

    private List<MqttTopicFilter> Filters(MqttFeed feed) => feed == MqttFeed.Watch
        ? [new(Topics.ReadingsFilter), new(Topics.Events), new(Topics.Gaps), new(Topics.Status), new(Topics.Results)]
        : [new(Topics.Results), new(Topics.Status)];

    private async Task PublishAsync(ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        try
        {
            await _client.PublishAsync(Topics.Commands, payload, MqttQualityOfServiceLevel.AtLeastOnce, retain: false, cancellationToken).ConfigureAwait(false);
        }
        catch (MqttException ex)
        {
            throw new ChannelClosedException($"the broker did not take the message for {Topics.Commands} ({Describe(ex)})", ex);
        }
    }

    // One message from the broker, into the inbox; waits while the inbox is full (the client then stops reading the
    // socket), drops it once the channel is closed. Never throws: a throwing handler would end the connection.
    private async Task OnMessageAsync(MqttApplicationMessage message)
    {
        var inbound = Read(message);
        while (await _inbox.Writer.WaitToWriteAsync().ConfigureAwait(false))
        {
            if (_inbox.Writer.TryWrite(inbound))
            {
                return;
            }
        }
    }

    private Inbound Read(MqttApplicationMessage message)
    {
        var payload = message.Payload.Span;
        if (message.Topic == Topics.Status)
        {
            var text = Encoding.UTF8.GetString(payload[..Math.Min(payload.Length, BrokerStatusMessage.MaxLength)]);
            text = string.Concat(text.Select(c => char.IsControl(c) ? '?' : c));
            return new Inbound(new BrokerStatusMessage(message.Topic, text.Length == 0 ? "(empty)" : text, message.Retain), null);
        }

        if (payload.Length > Connector.MaxMessage)
        {
            return new Inbound(null, new ErrorMessage(ErrorCodes.LineTooLong, $"on {message.Topic}: {payload.Length} bytes, more than {Connector.MaxMessage}"));
        }

        var parsed = Inbound.Parse(payload);
        return parsed.Problem is { } problem ? new Inbound(null, problem with { Message = $"on {message.Topic}: {problem.Message}" }) : parsed;
    }
}
