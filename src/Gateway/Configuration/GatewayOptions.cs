namespace Gateway.Configuration;

/// <summary>The gateway's validated configuration: everything under the <c>Gateway</c> section.</summary>
internal sealed record GatewayOptions
{
    /// <summary>Name of the configuration section that holds every gateway setting.</summary>
    public const string SectionName = "Gateway";

    /// <summary><c>Gateway:DeviceId</c>: this gateway's identity, carried by every reading.</summary>
    public required string DeviceId { get; init; }

    /// <summary><c>Gateway:StateDirectory</c>: where durable state lives (absolute, resolved against the working directory).</summary>
    public required string StateDirectory { get; init; }

    /// <summary><c>Gateway:ShutdownTimeout</c>: how long a graceful stop may take.</summary>
    public TimeSpan ShutdownTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary><c>Gateway:Hardware</c>.</summary>
    public HardwareOptions Hardware { get; init; } = new();

    /// <summary><c>Gateway:Sampling</c>.</summary>
    public SamplingOptions Sampling { get; init; } = new();

    /// <summary><c>Gateway:Sensors:&lt;id&gt;</c>: the sensors on the board.</summary>
    public IReadOnlyList<SensorOptions> Sensors { get; init; } = [];

    /// <summary><c>Gateway:Outputs:&lt;id&gt;</c>: the named outputs (relays, LEDs).</summary>
    public IReadOnlyList<OutputOptions> Outputs { get; init; } = [];

    /// <summary><c>Gateway:Outbox</c>.</summary>
    public Gateway.Outbox.OutboxOptions Outbox { get; init; } = new() { Path = "data/gateway.db" };

    /// <summary><c>Gateway:Listener</c>: where consoles connect.</summary>
    public Gateway.Links.ListenerOptions Listener { get; init; } = new();

    /// <summary>The web console's sessions and access tokens (its address is <see cref="Links.ListenerOptions.Http"/>).</summary>
    public Gateway.Web.WebConsoleOptions Web { get; init; } = new();

    /// <summary><c>Gateway:Commands</c>: command keys and limits.</summary>
    public Gateway.Commands.CommandOptions Commands { get; init; } = new();

    /// <summary><c>Gateway:Upstream</c>.</summary>
    public UpstreamOptions Upstream { get; init; } = new();

    /// <summary><c>Gateway:Watchdog</c>.</summary>
    public WatchdogOptions Watchdog { get; init; } = new();

    /// <summary><c>Gateway:Logging</c>.</summary>
    public LoggingOptions Logging { get; init; } = new();

    /// <summary><c>Gateway:Diagnostics</c>: fault injection for tests and drills.</summary>
    public DiagnosticsOptions Diagnostics { get; init; } = new();
}

/// <summary>Which implementation of the board's hardware the gateway drives.</summary>
internal enum HardwareBackend
{
    /// <summary>The in-process firmware simulator: simulated chips and lines, no real hardware touched.</summary>
    Simulated,

    /// <summary>The Linux kernel interfaces: /dev/gpiochipN, /dev/i2c-N and the w1 sysfs tree.</summary>
    Linux,

    /// <summary>A separate firmware-sim process serving the simulated board over a Unix socket.</summary>
    RemoteSimulator,
}

/// <summary><c>Gateway:Hardware</c> settings.</summary>
internal sealed record HardwareOptions
{
    /// <summary><c>Gateway:Hardware:Backend</c>: Simulated (default), Linux or RemoteSimulator.</summary>
    public HardwareBackend Backend { get; init; } = HardwareBackend.Simulated;

    /// <summary><c>Gateway:Hardware:Scenario</c>: the simulator's scenario file; null for the built-in default scenario.</summary>
    public string? Scenario { get; init; }

    /// <summary><c>Gateway:Hardware:Seed</c>: overrides the scenario's random seed.</summary>
    public int? Seed { get; init; }

    /// <summary><c>Gateway:Hardware:SimulatorSocket</c>: the firmware-sim process's Unix socket (RemoteSimulator).</summary>
    public string SimulatorSocket { get; init; } = "firmware-sim.sock";

    /// <summary><c>Gateway:Hardware:OneWireRoot</c>: the w1 sysfs folder (Linux).</summary>
    public string OneWireRoot { get; init; } = "/sys/bus/w1/devices";
}

