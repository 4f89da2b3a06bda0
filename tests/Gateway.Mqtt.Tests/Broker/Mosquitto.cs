using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;

namespace Gateway.Mqtt.Tests.Broker;

/// <summary>
/// A real mosquitto broker for one test: its own folder (configuration, persistence, password and ACL files), a free
/// loopback port, stdout/stderr kept for failure messages. Stopped (SIGTERM) or killed, restarted on the same port and
/// folder, and always killed on dispose so no process is left behind.
/// </summary>
internal sealed class Mosquitto : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(10);
    private readonly ConcurrentQueue<string> _log = new();
    private readonly string _config;
    private Process? _process;

    private Mosquitto(string executable, string directory, int port, string config)
    {
        Executable = executable;
        Directory = directory;
        Port = port;
        _config = config;
    }

    public string Executable { get; }

    public string Directory { get; }

    public int Port { get; }

    /// <summary>The running broker's process id (for its CPU time and memory in /proc).</summary>
    public int ProcessId => _process is { HasExited: false } process ? process.Id : throw new InvalidOperationException("mosquitto is not running");

    /// <summary>The broker's log so far (log_type all) and anything it printed, for assertions and failure messages.</summary>
    public string Log
    {
        get
        {
            var file = Path.Combine(Directory, "mosquitto.log");
            if (!File.Exists(file))
            {
                return string.Join('\n', _log);
            }

            using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            using var reader = new StreamReader(stream);
            return string.Join('\n', _log) + "\n" + reader.ReadToEnd();
        }
    }

    /// <summary>
    /// The mosquitto executable, or a failed/skipped test saying why it is missing. tests/run.sh installs the Debian
    /// package when it can (root and apt-get); where it could have, a missing broker is a failure, not a skip.
    /// </summary>
    public static string Require()
    {
        string[] folders = [.. (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(':', StringSplitOptions.RemoveEmptyEntries), "/usr/sbin", "/usr/local/sbin"];
        foreach (var folder in folders)
        {
            var candidate = Path.Combine(folder, "mosquitto");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        var installable = Environment.UserName == "root" && File.Exists("/usr/bin/apt-get");
        if (installable)
        {
            Assert.Fail("mosquitto is not installed, though this machine could install it (root, apt-get): run tests/run.sh, which installs it, or `apt-get install mosquitto mosquitto-clients`");
        }

        Assert.Skip("mosquitto is not installed and cannot be installed here (needs root and apt-get): install the Debian package `mosquitto` to run the broker tests");
        return null!;
    }

    /// <summary>Starts a broker with the extra configuration lines <paramref name="extra"/> (may refer to files made by <paramref name="prepare"/>).</summary>
    public static async Task<Mosquitto> StartAsync(bool allowAnonymous = true, Func<string, string, IEnumerable<string>>? prepare = null)
    {
        var executable = Require();
        var directory = System.IO.Directory.CreateTempSubdirectory("gw-mosquitto-").FullName;
        var extra = prepare is null ? [] : prepare(directory, executable).ToList();
        for (var attempt = 1; ; attempt++)
        {
            // The free port is found by binding port 0 and letting it go; another process may take it in between,
            // so a start that fails on "Address already in use" tries another port.
            var port = FreePort();
            string[] lines =
            [
                "user root", // when started as root, stay root: the temporary folder is ours only (ignored when not root)
                $"listener {port} 127.0.0.1",
                $"allow_anonymous {(allowAnonymous ? "true" : "false")}",
                "persistence true",
                $"persistence_location {directory}/",
                $"log_dest file {Path.Combine(directory, "mosquitto.log")}", // flushed per line; stdout into a pipe is block-buffered
                "log_type all",
                "log_timestamp false",
                .. extra,
            ];
            var config = Path.Combine(directory, "mosquitto.conf");
            await File.WriteAllLinesAsync(config, lines);
            var broker = new Mosquitto(executable, directory, port, config);
            try
            {
                await broker.RestartAsync();
                return broker;
            }
            catch (InvalidOperationException) when (attempt < 3 && broker.Log.Contains("Address already in use", StringComparison.Ordinal))
            {
                File.Delete(Path.Combine(directory, "mosquitto.log"));
            }
        }
    }

    /// <summary>A password file made with mosquitto_passwd (shipped in the same package as mosquitto).</summary>
    public static IEnumerable<string> PasswordFile(string directory, string executable, string user, string password)
    {
        var tool = Path.Combine(Path.GetDirectoryName(executable)!, "..", "bin", "mosquitto_passwd");
        tool = File.Exists(tool) ? tool : "mosquitto_passwd";
        var file = Path.Combine(directory, "passwords");
        Run(tool, "-c", "-b", file, user, password);
        return [$"password_file {file}"];
    }

    /// <summary>
    /// The dynamic-security plugin (mosquitto 2.0's ACLs that answer SUBSCRIBE with 0x80 when denied; the plain
    /// acl_file only filters deliveries). The file is made by `mosquitto_ctrl dynsec init` and then given one role:
    /// <paramref name="user"/> may subscribe and publish under <paramref name="allowedPattern"/> only.
    /// </summary>
    public static IEnumerable<string> DynamicSecurity(string directory, string executable, string user, string password, string allowedPattern)
    {
        var plugin = FindPlugin("mosquitto_dynamic_security.so");
        var file = Path.Combine(directory, "dynsec.json");
        var tool = Path.Combine(Path.GetDirectoryName(executable)!, "..", "bin", "mosquitto_ctrl");
        Run(File.Exists(tool) ? tool : "mosquitto_ctrl", "dynsec", "init", file, user, password);
        var json = JsonNode.Parse(File.ReadAllText(file))!;
        json["clients"]![0]!["roles"] = new JsonArray(new JsonObject { ["rolename"] = "gateway" });
        json["roles"] = new JsonArray(new JsonObject
        {
            ["rolename"] = "gateway",
            ["acls"] = new JsonArray(
                Acl("subscribePattern", allowedPattern),
                Acl("publishClientSend", allowedPattern),
                Acl("publishClientReceive", allowedPattern),
                Acl("unsubscribePattern", "#")),
        });
        json["defaultACLAccess"] = new JsonObject { ["publishClientSend"] = false, ["publishClientReceive"] = false, ["subscribe"] = false, ["unsubscribe"] = true };
        File.WriteAllText(file, json.ToJsonString());
        return [$"plugin {plugin}", $"plugin_opt_config_file {file}"];

        static JsonObject Acl(string type, string topic) => new() { ["acltype"] = type, ["topic"] = topic, ["allow"] = true };
    }

    public MqttClientOptions Options(string clientId, bool cleanSession = true, int keepAliveSeconds = 30) => new()
    {
        Host = "127.0.0.1",
        Port = Port,
        ClientId = clientId,
        CleanSession = cleanSession,
        KeepAlivePeriod = TimeSpan.FromSeconds(keepAliveSeconds),
        Timeout = TimeSpan.FromSeconds(5),
    };

    /// <summary>Starts (again) on the same port, folder and persistence file; returns once the port accepts connections.</summary>
    public async Task RestartAsync()
    {
        if (_process is { HasExited: false })
        {
            throw new InvalidOperationException("mosquitto is still running");
        }

        var start = new ProcessStartInfo(Executable, ["-c", _config])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        _process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {Executable}");
        _process.OutputDataReceived += (_, e) => Keep(e.Data);
        _process.ErrorDataReceived += (_, e) => Keep(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < StartTimeout)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"mosquitto exited with {_process.ExitCode} at start:\n{Log}");
            }

            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync(IPAddress.Loopback, Port);
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(20);
            }
        }

        throw new TimeoutException($"mosquitto did not listen on 127.0.0.1:{Port} within {StartTimeout.TotalSeconds} s:\n{Log}");
    }

    /// <summary>SIGTERM: mosquitto closes every connection (no DISCONNECT in MQTT 3.1.1) and writes its persistence file.</summary>
    public async Task StopAsync()
    {
        var process = _process ?? throw new InvalidOperationException("not started");
        Signals.Send(process.Id, Signals.SIGTERM);
        using var timeout = new CancellationTokenSource(StartTimeout);
        await process.WaitForExitAsync(timeout.Token);
    }

    public async ValueTask DisposeAsync()
    {
        if (_process is { HasExited: false } process)
        {
            process.Kill();
            await process.WaitForExitAsync();
        }

        _process?.Dispose();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // the OS cleans /tmp
        }
    }

    private void Keep(string? line)
    {
        if (line is not null)
        {
            _log.Enqueue(line);
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string FindPlugin(string name)
    {
        foreach (var root in new[] { "/usr/lib", "/usr/local/lib" })
        {
            if (!System.IO.Directory.Exists(root))
            {
                continue;
            }

            var direct = Path.Combine(root, name);
            if (File.Exists(direct))
            {
                return direct;
            }

            foreach (var folder in System.IO.Directory.EnumerateDirectories(root))
            {
                var candidate = Path.Combine(folder, name);
                if (File.Exists(candidate))
                {
                    return candidate;
                }
            }
        }

        Assert.Fail($"{name} not found under /usr/lib: it ships in Debian's mosquitto package (2.0 or later)");
        return null!;
    }

    private static void Run(string tool, params string[] arguments)
    {
        var start = new ProcessStartInfo(tool, arguments) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {tool}");
        var output = new StringBuilder();
        output.Append(process.StandardOutput.ReadToEnd()).Append(process.StandardError.ReadToEnd());
        if (!process.WaitForExit(10_000) || process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{tool} {string.Join(' ', arguments)} failed: {output}");
        }
    }
}
