using Gateway.Protocol;
using Gateway.Protocol.Transport;

namespace Gateway.Links.Mqtt;

/// <summary><c>Gateway:Upstream:Mqtt</c> (and <c>…:Mqtt:Links:&lt;name&gt;</c>): an MQTT broker the readings are published to.</summary>
internal sealed record MqttLinkOptions
{
    /// <summary>The link's name and outbox cursor: <c>mqtt</c> or <c>mqtt:&lt;name&gt;</c>.</summary>
    public required string Name { get; init; }

    /// <summary><c>Broker</c>: <c>host:port</c> of the broker.</summary>
    public required HostEndpoint Broker { get; init; }

    /// <summary><c>TopicPrefix</c>: the root of this gateway's topics; <c>{device}</c> is replaced by the device id.</summary>
    public string TopicPrefix { get; init; } = "gateway/{device}";

    /// <summary><c>ClientId</c>: the MQTT client id; <c>{device}</c> is replaced.</summary>
    public string ClientId { get; init; } = "gateway-{device}";

    /// <summary><c>Username</c>.</summary>
    public string? Username { get; init; }

    /// <summary><c>Password</c> (a secret: never logged, redacted by <c>config.get</c>).</summary>
    public string? Password { get; init; }

    /// <summary><c>Tls</c>: TLS to the broker.</summary>
    public bool Tls { get; init; }

    /// <summary><c>CaFile</c>, <c>Pin</c>, <c>ClientCertificate</c>, <c>ClientKey</c>.</summary>
    public TlsClientSettings TlsSettings { get; init; } = new();

    /// <summary><c>Format</c>: <c>Protocol</c> (one reading message per PUBLISH) or <c>SenML</c>.</summary>
    public PayloadFormat Format { get; init; } = PayloadFormat.Protocol;

    /// <summary><c>KeepAlive</c>: MQTT keep alive.</summary>
    public TimeSpan KeepAlive { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// <c>WriteTimeout</c>: a packet the broker does not take within this long, or an answer (CONNACK, SUBACK,
    /// PINGRESP) that does not come, drops the connection as <c>stalled</c> (the MQTT client's <c>Timeout</c>).
    /// </summary>
    public TimeSpan WriteTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary><c>Window</c>: QoS 1 publishes awaiting PUBACK, at most.</summary>
    public int Window { get; init; } = 100;

    /// <summary><c>MaxRate</c>: readings published per second at most while draining a backlog.</summary>
    public int MaxRate { get; init; } = 5_000;

    /// <summary><c>BackoffMax</c>: the longest reconnect delay.</summary>
    public TimeSpan BackoffMax { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary><c>Discovery</c>: Home Assistant MQTT discovery messages (on by default).</summary>
    public bool Discovery { get; init; } = true;

    /// <summary><c>DiscoveryPrefix</c>: Home Assistant's discovery prefix.</summary>
    public string DiscoveryPrefix { get; init; } = "homeassistant";

    /// <summary><c>SwitchKey</c>: the command key on whose behalf Home Assistant switches run <c>output.set</c>; no key, no switches.</summary>
    public string? SwitchKey { get; init; }

    /// <summary>Where the link connects, for logs and status.</summary>
    public string Target => $"mqtt{(Tls ? "s" : string.Empty)}://{Broker}";
}