/// <summary><c>Gateway:Sampling</c> settings.</summary>
internal sealed record SamplingOptions
{
    /// <summary><c>Gateway:Sampling:Interval</c>: the default interval between readings of a sensor.</summary>
    public TimeSpan Interval { get; init; } = TimeSpan.FromSeconds(5);
}

/// <summary><c>Gateway:Upstream</c> settings.</summary>
internal sealed record UpstreamOptions
{
    /// <summary><c>Gateway:Upstream:Tcp</c> (and <c>…:Tcp:Links:&lt;name&gt;</c>): the TCP upstreams.</summary>
    public IReadOnlyList<Gateway.Links.UpstreamLinkOptions> Tcp { get; init; } = [];

    /// <summary><c>Gateway:Upstream:WebSocket</c> (and <c>…:WebSocket:Links:&lt;name&gt;</c>): the WebSocket upstreams.</summary>
    public IReadOnlyList<Gateway.Links.UpstreamLinkOptions> WebSocket { get; init; } = [];

    /// <summary><c>Gateway:Upstream:Udp</c> (and <c>…:Udp:Links:&lt;name&gt;</c>): the UDP broadcast links.</summary>
    public IReadOnlyList<Gateway.Links.UdpLinkOptions> Udp { get; init; } = [];

    /// <summary><c>Gateway:Upstream:Mqtt</c> (and <c>…:Mqtt:Links:&lt;name&gt;</c>): the MQTT brokers.</summary>
    public IReadOnlyList<Gateway.Links.Mqtt.MqttLinkOptions> Mqtt { get; init; } = [];

    /// <summary><c>Gateway:Upstream:Http</c> (and <c>…:Http:Links:&lt;name&gt;</c>): the HTTP line-protocol writers (InfluxDB and compatible).</summary>
    public IReadOnlyList<Gateway.Links.Http.HttpLinkOptions> Http { get; init; } = [];
}

/// <summary><c>Gateway:Watchdog</c> settings.</summary>
internal sealed record WatchdogOptions
{
    /// <summary>
    /// <c>Gateway:Watchdog:HeartbeatTimeout</c>: how long a component's heartbeat may be silent before the gateway
    /// stops pinging the systemd watchdog, so that systemd restarts a stalled gateway.
    /// </summary>
    public TimeSpan HeartbeatTimeout { get; init; } = TimeSpan.FromSeconds(10);
}

/// <summary>How log lines are written.</summary>
internal enum LogFormat
{
    /// <summary>journald format under systemd, human-readable otherwise.</summary>
    Auto,

    /// <summary>One line per event with a <c>&lt;N&gt;</c> syslog priority prefix, as journald reads it.</summary>
    Systemd,

    /// <summary>Human-readable, one line per event, with timestamps.</summary>
    Simple,

    /// <summary>One JSON object per line.</summary>
    Json,
}

/// <summary><c>Gateway:Logging</c> settings (levels under <c>Gateway:Logging:LogLevel</c>, as in .NET's <c>Logging</c> section).</summary>
internal sealed record LoggingOptions
{
    /// <summary><c>Gateway:Logging:Format</c>.</summary>
    public LogFormat Format { get; init; } = LogFormat.Auto;

    /// <summary><c>Gateway:Logging:Summary</c>: how often the one-line activity summary is logged; null: <c>off</c>.</summary>
    public TimeSpan? Summary { get; init; } = TimeSpan.FromMinutes(1);
}

/// <summary><c>Gateway:Diagnostics</c> settings: faults injected on purpose, off unless set.</summary>
internal sealed record DiagnosticsOptions
{
    /// <summary>
    /// <c>Gateway:Diagnostics:StallPipelineAfter</c>: freeze the pipeline's heartbeat this long after start,
    /// to prove that the watchdog notices. Never set it in production.
    /// </summary>
    public TimeSpan? StallPipelineAfter { get; init; }

    /// <summary>
    /// <c>Gateway:Diagnostics:FailAfter</c>: a background service throws an unexpected exception this long after start,
    /// to prove that a fatal stop exits non-zero (README.md, "Exit codes"). Never set it in production.
    /// </summary>
    public TimeSpan? FailAfter { get; init; }
}
