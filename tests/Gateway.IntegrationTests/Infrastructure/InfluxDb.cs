using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;

namespace Gateway.IntegrationTests.Infrastructure;

/// <summary>
/// A real InfluxDB 1.x (Debian's <c>influxdb</c> package: <c>influxd</c>) for one test: its own folder for meta, data
/// and WAL, the HTTP API on a free loopback port, started and stopped by the test (and always killed on dispose), queried
/// back through its own API.
/// </summary>
internal sealed class InfluxDb : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(30) };
    private readonly string _config;
    private Process? _process;

    private InfluxDb(string executable, string directory, int port, string config)
    {
        Executable = executable;
        Directory = directory;
        Port = port;
        _config = config;
    }

    public string Executable { get; }

    public string Directory { get; }

    /// <summary>The HTTP API's port on 127.0.0.1.</summary>
    public int Port { get; }

    /// <summary>The base URL of the HTTP API.</summary>
    public string Url => $"http://127.0.0.1:{Port}";

    /// <summary>The running server's process id (for its CPU time and memory in /proc).</summary>
    public int ProcessId => _process is { HasExited: false } process ? process.Id : throw new InvalidOperationException("influxd is not running");

    /// <summary>The influxd executable, or a failed or skipped test saying why it is missing (<see cref="InstalledTool"/>).</summary>
    public static string Require() => InstalledTool.Require("influxd", "influxdb", "the InfluxDB tests");

    /// <summary>Prepares a server on a free port without starting it (so a test can start a gateway against it first).</summary>
    public static InfluxDb Prepare()
    {
        var executable = Require();
        var directory = System.IO.Directory.CreateTempSubdirectory("gw-influxdb-").FullName;
        int port = LoopbackPorts.Free(), rpc = LoopbackPorts.Free();
        var config = Path.Combine(directory, "influxdb.conf");
        File.WriteAllLines(config,
        [
            "reporting-disabled = true",
            $"bind-address = \"127.0.0.1:{rpc}\"",
            "[meta]",
            $"  dir = \"{directory}/meta\"",
            "[data]",
            $"  dir = \"{directory}/data\"",
            $"  wal-dir = \"{directory}/wal\"",
            "  query-log-enabled = false",
            "[http]",
            $"  bind-address = \"127.0.0.1:{port}\"",
            "  log-enabled = false",
            "[monitor]",
            "  store-enabled = false",
        ]);
        return new InfluxDb(executable, directory, port, config);
    }

    /// <summary>Starts a server and creates <paramref name="database"/>.</summary>
    public static async Task<InfluxDb> StartAsync(string database)
    {
        var influx = Prepare();
        await influx.StartAsync();
        await influx.QueryAsync($"CREATE DATABASE \"{database}\"", database: null, post: true);
        return influx;
    }

    /// <summary>Starts (or restarts) the server and waits until <c>/ping</c> answers 204.</summary>
    public async Task StartAsync()
    {
        _process = await ServerStart.StartAsync(Executable, ["-config", _config], _http, $"{Url}/ping", HttpStatusCode.NoContent, StartTimeout, _ => { }, () => string.Empty);
    }

    /// <summary>Writes line protocol directly (milliseconds), e.g. to prepare a conflicting field type; returns the status.</summary>
    public async Task<HttpStatusCode> WriteAsync(string database, string lines)
    {
        using var response = await _http.PostAsync($"{Url}/write?db={Uri.EscapeDataString(database)}&precision=ms", new StringContent(lines));
        return response.StatusCode;
    }

    /// <summary>Runs an InfluxQL query and returns the rows of every series: (measurement, column → value).</summary>
    public async Task<List<(string Measurement, Dictionary<string, JsonElement> Row)>> QueryAsync(string query, string? database, bool post = false)
    {
        var url = $"{Url}/query?q={Uri.EscapeDataString(query)}" + (database is null ? string.Empty : $"&db={Uri.EscapeDataString(database)}");
        using var response = post ? await _http.PostAsync(url, null) : await _http.GetAsync(url);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{query}: {(int)response.StatusCode} {text}");
        using var json = JsonDocument.Parse(text);
        var rows = new List<(string, Dictionary<string, JsonElement>)>();
        foreach (var result in json.RootElement.GetProperty("results").EnumerateArray())
        {
            if (result.TryGetProperty("error", out var error))
            {
                Assert.Fail($"{query}: {error.GetString()}");
            }

            if (!result.TryGetProperty("series", out var series))
            {
                continue;
            }

            foreach (var s in series.EnumerateArray())
            {
                var columns = s.GetProperty("columns").EnumerateArray().Select(c => c.GetString()!).ToList();
                foreach (var values in s.GetProperty("values").EnumerateArray())
                {
                    var row = new Dictionary<string, JsonElement>();
                    var i = 0;
                    foreach (var value in values.EnumerateArray())
                    {
                        row[columns[i++]] = value.Clone();
                    }

                    rows.Add((s.GetProperty("name").GetString()!, row));
                }
            }
        }

        return rows;
    }

    /// <summary>
    /// Every seq <paramref name="device"/> has in <paramref name="database"/>, in order: readings and health changes carry
    /// it as a field (docs/protocol.md, HTTP line-protocol link); a gap point has none and is left out.
    /// </summary>
    public async Task<List<long>> SeqsAsync(string database, string device)
    {
        var rows = await QueryAsync($"SELECT seq FROM /.*/ WHERE device = '{device}'", database);
        return [.. rows.Where(r => r.Row["seq"].ValueKind == JsonValueKind.Number).Select(r => r.Row["seq"].GetInt64()).Order()];
    }

    /// <summary>Stops the server (SIGTERM, then kill after 10 s).</summary>
    public async Task StopAsync()
    {
        if (_process is null || _process.HasExited)
        {
            return;
        }

        Signals.Send(_process.Id, Signals.SIGTERM);
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            await _process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
        }
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
