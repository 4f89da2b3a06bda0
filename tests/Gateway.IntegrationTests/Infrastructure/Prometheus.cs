using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;

namespace Gateway.IntegrationTests.Infrastructure;

/// <summary>
/// A real Prometheus server (Debian's <c>prometheus</c> package) for one test: its own folder for the TSDB, the web
/// API on a free loopback port, a scrape configuration naming the targets, started and killed by the test, and queried
/// back through its HTTP API (<c>/api/v1/query</c>, <c>/api/v1/targets</c>).
/// </summary>
internal sealed class Prometheus : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(30) };
    private readonly List<string> _output = [];
    private Process? _process;

    private Prometheus(string directory, int port)
    {
        Directory = directory;
        Port = port;
    }

    public string Directory { get; }

    /// <summary>The web API's port on 127.0.0.1.</summary>
    public int Port { get; }

    /// <summary>The base URL of the web API.</summary>
    public string Url => $"http://127.0.0.1:{Port}";

    /// <summary>What the server wrote (for a failed test's message).</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return string.Join('\n', _output.TakeLast(40));
            }
        }
    }

    /// <summary>The prometheus executable, or a failed or skipped test saying why it is missing (<see cref="InstalledTool"/>).</summary>
    public static string Require() => InstalledTool.Require("prometheus", "prometheus", "the scrape tests");

    /// <summary>Starts a server scraping each of <paramref name="targets"/> (<c>host:port</c>) every second, job <c>gateway</c>.</summary>
    public static async Task<Prometheus> StartAsync(IEnumerable<string> targets)
    {
        var executable = Require();
        var directory = System.IO.Directory.CreateTempSubdirectory("gw-prometheus-").FullName;
        var prometheus = new Prometheus(directory, LoopbackPorts.Free());
        var config = Path.Combine(directory, "prometheus.yml");
        File.WriteAllLines(config,
        [
            "global:",
            "  scrape_interval: 1s",
            "  scrape_timeout: 1s",
            "  evaluation_interval: 1m",
            "scrape_configs:",
            "  - job_name: gateway",
            "    static_configs:",
            $"      - targets: [{string.Join(", ", targets.Select(t => $"'{t}'"))}]",
        ]);
        await prometheus.StartAsync(executable, config);
        return prometheus;
    }

    private async Task StartAsync(string executable, string config)
    {
        _process = await ServerStart.StartAsync(
            executable,
            [
                $"--config.file={config}",
                $"--storage.tsdb.path={Path.Combine(Directory, "data")}",
                $"--web.listen-address=127.0.0.1:{Port}",
                "--log.level=warn",
            ],
            _http,
            $"{Url}/-/ready",
            HttpStatusCode.OK,
            StartTimeout,
            Keep,
            () => Output);
    }

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.Add(line);
        }
    }

    /// <summary>Runs an instant PromQL query; returns each series' labels and value.</summary>
    public async Task<List<(Dictionary<string, string> Labels, double Value)>> QueryAsync(string query)
    {
        using var response = await _http.GetAsync($"{Url}/api/v1/query?query={Uri.EscapeDataString(query)}");
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{query}: {(int)response.StatusCode} {text}");
        using var json = JsonDocument.Parse(text);
        var series = new List<(Dictionary<string, string>, double)>();
        foreach (var s in json.RootElement.GetProperty("data").GetProperty("result").EnumerateArray())
        {
            var labels = s.GetProperty("metric").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!);
            var value = double.Parse(s.GetProperty("value")[1].GetString()!, CultureInfo.InvariantCulture);
            series.Add((labels, value));
        }

        return series;
    }

    /// <summary>Each scrape target's health (<c>up</c>, <c>down</c>, <c>unknown</c>) and last error, by its address.</summary>
    public async Task<Dictionary<string, (string Health, string Error)>> TargetsAsync()
    {
        using var response = await _http.GetAsync($"{Url}/api/v1/targets");
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"targets: {(int)response.StatusCode} {text}");
        using var json = JsonDocument.Parse(text);
        return json.RootElement.GetProperty("data").GetProperty("activeTargets").EnumerateArray().ToDictionary(
            t => t.GetProperty("labels").GetProperty("instance").GetString()!,
            t => (t.GetProperty("health").GetString()!, t.GetProperty("lastError").GetString() ?? string.Empty));
    }

    public async ValueTask DisposeAsync()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process?.Dispose();
        _http.Dispose();
        System.IO.Directory.Delete(Directory, recursive: true);
    }
}
