namespace Gateway.Mqtt;

/// <summary>
/// How <see cref="MqttClient.ConnectAsync"/> connects: broker, identity, session, keep alive, credentials, last will,
/// TLS and the client's own limits. Build one with an object initializer or <see cref="MqttClientOptionsBuilder"/>;
/// <see cref="Validate"/> runs on every connect.
/// </summary>
public sealed class MqttClientOptions
{
    /// <summary>The longest keep alive MQTT can express: 65,535 s (MQTT-3.1.2.10, a 16-bit number of seconds).</summary>
    public static readonly TimeSpan MaximumKeepAlivePeriod = TimeSpan.FromSeconds(ushort.MaxValue);

    /// <summary>
    /// The largest in-flight window <see cref="MaxInflightMessages"/> accepts: 65,000 of the 65,535 packet identifiers
    /// (MQTT-2.3.1, 16-bit, non-zero), leaving some for SUBSCRIBE and UNSUBSCRIBE.
    /// </summary>
    public const int MaximumInflightMessages = 65_000;

    /// <summary>Broker host name or IP address.</summary>
    public string Host { get; init; } = "127.0.0.1";

    /// <summary>Broker port; 1883 is MQTT's, 8883 MQTT over TLS's.</summary>
    public int Port { get; init; } = 1883;

    /// <summary>Client identifier (MQTT-3.1.3.1); the broker keeps a persistent session under it. Empty only with a clean session [MQTT-3.1.3-7].</summary>
    public string ClientId { get; init; } = string.Empty;

    /// <summary>
    /// Clean session (MQTT-3.1.2.4): true starts afresh and drops the session when the connection ends (unacknowledged
    /// QoS 1 messages then fail with <see cref="MqttSessionDiscardedException"/>); false resumes the broker's session
    /// and keeps unacknowledged QoS 1 messages across reconnects, resent with DUP set [MQTT-4.4.0-1].
    /// </summary>
    public bool CleanSession { get; init; } = true;

