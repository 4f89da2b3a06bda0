using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.RegularExpressions;
using Gateway.IntegrationTests.Infrastructure;

namespace Gateway.IntegrationTests.Links;

/// <summary>Plain links for consumers that do not speak the protocol, checked line by line by parsers written here.</summary>
public sealed partial class PlainFormatTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private async Task<List<string>> Collect(string format, bool plain, int lines)
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        using var gateway = GatewayProcess.Start(_dir.Path,
        [
            "--Gateway:DeviceId=plain-01",
            "--Gateway:Sampling:Interval=50ms",
            $"--Gateway:Upstream:Tcp:Endpoint=127.0.0.1:{port}",
            $"--Gateway:Upstream:Tcp:Format={format}",
            $"--Gateway:Upstream:Tcp:Plain={plain}",
        ]);
        using var client = await listener.AcceptTcpClientAsync(TestContext.Current.CancellationToken);
        using var reader = new StreamReader(client.GetStream());
        var received = new List<string>();
        using var limit = new CancellationTokenSource(Timeout);
        while (received.Count < lines)
        {
            received.Add(await reader.ReadLineAsync(limit.Token) ?? throw new InvalidOperationException("connection closed"));
        }

        gateway.Signal(Signals.SIGTERM);
        Assert.Equal(0, await gateway.WaitForExitAsync(Timeout));
        return received;
    }

    [Fact]
    public async Task Influx_line_protocol_lines_parse_as_measurement_tags_field_and_nanosecond_timestamp()
    {
        var lines = await Collect("InfluxLine", plain: true, 200);

        foreach (var line in lines)
        {
            var m = InfluxPattern().Match(line);
            Assert.True(m.Success, $"not line protocol: {line}");
            Assert.Equal("plain-01", m.Groups["device"].Value);
            Assert.True(double.TryParse(m.Groups["value"].Value, NumberStyles.Float, CultureInfo.InvariantCulture, out _), line);
            var ns = long.Parse(m.Groups["ts"].Value, CultureInfo.InvariantCulture);
            Assert.InRange(DateTimeOffset.FromUnixTimeMilliseconds(ns / 1_000_000), DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddMinutes(1));
        }

        Assert.Contains(lines, l => l.StartsWith("temperature,device=plain-01,sensor=env,unit=Cel ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task SenML_lines_are_packs_with_base_name_name_unit_value_and_time()
    {
        var lines = await Collect("SenML", plain: true, 200);

        foreach (var line in lines)
        {
            using var pack = JsonDocument.Parse(line);
            var record = Assert.Single(pack.RootElement.EnumerateArray());
            Assert.StartsWith("plain-01:", record.GetProperty("bn").GetString(), StringComparison.Ordinal);
            Assert.Matches("^[a-zA-Z0-9][a-zA-Z0-9:./_-]*$", record.GetProperty("bn").GetString() + record.GetProperty("n").GetString()); // RFC 8428 §4.5.1
            Assert.Equal(JsonValueKind.Number, record.GetProperty("v").ValueKind);
            Assert.InRange(record.GetProperty("t").GetDouble(), DateTimeOffset.UtcNow.AddMinutes(-5).ToUnixTimeSeconds(), DateTimeOffset.UtcNow.AddMinutes(1).ToUnixTimeSeconds());
        }
    }

    [Fact]
    public async Task Plain_ndjson_is_one_protocol_message_per_line_without_hello()
    {
        var lines = await Collect("Protocol", plain: true, 200);

        Assert.All(lines, line =>
        {
            using var doc = JsonDocument.Parse(line);
            Assert.Contains(doc.RootElement.GetProperty("type").GetString(), new[] { "reading", "event" });
            Assert.Equal("plain-01", doc.RootElement.GetProperty("device").GetString());
        });
        var seqs = lines.Select(l => JsonDocument.Parse(l).RootElement.GetProperty("seq").GetInt64()).ToList();
        Assert.Equal(seqs.Order(), seqs);
    }

    // measurement,tag=value... field=value[,field=value] timestamp — with backslash escapes in names and tags.
    [GeneratedRegex(@"^(?<measurement>(?:[^,\s\\]|\\.)+),device=(?<device>(?:[^,=\s\\]|\\.)+),sensor=(?:[^,=\s\\]|\\.)+(?:,unit=(?:[^,=\s\\]|\\.)+)? value=(?<value>[-+0-9.eE]+|NaN),seq=\d+i (?<ts>\d+)$")]
    private static partial Regex InfluxPattern();
}
