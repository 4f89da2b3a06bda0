using Gateway.Protocol.Transport;
using Microsoft.Extensions.Configuration;

namespace Gateway.Configuration;

/// <summary>
/// Turns the <c>Gateway</c> configuration section into <see cref="GatewayOptions"/>, collecting one
/// <see cref="ConfigurationProblem"/> per bad key instead of stopping at the first.
/// </summary>
internal static class GatewayOptionsReader
{
    private const string S = GatewayOptions.SectionName;

    /// <summary>What <c>Gateway:DeviceId</c> accepts.</summary>
    public const string DeviceIdAllowed = "1 to 64 characters from A-Z a-z 0-9 . _ - (e.g. pi-01)";

    /// <summary>The result of reading: options (meaningful only when there are no problems), problems, unknown keys.</summary>
    public sealed record Result(GatewayOptions Options, IReadOnlyList<ConfigurationProblem> Problems, IReadOnlyList<string> UnknownKeys);

    /// <summary>Reads and validates the whole section.</summary>
    /// <param name="configuration">The assembled configuration (files, environment, command line).</param>
    /// <param name="workingDirectory">Relative paths are resolved against this folder.</param>
    public static Result Read(IConfiguration configuration, string workingDirectory)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var r = new ConfigurationReader(configuration);

        var deviceId = r.Required($"{S}:DeviceId", IsDeviceId, DeviceIdAllowed);
        var stateDirectory = r.Optional($"{S}:StateDirectory", "data");
        var interval = r.Duration($"{S}:Sampling:Interval", TimeSpan.FromSeconds(5), TimeSpan.FromMilliseconds(10), TimeSpan.FromDays(1));
        var sensors = SensorOptionsReader.ReadSensors(r, interval);
        var commands = Gateway.Commands.CommandOptionsReader.Read(r, workingDirectory);
        var options = new GatewayOptions
        {
            DeviceId = deviceId,
            StateDirectory = Path.GetFullPath(stateDirectory, workingDirectory),
            ShutdownTimeout = r.Duration($"{S}:ShutdownTimeout", TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(10)),
            Hardware = new HardwareOptions
            {
                Backend = r.Enum($"{S}:Hardware:Backend", HardwareBackend.Simulated),
                Scenario = r.Raw($"{S}:Hardware:Scenario") is { } scenario ? Path.GetFullPath(scenario, workingDirectory) : null,
                Seed = r.OptionalInt($"{S}:Hardware:Seed", int.MinValue, int.MaxValue, "a whole number"),
                SimulatorSocket = Path.GetFullPath(r.Optional($"{S}:Hardware:SimulatorSocket", "firmware-sim.sock"), workingDirectory),
                OneWireRoot = r.Optional($"{S}:Hardware:OneWireRoot", "/sys/bus/w1/devices"),
            },
            Sampling = new SamplingOptions { Interval = interval },
            Sensors = sensors,
            Outputs = SensorOptionsReader.ReadOutputs(r, sensors),
            Outbox = new Gateway.Outbox.OutboxOptions
            {
                Path = Path.GetFullPath(r.Optional($"{S}:Outbox:Path", Path.Combine(stateDirectory, "gateway.db")), workingDirectory),
                CommitInterval = r.Duration($"{S}:Outbox:CommitInterval", TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(1), TimeSpan.FromSeconds(10)),
                CommitBatch = r.Int($"{S}:Outbox:CommitBatch", 50_000, 1, 1_000_000),
                MaxBytes = r.Size($"{S}:Outbox:MaxBytes", 512L * 1024 * 1024, 64 * 1024, 1L << 40),
                MaxAge = r.Duration($"{S}:Outbox:MaxAge", TimeSpan.FromDays(30), TimeSpan.FromMinutes(1), TimeSpan.FromDays(3650)),
                MemoryLimit = r.Int($"{S}:Outbox:MemoryLimit", 200_000, 1_000, 10_000_000),
            },
            Commands = commands,
            Listener = ReadListener(r, commands.Authenticated, workingDirectory),
            Web = Gateway.Web.WebConsoleOptionsReader.Read(r, workingDirectory),
            Upstream = new UpstreamOptions
            {
                Tcp = ReadAll(r, "Tcp", "tcp", ReadTcp),
                WebSocket = ReadAll(r, "WebSocket", "websocket", ReadWebSocket),
                Udp = ReadAll(r, "Udp", "udp", ReadUdp),
                Mqtt = ReadAll(r, "Mqtt", "mqtt", (r, k, name) => ReadMqtt(r, k, name, commands)),
                Http = ReadAll(r, "Http", "http", (r, k, name) => ReadHttp(r, k, name, workingDirectory)),
            },
            Watchdog = new WatchdogOptions
            {
                HeartbeatTimeout = r.Duration($"{S}:Watchdog:HeartbeatTimeout", TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(1), TimeSpan.FromHours(1)),
            },
            Logging = new LoggingOptions
            {
                Format = r.Enum($"{S}:Logging:Format", LogFormat.Auto),
                Summary = string.Equals(r.Raw($"{S}:Logging:Summary")?.Trim(), "off", StringComparison.OrdinalIgnoreCase)
                    ? null
                    : r.Duration($"{S}:Logging:Summary", TimeSpan.FromMinutes(1), TimeSpan.FromSeconds(10), TimeSpan.FromDays(1)),
            },
            Diagnostics = new DiagnosticsOptions
            {
                StallPipelineAfter = r.OptionalDuration($"{S}:Diagnostics:StallPipelineAfter", TimeSpan.Zero, TimeSpan.FromDays(1)),
                FailAfter = r.OptionalDuration($"{S}:Diagnostics:FailAfter", TimeSpan.Zero, TimeSpan.FromDays(1)),
            },
        };

