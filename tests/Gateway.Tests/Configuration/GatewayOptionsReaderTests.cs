using Gateway.Configuration;
using Gateway.Protocol.Transport;
using Microsoft.Extensions.Configuration;

namespace Gateway.Tests.Configuration;

public class GatewayOptionsReaderTests
{
    private static GatewayOptionsReader.Result Read(params (string Key, string Value)[] settings)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value)))
            .Build();
        return GatewayOptionsReader.Read(configuration, "/work/dir");
    }

    [Fact]
    public void A_device_id_alone_gives_the_documented_defaults()
    {
        var result = Read(("Gateway:DeviceId", "pi-01"));

        Assert.Empty(result.Problems);
        var o = result.Options;
        Assert.Equal("pi-01", o.DeviceId);
        Assert.Equal("/work/dir/data", o.StateDirectory);
        Assert.Equal(HardwareBackend.Simulated, o.Hardware.Backend);
        Assert.Equal(TimeSpan.FromSeconds(5), o.Sampling.Interval);
        Assert.Equal(TimeSpan.FromSeconds(10), o.ShutdownTimeout);
        Assert.Equal(TimeSpan.FromSeconds(10), o.Watchdog.HeartbeatTimeout);
        Assert.Empty(o.Upstream.Tcp);
        Assert.Null(o.Diagnostics.StallPipelineAfter);
        Assert.Equal(LogFormat.Auto, o.Logging.Format);
    }

    [Theory]
    [InlineData(null, 60.0)]
    [InlineData("30s", 30.0)]
    [InlineData("off", null)]
    [InlineData(" OFF ", null)]
    public void The_activity_summary_runs_every_minute_unless_set_or_off(string? value, double? seconds)
    {
        var result = value is null ? Read(("Gateway:DeviceId", "pi-01")) : Read(("Gateway:DeviceId", "pi-01"), ("Gateway:Logging:Summary", value));

        Assert.Empty(result.Problems);
        Assert.Empty(result.UnknownKeys);
        Assert.Equal(seconds is { } s ? TimeSpan.FromSeconds(s) : null, result.Options.Logging.Summary);
    }

    [Theory]
    [InlineData("1s")]
    [InlineData("never")]
    public void An_activity_summary_interval_that_is_neither_a_duration_in_range_nor_off_is_a_problem(string value)
    {
        var result = Read(("Gateway:DeviceId", "pi-01"), ("Gateway:Logging:Summary", value));

        Assert.Contains(result.Problems, p => p.Key == "Gateway:Logging:Summary");
    }

    [Fact]
    public void Every_setting_is_read_from_its_key()
    {
        var result = Read(
            ("Gateway:DeviceId", "pi-02"),
            ("Gateway:StateDirectory", "/var/lib/gateway"),
            ("Gateway:ShutdownTimeout", "20s"),
            ("Gateway:Hardware:Backend", "linux"),
            ("Gateway:Sampling:Interval", "250ms"),
            ("Gateway:Upstream:Tcp:Endpoint", "[::1]:7000"),
            ("Gateway:Watchdog:HeartbeatTimeout", "00:00:30"),
            ("Gateway:Logging:Format", "Json"),
            ("Gateway:Logging:LogLevel:Default", "Debug"),
            ("Gateway:Diagnostics:StallPipelineAfter", "3s"));

        Assert.Empty(result.Problems);
        Assert.Empty(result.UnknownKeys);
        var o = result.Options;
        Assert.Equal("/var/lib/gateway", o.StateDirectory);
        Assert.Equal(TimeSpan.FromSeconds(20), o.ShutdownTimeout);
        Assert.Equal(HardwareBackend.Linux, o.Hardware.Backend);
        Assert.Equal(TimeSpan.FromMilliseconds(250), o.Sampling.Interval);
        Assert.Equal(new HostEndpoint("::1", 7000), Assert.Single(o.Upstream.Tcp).Endpoint);
        Assert.Equal(TimeSpan.FromSeconds(30), o.Watchdog.HeartbeatTimeout);
        Assert.Equal(LogFormat.Json, o.Logging.Format);
        Assert.Equal(TimeSpan.FromSeconds(3), o.Diagnostics.StallPipelineAfter);
    }

    [Fact]
    public void A_missing_device_id_is_a_problem_naming_the_key()
    {
        var problem = Assert.Single(Read().Problems);

        Assert.Equal("Gateway:DeviceId", problem.Key);
        Assert.Null(problem.Value);
        Assert.StartsWith("Gateway:DeviceId: missing; expected 1 to 64 characters", problem.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Gateway:DeviceId", "pi 01", "1 to 64 characters")]
    [InlineData("Gateway:DeviceId", "pi/01", "1 to 64 characters")]
    [InlineData("Gateway:Hardware:Backend", "Bogus", "one of Simulated, Linux, RemoteSimulator")]
    [InlineData("Gateway:Hardware:Backend", "1", "one of Simulated, Linux, RemoteSimulator")]
    [InlineData("Gateway:Sampling:Interval", "-5s", "a duration from 10ms to 1d")]
    [InlineData("Gateway:Sampling:Interval", "0s", "a duration from 10ms to 1d")]
    [InlineData("Gateway:Sampling:Interval", "soon", "a duration from 10ms to 1d")]
    [InlineData("Gateway:Upstream:Tcp:Endpoint", "localhost", "host:port")]
    [InlineData("Gateway:Upstream:Tcp:Endpoint", "127.0.0.1:99999", "host:port")]
    [InlineData("Gateway:ShutdownTimeout", "0s", "a duration from 1s to 10m")]
    [InlineData("Gateway:Watchdog:HeartbeatTimeout", "2h", "a duration from 1s to 1h")]
    [InlineData("Gateway:Logging:Format", "xml", "one of Auto, Systemd, Simple, Json")]
    public void A_bad_value_is_a_problem_naming_the_key_the_value_and_what_is_allowed(string key, string value, string allowed)
    {
        var settings = new List<(string, string)> { ("Gateway:DeviceId", "pi-01") };
        settings.RemoveAll(s => s.Item1 == key);
        settings.Add((key, value));

        var problem = Assert.Single(Read([.. settings]).Problems);

        Assert.Equal(key, problem.Key);
        Assert.Equal(value, problem.Value);
        Assert.Contains(allowed, problem.Allowed, StringComparison.Ordinal);
        Assert.StartsWith($"{key}: '{value}' is not allowed; expected ", problem.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Gateway:Upstream:Tcp", "Endpoint", "127.0.0.1:7000")]
    [InlineData("Gateway:Upstream:WebSocket", "Url", "wss://127.0.0.1:7001/ingest")]
    [InlineData("Gateway:Upstream:Mqtt", "Broker", "127.0.0.1:8883")]
    [InlineData("Gateway:Upstream:Http", "Url", "https://127.0.0.1:8086/write?db=gateway")]
    public void A_client_key_without_its_client_certificate_is_a_problem(string link, string target, string value)
    {
        var key = Path.GetTempFileName(); // an existing file: only the missing certificate is wrong
        try
        {
            var problem = Assert.Single(Read(("Gateway:DeviceId", "pi-01"), ($"{link}:{target}", value), ($"{link}:ClientKey", key)).Problems);

            Assert.Equal($"{link}:ClientCertificate", problem.Key);
            Assert.Contains("ClientKey", problem.Allowed, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(key);
        }
    }

    [Fact]
    public void Every_bad_key_is_reported_not_only_the_first()
    {
        var result = Read(
            ("Gateway:Hardware:Backend", "Bogus"),
            ("Gateway:Sampling:Interval", "-1s"),
            ("Gateway:Upstream:Tcp:Endpoint", "nohost"));

        Assert.Equal(
            ["Gateway:DeviceId", "Gateway:Hardware:Backend", "Gateway:Sampling:Interval", "Gateway:Upstream:Tcp:Endpoint"],
            result.Problems.Select(p => p.Key).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Unknown_keys_under_the_section_are_listed_as_likely_typos()
    {
        var result = Read(("Gateway:DeviceId", "pi-01"), ("Gateway:Hardwre:Backend", "Linux"), ("Other:Key", "x"));

        Assert.Empty(result.Problems);
        Assert.Equal(["Gateway:Hardwre:Backend"], result.UnknownKeys);
    }

    [Fact]
    public void Keys_are_case_insensitive_like_the_configuration_system()
    {
        var result = Read(("gateway:deviceid", "pi-01"), ("GATEWAY:HARDWARE:BACKEND", "remotesimulator"));

        Assert.Empty(result.Problems);
        Assert.Empty(result.UnknownKeys);
        Assert.Equal(HardwareBackend.RemoteSimulator, result.Options.Hardware.Backend);
    }

    [Fact]
    public void The_outbox_lives_in_the_state_directory_unless_its_path_is_given()
    {
        var o = Read(("Gateway:DeviceId", "pi-01"), ("Gateway:StateDirectory", "/var/lib/gateway")).Options.Outbox;
        Assert.Equal("/var/lib/gateway/gateway.db", o.Path);
        Assert.Equal(TimeSpan.FromMilliseconds(100), o.CommitInterval);
        Assert.Equal(512L * 1024 * 1024, o.MaxBytes);

        var custom = Read(("Gateway:DeviceId", "pi-01"), ("Gateway:Outbox:Path", "store/x.db"), ("Gateway:Outbox:MaxBytes", "64MB")).Options.Outbox;
        Assert.Equal("/work/dir/store/x.db", custom.Path);
        Assert.Equal(64L * 1024 * 1024, custom.MaxBytes);
    }

    [Theory]
    [InlineData("1KB")]
    [InlineData("lots")]
    [InlineData("-5MB")]
    [InlineData("99999999999GB")]
    public void An_outbox_size_cap_outside_the_range_is_refused(string value)
    {
        var problem = Assert.Single(Read(("Gateway:DeviceId", "pi-01"), ("Gateway:Outbox:MaxBytes", value)).Problems);
        Assert.Equal("Gateway:Outbox:MaxBytes", problem.Key);
        Assert.Contains("a size from 64KB", problem.Allowed, StringComparison.Ordinal);
    }

    [Fact]
    public void Several_links_of_a_kind_are_named_and_the_single_link_keys_keep_working()
    {
        var result = Read(
            ("Gateway:DeviceId", "pi-01"),
            ("Gateway:Upstream:Tcp:Endpoint", "127.0.0.1:7000"),
            ("Gateway:Upstream:Tcp:Links:backup:Endpoint", "127.0.0.1:7100"),
            ("Gateway:Upstream:Tcp:Links:backup:Window", "100"),
            ("Gateway:Upstream:Tcp:Links:influx:Endpoint", "127.0.0.1:8094"),
            ("Gateway:Upstream:Tcp:Links:influx:Format", "InfluxLine"),
            ("Gateway:Upstream:WebSocket:Links:cloud:Url", "wss://example.org/ingest"),
            ("Gateway:Upstream:Udp:Links:lan:Endpoint", "192.168.1.255:7002"));

        Assert.Empty(result.Problems);
        Assert.Empty(result.UnknownKeys);
        Assert.Equal(["tcp", "tcp:backup", "tcp:influx"], result.Options.Upstream.Tcp.Select(l => l.Name));
        Assert.Equal(100, result.Options.Upstream.Tcp[1].Window);
        Assert.Equal(Gateway.Protocol.PayloadFormat.InfluxLine, result.Options.Upstream.Tcp[2].Format);
        Assert.Equal("websocket:cloud", Assert.Single(result.Options.Upstream.WebSocket).Name);
        Assert.Equal("udp:lan", Assert.Single(result.Options.Upstream.Udp).Name);
    }

    [Fact]
    public void A_named_link_without_an_endpoint_is_a_problem()
    {
        var problem = Assert.Single(Read(("Gateway:DeviceId", "pi-01"), ("Gateway:Upstream:Tcp:Links:backup:Window", "100")).Problems);
        Assert.Equal("Gateway:Upstream:Tcp:Links:backup:Endpoint", problem.Key);
    }
}
