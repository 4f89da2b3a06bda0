using Gateway.Commands;
using Gateway.Configuration;
using Gateway.Hardware;
using Gateway.Links;
using Gateway.Mqtt;
using Gateway.Web;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;
using OutboxStore = Gateway.Outbox.Outbox;

namespace Gateway.Tests.Configuration;

/// <summary>
/// Every value the configuration readers accept must be one its consumer accepts: for each numeric, duration and size
/// key, the lowest and the highest value the reader lets through are read and handed to the component that uses them
/// (or to the exact validation that component applies). A reader bound wider than its consumer's fails here, instead
/// of passing validation and stopping the gateway at run time (issue 14, finding 2: MQTT Window 65001).
/// </summary>
public sealed class ConfigurationBoundsTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("gw-bounds-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>One key: the extremes its reader accepts, who consumes it, and that consumer's check.</summary>
    internal sealed record Bound(string Key, string Min, string Max, string Consumer, Action<GatewayOptions, string> Check, params (string Key, string Value)[] With)
    {
        public override string ToString() => Key;
    }

    // Settings that bring the optional consumers into being (a link of each kind, a sensor of each kind).
    private static readonly (string, string)[] Tcp = [("Gateway:Upstream:Tcp:Endpoint", "127.0.0.1:7000")];
    private static readonly (string, string)[] Ws = [("Gateway:Upstream:WebSocket:Url", "ws://127.0.0.1:7001/ws")];
    private static readonly (string, string)[] Mqtt = [("Gateway:Upstream:Mqtt:Broker", "127.0.0.1:1883")];
    private static readonly (string, string)[] Udp = [("Gateway:Upstream:Udp:Endpoint", "127.255.255.255:7002")];
    private static readonly (string, string)[] Bme = [("Gateway:Sensors:s:Type", "Bme280"), ("Gateway:Sensors:s:Address", "0x76")];
    private static readonly (string, string)[] Input = [("Gateway:Sensors:s:Type", "DigitalInput"), ("Gateway:Sensors:s:Pin", "GPIO17")];

    /// <summary>The keys of <see cref="Table"/>, one test case each.</summary>
    public static TheoryData<string> Keys => [.. Table.Select(b => b.Key)];

    /// <summary>Every numeric, duration and size key the readers accept, with its consumer.</summary>
    private static readonly Bound[] Table =
    [
        // GatewayOptionsReader
        new("Gateway:Sampling:Interval", "10ms", "1d", "SensorLoop: PeriodicTimer per sensor", (o, _) => Timer(o.Sampling.Interval)),
        new("Gateway:ShutdownTimeout", "1s", "10m", "HostOptions.ShutdownTimeout: CancelAfter", (o, _) => CancelAfter(o.ShutdownTimeout)),
        new("Gateway:Hardware:Seed", "-2147483648", "2147483647", "BoardFactory: the simulated board", (o, _) => BoardFactory.Create(o.Hardware, TimeProvider.System).Dispose()),
        new("Gateway:Outbox:CommitInterval", "1ms", "10s", "Outbox: started", (o, d) => StartOutbox(o, d)),
        new("Gateway:Outbox:CommitBatch", "1", "1000000", "Outbox: started", (o, d) => StartOutbox(o, d)),
        new("Gateway:Outbox:MaxBytes", "64KB", "1024GB", "Outbox: started, maintained", (o, d) => StartOutbox(o, d)),
        new("Gateway:Outbox:MaxAge", "1m", "3650d", "Outbox: started, maintained", (o, d) => StartOutbox(o, d)),
        new("Gateway:Outbox:MemoryLimit", "1000", "10000000", "Outbox: started", (o, d) => StartOutbox(o, d)),
        new("Gateway:Upstream:Tcp:Window", "1", "1000000", "UpstreamLink: window arithmetic (int)", (o, _) => Assert.InRange(o.Upstream.Tcp[0].Window, 1, int.MaxValue / 2), Tcp),
        new("Gateway:Upstream:Tcp:MaxRate", "1", "10000000", "UpstreamLink: pacing", (o, _) => Assert.InRange(o.Upstream.Tcp[0].MaxRate, 1, int.MaxValue / 2), Tcp),
        new("Gateway:Upstream:Tcp:Heartbeat", "100ms", "1h", "UpstreamLink: Task.Delay", (o, _) => Timer(o.Upstream.Tcp[0].Heartbeat), Tcp),
        new("Gateway:Upstream:Tcp:IdleTimeout", "1s", "1h", "UpstreamLink: CancelAfter", (o, _) => CancelAfter(o.Upstream.Tcp[0].IdleTimeout), Tcp),
        new("Gateway:Upstream:Tcp:BackoffMax", "100ms", "1h", "Backoff", (o, _) => Backoff(o.Upstream.Tcp[0].BackoffMax), Tcp),
        new("Gateway:Upstream:Tcp:MaxLineLength", "256", "16777216", "NdjsonFraming", (o, _) => Framing(o.Upstream.Tcp[0].MaxLineLength), Tcp),
        new("Gateway:Upstream:Tcp:WriteTimeout", "100ms", "1h", "UpstreamLink: CancelAfter per write", (o, _) => CancelAfter(o.Upstream.Tcp[0].WriteTimeout), Tcp),
        new("Gateway:Upstream:WebSocket:WriteTimeout", "100ms", "1h", "UpstreamLink: CancelAfter per write", (o, _) => CancelAfter(o.Upstream.WebSocket[0].WriteTimeout), Ws),
        new("Gateway:Upstream:WebSocket:Window", "1", "1000000", "UpstreamLink: window arithmetic (int)", (o, _) => Assert.InRange(o.Upstream.WebSocket[0].Window, 1, int.MaxValue / 2), Ws),
        new("Gateway:Upstream:WebSocket:Heartbeat", "100ms", "1h", "UpstreamLink: Task.Delay", (o, _) => Timer(o.Upstream.WebSocket[0].Heartbeat), Ws),
        new("Gateway:Upstream:WebSocket:BackoffMax", "100ms", "1h", "Backoff", (o, _) => Backoff(o.Upstream.WebSocket[0].BackoffMax), Ws),
        new("Gateway:Upstream:WebSocket:MaxLineLength", "256", "16777216", "NdjsonFraming", (o, _) => Framing(o.Upstream.WebSocket[0].MaxLineLength), Ws),
        new("Gateway:Upstream:Mqtt:Window", "1", "65000", "MqttClientOptions.MaxInflightMessages", (o, _) => MqttClient(o), Mqtt),
        new("Gateway:Upstream:Mqtt:KeepAlive", "1s", "65535s", "MqttClientOptions.KeepAlivePeriod", (o, _) => MqttClient(o), Mqtt),
        new("Gateway:Upstream:Mqtt:WriteTimeout", "100ms", "1h", "MqttClientOptions.Timeout", (o, _) => MqttClient(o), Mqtt),
        new("Gateway:Upstream:Mqtt:MaxRate", "1", "1000000", "MqttUpstreamLink: pacing", (o, _) => Assert.InRange(o.Upstream.Mqtt[0].MaxRate, 1, int.MaxValue / 2), Mqtt),
        new("Gateway:Upstream:Mqtt:BackoffMax", "100ms", "1h", "Backoff", (o, _) => Backoff(o.Upstream.Mqtt[0].BackoffMax), Mqtt),
        new("Gateway:Upstream:Udp:BeaconInterval", "100ms", "1h", "UdpBroadcastLink: PeriodicTimer", (o, _) => Timer(o.Upstream.Udp[0].BeaconInterval), Udp),
        new("Gateway:Listener:MaxConnections", "1", "1000", "WebSocket listener: Kestrel Limits.MaxConcurrentConnections = n + 1; TCP listener: a counter", (o, _) => new Microsoft.AspNetCore.Server.Kestrel.Core.KestrelServerOptions().Limits.MaxConcurrentConnections = o.Listener.MaxConnections + 1),
        new("Gateway:Listener:MaxConnectionsPerAddress", "1", "1000", "ConnectionLimiter", (o, _) => GC.KeepAlive(new ConnectionLimiter(o.Listener.MaxConnections, o.Listener.MaxConnectionsPerAddress))),
        new("Gateway:Listener:IdleTimeout", "1s", "1d", "ListenerSession: CancelAfter", (o, _) => CancelAfter(o.Listener.IdleTimeout)),
        new("Gateway:Listener:WriteTimeout", "100ms", "10m", "ListenerSession: CancelAfter", (o, _) => CancelAfter(o.Listener.WriteTimeout)),
        new("Gateway:Listener:MaxLineLength", "256", "16777216", "NdjsonFraming", (o, _) => Framing(o.Listener.MaxLineLength)),
        new("Gateway:Watchdog:HeartbeatTimeout", "1s", "1h", "WatchdogService: PeriodicTimer", (o, _) => Timer(o.Watchdog.HeartbeatTimeout)),
        new("Gateway:Diagnostics:StallPipelineAfter", "0s", "1d", "SamplerService: elapsed-time compare", (o, _) => Assert.NotNull(o.Diagnostics.StallPipelineAfter)),
        new("Gateway:Diagnostics:FailAfter", "0s", "1d", "InjectedFailureService: Task.Delay", (o, _) => Timer(o.Diagnostics.FailAfter!.Value, allowZero: true)),

        // SensorOptionsReader
        new("Gateway:Sensors:s:Interval", "10ms", "1d", "SensorLoop: PeriodicTimer", (o, _) => Timer(o.Sensors[0].Interval), Bme),
        new("Gateway:Sensors:s:MaxSilence", "1s", "7d", "ReportFilter", (o, _) => Assert.True(o.Sensors[0].MaxSilence > TimeSpan.Zero), Bme),
        new("Gateway:Sensors:s:Bus", "0", "255", "I2C bus number (/dev/i2c-N)", (o, _) => Assert.InRange(o.Sensors[0].Bus, 0, 255), Bme),
        new("Gateway:Sensors:s:Chip", "0", "63", "GPIO chip number (/dev/gpiochipN)", (o, _) => Assert.InRange(o.Sensors[0].Chip, 0, 63), Input),
        new("Gateway:Sensors:s:Debounce", "0s", "1s", "GPIO uAPI v2 debounce_period_us (u32 µs)", (o, _) => Assert.InRange(o.Sensors[0].Debounce.TotalMicroseconds, 0, uint.MaxValue), Input),

        // CommandOptionsReader
        new("Gateway:Commands:ClockSkew", "1s", "1h", "ReplayGuard", (o, _) => GC.KeepAlive(new ReplayGuard((2 * o.Commands.ClockSkew) + TimeSpan.FromSeconds(1), 100_000))),
        new("Gateway:Commands:Timeout", "100ms", "10m", "CommandPipeline: CancelAfter", (o, _) => CancelAfter(o.Commands.Timeout)),
        new("Gateway:Commands:MaxInFlight", "1", "1000", "CommandPipeline: semaphore", (o, _) => new SemaphoreSlim(o.Commands.MaxInFlight, o.Commands.MaxInFlight).Dispose()),
        new("Gateway:Commands:RatePerLink", "1", "100000", "TokenBucket", (o, _) => GC.KeepAlive(new TokenBucket(o.Commands.RatePerLink, o.Commands.RatePerLink, 0, TimeProvider.System.TimestampFrequency))),
        new("Gateway:Commands:RatePerKey", "1", "100000", "TokenBucket", (o, _) => GC.KeepAlive(new TokenBucket(o.Commands.RatePerKey, o.Commands.RatePerKey, 0, TimeProvider.System.TimestampFrequency))),
        new("Gateway:Commands:MaxArgsBytes", "16", "1048576", "CommandPipeline: args size compare", (o, _) => Assert.InRange(o.Commands.MaxArgsBytes, 16, int.MaxValue)),
        new("Gateway:Commands:Audit:MaxBytes", "4KB", "4GB", "AuditLog", (o, d) => new AuditLog(d, o.Commands.AuditMaxBytes, o.Commands.AuditFiles, NullLogger<AuditLog>.Instance).Dispose()),
        new("Gateway:Commands:Audit:Files", "1", "100", "AuditLog", (o, d) => new AuditLog(d, o.Commands.AuditMaxBytes, o.Commands.AuditFiles, NullLogger<AuditLog>.Instance).Dispose()),

        // WebConsoleOptionsReader
        new("Gateway:Listener:HttpSessionIdle", "1m", "1d", "ConsoleSessions", (o, _) => GC.KeepAlive(new ConsoleSessions(o.Web, TimeProvider.System))),
        new("Gateway:Listener:HttpSessionMax", "10m", "30d", "ConsoleSessions", (o, _) => GC.KeepAlive(new ConsoleSessions(o.Web, TimeProvider.System))),
        new("Gateway:Listener:HttpMaxSessions", "1", "10000", "ConsoleSessions", (o, _) => GC.KeepAlive(new ConsoleSessions(o.Web, TimeProvider.System))),
        new("Gateway:Listener:HttpMaxConnections", "4", "10000", "Kestrel Limits.MaxConcurrentConnections", (o, _) => new Microsoft.AspNetCore.Server.Kestrel.Core.KestrelServerOptions().Limits.MaxConcurrentConnections = o.Web.MaxConnections),
        new("Gateway:Listener:HttpMaxConnectionsPerAddress", "1", "128", "ConnectionLimiter (at most HttpMaxConnections)", (o, _) => GC.KeepAlive(new ConnectionLimiter(o.Web.MaxConnections, o.Web.MaxConnectionsPerAddress))),
        new("Gateway:Listener:HttpKeepAliveTimeout", "1s", "10m", "Kestrel Limits.KeepAliveTimeout", (o, _) => new Microsoft.AspNetCore.Server.Kestrel.Core.KestrelServerOptions().Limits.KeepAliveTimeout = o.Web.KeepAliveTimeout),
        new("Gateway:Listener:HttpRequestHeadersTimeout", "1s", "10m", "Kestrel Limits.RequestHeadersTimeout", (o, _) => new Microsoft.AspNetCore.Server.Kestrel.Core.KestrelServerOptions().Limits.RequestHeadersTimeout = o.Web.RequestHeadersTimeout),
    ];

    [Theory]
    [MemberData(nameof(Keys))]
    public void The_lowest_and_highest_value_the_reader_accepts_are_accepted_by_its_consumer(string key)
    {
        var bound = Table.Single(b => b.Key == key);
        foreach (var value in new[] { bound.Min, bound.Max })
        {
            var result = Read([.. bound.With, (bound.Key, value)]);
            Assert.True(result.Problems.Count == 0, $"{bound.Key}={value} should be accepted: {string.Join("; ", result.Problems)}");
            var folder = Directory.CreateDirectory(Path.Combine(_dir, Guid.NewGuid().ToString("N"))).FullName;
            bound.Check(result.Options, folder);
        }
    }

    [Theory]
    [MemberData(nameof(Keys))]
    public void Just_beyond_either_bound_the_reader_refuses_the_value_naming_the_key(string key)
    {
        var bound = Table.Single(b => b.Key == key);
        foreach (var value in new[] { Below(bound.Min), Above(bound.Max) }.OfType<string>())
        {
            var result = Read([.. bound.With, (bound.Key, value)]);
            Assert.Contains(result.Problems, p => p.ToString().Contains(bound.Key + ":", StringComparison.Ordinal));
        }
    }

    [Theory]
    [InlineData("65001")]
    [InlineData("65535")]
    public void An_mqtt_window_the_mqtt_client_refuses_is_refused_at_start(string window)
    {
        var result = Read([.. Mqtt, ("Gateway:Upstream:Mqtt:Window", window)]);

        Assert.Contains(result.Problems, p => p.ToString().Contains("Gateway:Upstream:Mqtt:Window:", StringComparison.Ordinal));
    }

    [Fact]
    public void An_mqtt_keep_alive_that_is_not_whole_seconds_is_refused_at_start()
    {
        var result = Read([.. Mqtt, ("Gateway:Upstream:Mqtt:KeepAlive", "1500ms")]);

        Assert.Contains(result.Problems, p => p.ToString().Contains("Gateway:Upstream:Mqtt:KeepAlive: '1500ms'", StringComparison.Ordinal));
    }

    private static GatewayOptionsReader.Result Read((string Key, string Value)[] settings)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(settings.Append(("Gateway:DeviceId", "bounds")).Select(s => new KeyValuePair<string, string?>(s.Item1, s.Item2)))
            .Build();
        return GatewayOptionsReader.Read(configuration, "/work/dir");
    }

    // One step outside a bound in the bound's own unit: integers by one, durations by a millisecond (a second for
    // whole-second keys), sizes by a byte. Null when there is nothing below (0, int.MinValue).
    private static string? Below(string min) => Step(min, -1);

    private static string? Above(string max) => Step(max, +1);

    private static string? Step(string value, int direction)
    {
        if (long.TryParse(value, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out var number))
        {
            var next = number + direction;
            return next < 0 && number >= 0 || next is > int.MaxValue or < int.MinValue ? null : next.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        if (value.EndsWith('B'))
        {
            var unit = value[^2..];
            var bytes = long.Parse(value[..^2], System.Globalization.CultureInfo.InvariantCulture) * unit switch { "KB" => 1024L, "MB" => 1024L * 1024, "GB" => 1024L * 1024 * 1024, _ => 1 };
            return (bytes + direction).ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        Assert.True(DurationParser.TryParse(value, out var duration), $"'{value}' is not a duration");
        var step = value.EndsWith('s') && !value.EndsWith("ms", StringComparison.Ordinal) && duration.TotalSeconds >= 60 ? 1000 : 1;
        var ms = (long)duration.TotalMilliseconds + (direction * step);
        return ms < 0 ? null : $"{ms}ms";
    }

    private static void Timer(TimeSpan period, bool allowZero = false)
    {
        if (allowZero && period == TimeSpan.Zero)
        {
            return; // Task.Delay(0) completes at once
        }

        using var timer = new PeriodicTimer(period); // throws beyond what a timer can wait (about 49.7 days) or at zero
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => Task.Delay(period, cts.Token).GetAwaiter().GetResult());
    }

    private static void CancelAfter(TimeSpan delay)
    {
        using var cts = new CancellationTokenSource();
        cts.CancelAfter(delay);
    }

    private static void Backoff(TimeSpan cap)
    {
        var backoff = new Backoff(TimeSpan.FromMilliseconds(500), cap, new Random(1));
        for (var i = 0; i < 40; i++)
        {
            var delay = backoff.Next();
            Assert.InRange(delay, TimeSpan.Zero, cap);
            Timer(delay == TimeSpan.Zero ? TimeSpan.FromMilliseconds(1) : delay);
        }
    }

    private static void Framing(int maxLineLength)
    {
        var buffer = new System.Buffers.ReadOnlySequence<byte>("{\"type\":\"ping\"}\n"u8.ToArray());
        Assert.Equal(Gateway.Protocol.LineStatus.Line, Gateway.Protocol.NdjsonFraming.TryReadLine(ref buffer, maxLineLength, out _));
    }

    private static void MqttClient(GatewayOptions o) => new MqttClientOptions
    {
        Host = o.Upstream.Mqtt[0].Broker.Host,
        Port = o.Upstream.Mqtt[0].Broker.Port,
        ClientId = "bounds",
        KeepAlivePeriod = o.Upstream.Mqtt[0].KeepAlive,
        MaxInflightMessages = o.Upstream.Mqtt[0].Window,
        Timeout = o.Upstream.Mqtt[0].WriteTimeout,
    }.Validate();

    private static void StartOutbox(GatewayOptions o, string folder)
    {
        var outbox = new OutboxStore(o.Outbox with { Path = Path.Combine(folder, "gateway.db") }, TimeProvider.System, NullLogger<OutboxStore>.Instance);
        try
        {
            outbox.Start();
            outbox.Accept(new Gateway.Sampling.SampledReading("s", "temperature", 20, "Cel", DateTimeOffset.UtcNow));
            outbox.MaintainNow();
        }
        finally
        {
            outbox.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
    }
}