    /// <summary>
    /// Keep alive (MQTT-3.1.2.10): when nothing was sent for this long the client sends PINGREQ; zero turns it off.
    /// Whole seconds, at most 65,535 s. The broker drops a client silent for 1.5 times this [MQTT-3.1.2-24].
    /// </summary>
    public TimeSpan KeepAlivePeriod { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>User name, or null for none.</summary>
    public string? Username { get; init; }

    /// <summary>Password (binary in MQTT 3.1.1), or null for none; needs <see cref="Username"/> [MQTT-3.1.2-22].</summary>
    public ReadOnlyMemory<byte>? Password { get; init; }

    /// <summary>Last will: published by the broker when the connection closes without DISCONNECT (MQTT-3.1.2.5).</summary>
    public MqttApplicationMessage? WillMessage { get; init; }

    /// <summary>
    /// How long the client waits for the broker: TCP connect and TLS handshake, CONNACK, SUBACK, UNSUBACK, PINGRESP,
    /// and each write. A wait that runs out closes the connection with <see cref="MqttTimeoutException"/>.
    /// </summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The in-flight window: QoS 1 messages sent and not yet acknowledged, at most (1–65,000). A publish beyond it waits for a PUBACK.</summary>
    public int MaxInflightMessages { get; init; } = 100;

    /// <summary>The largest packet accepted from the broker (remaining length, bytes); a larger one closes the connection with <see cref="MqttPacketTooLargeException"/>.</summary>
    public int MaximumPacketSize { get; init; } = 16 * 1024 * 1024;

    /// <summary>
    /// Received messages waiting for <see cref="MqttClient.ApplicationMessageReceivedAsync"/>, at most; when full, the
    /// client stops reading from the socket until the handler catches up (TCP then slows the broker down).
    /// </summary>
    public int ReceiveQueueCapacity { get; init; } = 1024;

    /// <summary>TLS settings, or null for plain TCP.</summary>
    public MqttClientTlsOptions? Tls { get; init; }

    /// <summary>
    /// Opens the byte stream to the broker in place of the client's own TCP connection to <see cref="Host"/>:<see cref="Port"/>;
    /// null (the default) dials TCP. For a transport the caller makes itself, such as an in-memory pipe to a scripted
    /// broker in tests. It runs within <see cref="Timeout"/> (its token is cancelled when that runs out, or when the
    /// connect is cancelled); <see cref="Tls"/>, when set, is still negotiated over the stream it returns; the client owns
    /// the stream from then on and disposes it when the connection ends. An <see cref="IOException"/> it throws becomes
    /// <see cref="MqttCommunicationException"/>, as a failed TCP connect does.
    /// </summary>
    public Func<CancellationToken, ValueTask<Stream>>? StreamFactory { get; init; }

    /// <summary>The clock for keep alive and timeouts (tests may pass a fake one).</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Checks every setting; throws <see cref="ArgumentException"/> saying which one is wrong and what is allowed.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(Host))
        {
            throw new ArgumentException("Host is required: the broker's host name or IP address", nameof(Host));
        }

        if (Port is < 1 or > 65535)
        {
            throw new ArgumentException($"Port must be 1-65535, was {Port}", nameof(Port));
        }

        ArgumentNullException.ThrowIfNull(ClientId);
        if (ClientId.Length == 0 && !CleanSession)
        {
            throw new ArgumentException("MQTT-3.1.3-7: a persistent session (CleanSession = false) needs a non-empty ClientId to be found again", nameof(ClientId));
        }

        if (KeepAlivePeriod < TimeSpan.Zero || KeepAlivePeriod > MaximumKeepAlivePeriod || KeepAlivePeriod.Ticks % TimeSpan.TicksPerSecond != 0)
        {
            throw new ArgumentException($"KeepAlivePeriod must be whole seconds from 0 (off) to 65535, was {KeepAlivePeriod}", nameof(KeepAlivePeriod));
        }

        if (Password is not null && Username is null)
        {
            throw new ArgumentException("MQTT-3.1.2-22: a Password needs a Username", nameof(Password));
        }

        if (Timeout <= TimeSpan.Zero || Timeout > TimeSpan.FromHours(1))
        {
            throw new ArgumentException($"Timeout must be more than 0 and at most 1 h, was {Timeout}", nameof(Timeout));
        }

        if (MaxInflightMessages is < 1 or > MaximumInflightMessages)
        {
            throw new ArgumentException($"MaxInflightMessages must be 1-{MaximumInflightMessages} (packet identifiers are 16-bit and SUBSCRIBEs need some too), was {MaxInflightMessages}", nameof(MaxInflightMessages));
        }

        if (MaximumPacketSize is < 16 or > Framing.MqttRemainingLength.Maximum)
        {
            throw new ArgumentException($"MaximumPacketSize must be 16-{Framing.MqttRemainingLength.Maximum} bytes, was {MaximumPacketSize}", nameof(MaximumPacketSize));
        }

        if (ReceiveQueueCapacity < 1)
        {
            throw new ArgumentException($"ReceiveQueueCapacity must be at least 1, was {ReceiveQueueCapacity}", nameof(ReceiveQueueCapacity));
        }

        if (WillMessage is { QualityOfServiceLevel: > MqttQualityOfServiceLevel.ExactlyOnce })
        {
            throw new ArgumentException("MQTT-3.1.2-14: the will QoS must be 0, 1 or 2", nameof(WillMessage));
        }

        var willProblem = WillMessage is null ? null : Formatter.MqttTopic.CheckTopicName(WillMessage.Topic);
        if (willProblem is not null)
        {
            throw new ArgumentException($"WillMessage.Topic: {willProblem}", nameof(WillMessage));
        }

        ArgumentNullException.ThrowIfNull(TimeProvider);
        Tls?.Validate();
    }
}