        // Levels are free-form category names, read by the logging framework itself.
        r.KnownSection($"{S}:Logging:LogLevel");

        return new Result(options, r.Problems, r.UnknownKeys(S));
    }

    // Links of one kind: the single-link shorthand keys (Gateway:Upstream:Tcp:Endpoint, …), named "tcp", and any number
    // of named links under Gateway:Upstream:Tcp:Links:<name>, named "tcp:<name>", each with the same keys.
    private static List<T> ReadAll<T>(ConfigurationReader r, string kind, string baseName, Func<ConfigurationReader, string, string, T?> read)
        where T : class
    {
        var k = $"{S}:Upstream:{kind}";
        var links = new List<T>();
        if (read(r, k, baseName) is { } shorthand)
        {
            links.Add(shorthand);
        }

        foreach (var name in r.Children($"{k}:Links"))
        {
            var key = $"{k}:Links:{name}";
            if (read(r, key, $"{baseName}:{name}") is { } named)
            {
                links.Add(named);
            }
            else if (r.Raw($"{key}:Endpoint") is null && r.Raw($"{key}:Url") is null && r.Raw($"{key}:Broker") is null)
            {
                var (required, expected) = kind switch
                {
                    "WebSocket" => ("Url", "a ws:// or wss:// URL"),
                    "Http" => ("Url", Gateway.Links.Http.HttpWriteTarget.Expected),
                    "Mqtt" => ("Broker", HostEndpoint.Expected),
                    _ => ("Endpoint", HostEndpoint.Expected),
                };
                r.Problem($"{key}:{required}", null, expected);
            }
        }

        return links;
    }

    private static Gateway.Links.UpstreamLinkOptions? ReadTcp(ConfigurationReader r, string k, string name)
    {
        var endpoint = r.Endpoint($"{k}:Endpoint");
        var link = ReadLink(r, k, name) with { Endpoint = endpoint };
        return endpoint is null ? null : link;
    }

    private static Gateway.Links.UpstreamLinkOptions? ReadWebSocket(ConfigurationReader r, string k, string name)
    {
        var raw = r.Raw($"{k}:Url");
        Uri? url = null;
        if (raw is not null)
        {
            if (Uri.TryCreate(raw, UriKind.Absolute, out var u) && u.Scheme is "ws" or "wss" && !string.IsNullOrEmpty(u.Host))
            {
                url = u;
            }
            else
            {
                r.Problem($"{k}:Url", Gateway.Links.Redaction.Redact(raw), "a ws:// or wss:// URL, e.g. ws://collector.local:8080/ingest"); // never its credentials
            }
        }

        var link = ReadLink(r, k, name) with { Url = url };
        return url is null ? null : link;
    }

    // The keys both acknowledged links share.
    private static Gateway.Links.UpstreamLinkOptions ReadLink(ConfigurationReader r, string k, string name) => new()
    {
        Name = name,
        Format = r.Enum($"{k}:Format", Gateway.Protocol.PayloadFormat.Protocol),
        Plain = r.Bool($"{k}:Plain", false),
        Window = r.Int($"{k}:Window", 5_000, 1, 1_000_000),
        MaxRate = r.Int($"{k}:MaxRate", 20_000, 1, 10_000_000),
        Heartbeat = r.Duration($"{k}:Heartbeat", TimeSpan.FromSeconds(15), TimeSpan.FromMilliseconds(100), TimeSpan.FromHours(1)),
        IdleTimeout = r.Duration($"{k}:IdleTimeout", TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(1), TimeSpan.FromHours(1)),
        WriteTimeout = r.Duration($"{k}:WriteTimeout", TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(100), TimeSpan.FromHours(1)),
        BackoffMax = r.Duration($"{k}:BackoffMax", TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(100), TimeSpan.FromHours(1)),
        MaxLineLength = r.Int($"{k}:MaxLineLength", Gateway.Protocol.ProtocolInfo.DefaultMaxLineLength, 256, 16 * 1024 * 1024),
        Tls = r.Bool($"{k}:Tls", false),
        TlsSettings = ReadTls(r, k),
    };

    // The TLS keys every link shares (CaFile, Pin, ClientCertificate, ClientKey); a client key needs its certificate.
    private static TlsClientSettings ReadTls(ConfigurationReader r, string k)
    {
        var settings = new TlsClientSettings
        {
            CaFile = ExistingFile(r, $"{k}:CaFile"),
            Pin = Pin(r, $"{k}:Pin"),
            ClientCertificate = ExistingFile(r, $"{k}:ClientCertificate"),
            ClientKey = ExistingFile(r, $"{k}:ClientKey"),
        };
        if (settings.ClientKey is not null && settings.ClientCertificate is null)
        {
            r.Problem($"{k}:ClientCertificate", null, $"the PEM certificate of {k}:ClientKey (a client key is presented only with its certificate)");
        }

        return settings;
    }

    private static string? ExistingFile(ConfigurationReader r, string key)
    {
        var path = r.Raw(key);
        if (path is not null && !File.Exists(path))
        {
            r.Problem(key, path, "the path of an existing PEM file");
        }

        return path;
    }

    private static string? Pin(ConfigurationReader r, string key)
    {
        var pin = r.Raw(key);
        var hex = pin is null ? null : TlsClientSettings.NormalizePin(pin);
        if (pin is not null && hex is null)
        {
            r.Problem(key, pin, "the SHA-256 fingerprint of the server certificate: 64 hex digits, colons allowed");
        }

        return hex;
    }

    // Secure by default: a listener beyond loopback is refused at start, saying why, unless command keys are configured
    // (then every command on it must be signed; watching readings needs no key).
    private static Gateway.Links.ListenerOptions ReadListener(ConfigurationReader r, bool authenticated, string workingDirectory)
    {
        const string k = $"{S}:Listener";
        HostEndpoint? Loopback(string key)
        {
            var endpoint = r.Endpoint(key, allowPortZero: true);
            if (endpoint is not null && !endpoint.IsLoopback && !authenticated)
            {
                r.Problem(key, endpoint.ToString(), $"a loopback address (127.0.0.1, [::1] or localhost) while no command keys are configured: listening beyond this machine needs authenticated commands (configure {S}:Commands:Keys first)");
                return null;
            }

            return endpoint;
        }

        return new Gateway.Links.ListenerOptions
        {
            Tcp = Loopback($"{k}:Tcp"),
            WebSocket = Loopback($"{k}:WebSocket"),
            Http = Loopback($"{k}:Http"),
            Metrics = Loopback($"{k}:Metrics"),
            Udp = Loopback($"{k}:Udp"),
            MaxConnections = r.Int($"{k}:MaxConnections", 16, 1, 1_000),
            MaxConnectionsPerAddress = r.Int($"{k}:MaxConnectionsPerAddress", 4, 1, 1_000),
            IdleTimeout = r.Duration($"{k}:IdleTimeout", TimeSpan.FromMinutes(2), TimeSpan.FromSeconds(1), TimeSpan.FromDays(1)),
            MaxLineLength = r.Int($"{k}:MaxLineLength", Gateway.Protocol.ProtocolInfo.DefaultMaxLineLength, 256, 16 * 1024 * 1024),
            WriteTimeout = r.Duration($"{k}:WriteTimeout", TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(100), TimeSpan.FromMinutes(10)),
            Tls = ReadListenerTls(r, $"{k}:Tls", workingDirectory),
        };
    }

    // The listeners' certificate and key (both or neither), loaded now: a missing or unreadable file, a key readable by
    // others (like SecretFile), or a key of another certificate stops the start with the key at fault. A certificate
    // outside its validity is not refused here (a board without a clock may boot with a wrong date); the listeners
    // warn about it.
    private static Gateway.Links.ListenerTlsOptions? ReadListenerTls(ConfigurationReader r, string k, string workingDirectory)
    {
        var certificateKey = $"{k}:Certificate";
        var keyKey = $"{k}:Key";
        var handshakeTimeout = r.Duration($"{k}:HandshakeTimeout", TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(100), TimeSpan.FromMinutes(5));
        var certificate = r.Raw(certificateKey);
        var keyGiven = r.Raw(keyKey) is not null;
        if (certificate is null && !keyGiven)
        {
            return null;
        }

        if (certificate is null)
        {
            r.Problem(certificateKey, null, $"the PEM certificate file of {keyKey} (the listeners' TLS needs both)");
        }

        var keyFile = r.OwnerOnlyFile(keyKey, workingDirectory);
        if (!keyGiven)
        {
            r.Problem(keyKey, null, $"the PEM private key file of {certificateKey}, readable only by its owner (chmod 600)");
        }

        var certificateFile = certificate is null ? null : Path.GetFullPath(certificate, workingDirectory);
        if (certificateFile is not null && !File.Exists(certificateFile))
        {
            r.Problem(certificateKey, certificate, "the path of an existing PEM certificate file");
            return null;
        }

        if (certificateFile is null || keyFile is null)
        {
            return null;
        }

        try
        {
            return new Gateway.Links.ListenerTlsOptions
            {
                CertificateFile = certificateFile,
                KeyFile = keyFile,
                HandshakeTimeout = handshakeTimeout,
                Certificate = Gateway.Links.ListenerCertificate.Load(certificateFile, keyFile),
            };
        }
        catch (Gateway.Links.ListenerCertificateException ex)
        {
            var atFault = ex.File == Gateway.Links.ListenerTlsFile.Key ? keyKey : certificateKey;
            r.Problem(atFault, r.Raw(atFault), ex.Message);
            return null;
        }
    }

    private static Gateway.Links.Mqtt.MqttLinkOptions? ReadMqtt(ConfigurationReader r, string k, string name, Gateway.Commands.CommandOptions commands)
    {
        var broker = r.Endpoint($"{k}:Broker");
        r.Secret($"{k}:Password");
        var switchKey = r.Raw($"{k}:SwitchKey");
        if (switchKey is not null && !commands.Keys.ContainsKey(switchKey))
        {
            r.Problem($"{k}:SwitchKey", switchKey, $"the id of a key under {S}:Commands:Keys (Home Assistant switches run output.set on its behalf)");
        }

        var prefix = r.Optional($"{k}:TopicPrefix", "gateway/{device}");
        if (prefix.Contains('+', StringComparison.Ordinal) || prefix.Contains('#', StringComparison.Ordinal) || prefix.Length == 0)
        {
            r.Problem($"{k}:TopicPrefix", prefix, "a topic without wildcards (+ #), e.g. gateway/{device}");
        }

        var options = new Gateway.Links.Mqtt.MqttLinkOptions
        {
            Name = name,
            Broker = broker ?? new HostEndpoint("localhost", 1883),
            TopicPrefix = prefix,
            ClientId = r.Optional($"{k}:ClientId", "gateway-{device}"),
            Username = r.Raw($"{k}:Username"),
            Password = r.Raw($"{k}:Password"),
            Tls = r.Bool($"{k}:Tls", false),
            TlsSettings = ReadTls(r, k),
            Format = r.Enum($"{k}:Format", Gateway.Protocol.PayloadFormat.Protocol),
            KeepAlive = MqttKeepAlive(r, $"{k}:KeepAlive"),
            WriteTimeout = r.Duration($"{k}:WriteTimeout", TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(100), TimeSpan.FromHours(1)),

            // The MQTT client's own limit, not a copy of it: a value it refuses must never pass here.
            Window = r.Int($"{k}:Window", 100, 1, Gateway.Mqtt.MqttClientOptions.MaximumInflightMessages),
            MaxRate = r.Int($"{k}:MaxRate", 5_000, 1, 1_000_000),
            BackoffMax = r.Duration($"{k}:BackoffMax", TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(100), TimeSpan.FromHours(1)),
            Discovery = r.Bool($"{k}:Discovery", true),
            DiscoveryPrefix = r.Optional($"{k}:DiscoveryPrefix", "homeassistant"),
            SwitchKey = switchKey,
        };
        if (options.Password is not null && options.Username is null)
        {
            r.Problem($"{k}:Username", null, "a user name: MQTT sends a password only with one (MQTT 3.1.1 §3.1.2.9)");
        }

        if (options.Format == Gateway.Protocol.PayloadFormat.InfluxLine)
        {
            r.Problem($"{k}:Format", "InfluxLine", "Protocol or SenML (MQTT carries one reading per message)");
        }

        return broker is null ? null : options;
    }

    // MQTT keep alive is a 16-bit number of whole seconds (MQTT 3.1.1 §3.1.2.10); the client refuses anything else.
    private static TimeSpan MqttKeepAlive(ConfigurationReader r, string key)
    {
        var keepAlive = r.Duration(key, TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(1), Gateway.Mqtt.MqttClientOptions.MaximumKeepAlivePeriod);
        if (keepAlive.Ticks % TimeSpan.TicksPerSecond != 0)
        {
            r.Problem(key, r.Raw(key), "whole seconds from 1s to 65535s (MQTT keep alive is a 16-bit number of seconds), e.g. \"30s\"");
            return TimeSpan.FromSeconds(30);
        }

        return keepAlive;
    }

    private static Gateway.Links.Http.HttpLinkOptions? ReadHttp(ConfigurationReader r, string k, string name, string workingDirectory)
    {
        var raw = r.Raw($"{k}:Url");
        Gateway.Links.Http.HttpWriteTarget? target = null;
        if (raw is not null && !Gateway.Links.Http.HttpWriteTarget.TryParse(raw, out target, out var problem))
        {
            r.Problem($"{k}:Url", Gateway.Links.Redaction.Redact(raw), problem!); // never its credentials
        }

        var options = new Gateway.Links.Http.HttpLinkOptions
        {
            Name = name,
            Target = target!,
            TokenFile = r.OwnerOnlyFile($"{k}:TokenFile", workingDirectory),
            BatchSize = r.Int($"{k}:BatchSize", 5_000, 1, 1_000_000),
            FlushInterval = r.Duration($"{k}:FlushInterval", TimeSpan.FromSeconds(1), TimeSpan.Zero, TimeSpan.FromMinutes(10)),
            Timeout = r.Duration($"{k}:Timeout", TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(100), TimeSpan.FromMinutes(10)),
            Gzip = r.Bool($"{k}:Gzip", true),
            BackoffMax = r.Duration($"{k}:BackoffMax", TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(100), TimeSpan.FromHours(1)),
            MaxRetryAfter = r.Duration($"{k}:MaxRetryAfter", TimeSpan.FromMinutes(5), TimeSpan.FromSeconds(1), TimeSpan.FromHours(1)),
            TlsSettings = ReadTls(r, k),
        };
        return target is null ? null : options;
    }

    private static Gateway.Links.UdpLinkOptions? ReadUdp(ConfigurationReader r, string k, string name)
    {
        var endpoint = r.Endpoint($"{k}:Endpoint");
        var beacon = r.Duration($"{k}:BeaconInterval", TimeSpan.FromSeconds(5), TimeSpan.FromMilliseconds(100), TimeSpan.FromHours(1));
        return endpoint is null ? null : new Gateway.Links.UdpLinkOptions { Name = name, Endpoint = endpoint, BeaconInterval = beacon };
    }

    private static bool IsDeviceId(string value)
    {
        if (value.Length is 0 or > 64)
        {
            return false;
        }

        foreach (var c in value)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not ('.' or '_' or '-'))
            {
                return false;
            }
        }

        return true;
    }
}
