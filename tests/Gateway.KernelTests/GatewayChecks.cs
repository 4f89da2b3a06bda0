using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text.Json;
using Gateway.Hardware.Linux;
using Microsoft.Data.Sqlite;

namespace Gateway.KernelTests;

/// <summary>
/// The gateway itself in the guest (src/Gateway, the same program as on a board): Backend=Linux, one BME280 on
/// i2c-regsim at 0x76 (preloaded with the datasheet fixture), a door switch on gpio-sim line GPIO17 (pull-up,
/// debounced, edges reported at once) and an active-low relay on GPIO22. It must start, hold the relay line in its safe
/// state, sample, send the compensated values and the door's state to a console on its TCP listener, store the
/// readings in its SQLite outbox, and stop on SIGTERM releasing the lines. The checks run once per build found in the
/// guest (<see cref="Builds"/>): the framework-dependent one, and the NativeAOT binary as shipped when run.sh put it in.
/// </summary>
internal static partial class GatewayChecks
{
    /// <summary>The gateway builds the guest may hold: a name for the check lines, and the program to start.</summary>
    public static IEnumerable<(string Name, string Program)> Builds()
    {
        // Always: a missing framework-dependent build fails its checks rather than passing by absence.
        yield return ("gateway", Environment.GetEnvironmentVariable("KIL_GATEWAY") ?? "/app/gateway/Gateway.dll");

        const string native = "/app/gateway-native/Gateway";
        if (File.Exists(native))
        {
            yield return ("gateway (native)", native);
        }
    }

    private const int DoorLine = 0; // GPIO17
    private const int RelayLine = 1; // GPIO22
    private const int ListenerPort = 7311;
    private const int SIGTERM = 15;
    private static readonly byte[] CommandSecret = [.. Enumerable.Range(0, 32).Select(i => (byte)(0xA0 ^ i))];
    private static readonly TimeSpan StartLimit = TimeSpan.FromSeconds(90);
    private static readonly TimeSpan ReadingsLimit = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan StopLimit = TimeSpan.FromSeconds(30);

    public static async Task RunAsync(CheckRunner checks, Guest guest, string name, string program)
    {
        var sim = new SimulatedLines(guest.GpioSim);
        var regs = new RegisterSim(guest.RegsimDebugfs);
        var folder = Path.Combine(Path.GetTempPath(), name.Replace(' ', '-').Replace("(", "", StringComparison.Ordinal).Replace(")", "", StringComparison.Ordinal));
        Directory.CreateDirectory(folder);
        var config = Path.Combine(folder, "appsettings.json");
        var database = Path.Combine(folder, "state", "gateway.db");
        await File.WriteAllTextAsync(config, Configuration(guest, Path.Combine(folder, "state"))).ConfigureAwait(false);
        I2cChecks.LoadBme280(regs);
        sim.Pull(RelayLine, up: false);

        var output = new ConcurrentQueue<string>();
        using var gateway = Start(program, config, folder, output);
        var failedBefore = checks.Failed;
        try
        {
            using var console = new TcpClient();
            StreamReader? lines = null;
            await checks.RunAsync($"{name}: starts with Backend=Linux and greets a console on its TCP listener", async () =>
            {
                await ConnectAsync(console, gateway).ConfigureAwait(false);
                lines = new StreamReader(console.GetStream());
                using var hello = JsonDocument.Parse(await ReadLineAsync(lines, StartLimit).ConfigureAwait(false));
                Expect.Equal("hello", hello.RootElement.GetProperty("type").GetString(), "first message");
                Expect.Equal("kil-guest", hello.RootElement.GetProperty("device").GetString(), "device");
                Expect.Equal("door,env", string.Join(',', hello.RootElement.GetProperty("sensors").EnumerateArray().Select(s => s.GetString()).Order()), "sensors");
            }).ConfigureAwait(false);

            checks.Run($"{name}: the relay line shows its safe state (active-low, off: driven high) and the gateway holds it", () =>
            {
                using var probe = new LinuxGpioDriver(guest.GpioChip);
                var info = probe.GetLineInfo(RelayLine);
                Expect.True(info.IsUsed && info.IsOutput && info.Consumer == "gateway", $"GPIO22 should be an output held by 'gateway', line info says {info}");
                Expect.Equal(1, sim.Value(RelayLine), "level on GPIO22");
            });

            await checks.RunAsync($"{name}: a signed output.set over the listener drives the relay line (on: low, off: high)", async () =>
            {
                Expect.True(lines is not null, "no console connection");
                var on = await CommandAsync(console, lines!, "kil-on", """{"output":"relay","on":true}""").ConfigureAwait(false);
                Expect.True(on.Contains("\"ok\":true", StringComparison.Ordinal), $"result of output.set on: {on}");
                Expect.Equal(0, sim.Value(RelayLine), "level on GPIO22 after output.set on (active-low)");
                var off = await CommandAsync(console, lines!, "kil-off", """{"output":"relay","on":false}""").ConfigureAwait(false);
                Expect.True(off.Contains("\"ok\":true", StringComparison.Ordinal), $"result of output.set off: {off}");
                Expect.Equal(1, sim.Value(RelayLine), "level on GPIO22 after output.set off");
                var forged = await CommandAsync(console, lines!, "kil-forged", """{"output":"relay","on":true}""", forge: true).ConfigureAwait(false);
                Expect.True(forged.Contains("\"code\":\"bad_signature\"", StringComparison.Ordinal), $"result of a forged output.set: {forged}");
                Expect.Equal(1, sim.Value(RelayLine), "level on GPIO22 after a forged output.set");
            }).ConfigureAwait(false);

            await checks.RunAsync($"{name}: live readings carry the BME280 values the datasheet's compensation gives", async () =>
            {
                Expect.True(lines is not null, "no console connection");
                var seen = await ReadingsAsync(lines!, "env", r => r.Count == 3).ConfigureAwait(false);
                Expect.Near(Bme280Fixture.Temperature, seen["temperature"], 1e-9, "temperature (Cel)");
                Expect.Near(Bme280Fixture.Pressure, seen["pressure"], 1e-9, "pressure (Pa)");
                Expect.Near(Bme280Fixture.Humidity, seen["humidity"], 1e-9, "humidity (%RH)");
            }).ConfigureAwait(false);

            await checks.RunAsync($"{name}: a debounced door switch on a GPIO line reports its state as the simulated pull moves it", async () =>
            {
                Expect.True(lines is not null, "no console connection");
                _ = await ReadingsAsync(lines!, "door", r => r.TryGetValue("state", out var v) && v == 1).ConfigureAwait(false);
                sim.Pull(DoorLine, up: false);
                _ = await ReadingsAsync(lines!, "door", r => r.TryGetValue("state", out var v) && v == 0).ConfigureAwait(false);
                Thread.Sleep(100); // longer than the 20 ms debounce, so the low level counts before the next edge
                sim.Pull(DoorLine, up: true);
                _ = await ReadingsAsync(lines!, "door", r => r.TryGetValue("state", out var v) && v == 1 && r.TryGetValue("count", out var n) && n >= 2).ConfigureAwait(false);
            }).ConfigureAwait(false);
        }
        finally
        {
            await checks.RunAsync($"{name}: stops on SIGTERM with exit code 0 and releases the relay line", async () =>
            {
                Expect.True(!gateway.HasExited, $"the gateway had already exited with {ExitCode(gateway)}");
                Expect.Equal(0, kill(gateway.Id, SIGTERM), "kill(SIGTERM)");
                using var timeout = new CancellationTokenSource(StopLimit);
                await gateway.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
                Expect.Equal(0, gateway.ExitCode, "exit code");
                using var probe = new LinuxGpioDriver(guest.GpioChip);
                Expect.Equal(false, probe.GetLineInfo(RelayLine).IsUsed, "GPIO22 held after the gateway stopped");
            }).ConfigureAwait(false);
            if (!gateway.HasExited)
            {
                gateway.Kill();
            }
        }

        checks.Run($"{name}: the readings are stored in its SQLite outbox with those values", () =>
        {
            using var db = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = database, Mode = SqliteOpenMode.ReadOnly }.ToString());
            db.Open();
            using var query = db.CreateCommand();
            query.CommandText = "SELECT s.quantity, s.unit, r.value FROM readings r JOIN series s ON s.id = r.series WHERE s.sensor = 'env' GROUP BY s.quantity, s.unit, r.value ORDER BY s.quantity";
            using var rows = query.ExecuteReader();
            var stored = new List<string>();
            while (rows.Read())
            {
                stored.Add(string.Create(CultureInfo.InvariantCulture, $"{rows.GetString(0)} {rows.GetDouble(2):R} {rows.GetString(1)}"));
            }

            var expected = string.Create(
                CultureInfo.InvariantCulture,
                $"humidity {Bme280Fixture.Humidity:R} %RH; pressure {Bme280Fixture.Pressure:R} Pa; temperature {Bme280Fixture.Temperature:R} Cel");
            Expect.Equal(expected, string.Join("; ", stored), "distinct stored values of sensor env");
        });

        // Always, not only on failure: the gateway's own log (with timestamps) is how a slow or odd run is read.
        {
            CheckRunner.Info(checks.Failed > failedBefore ? $"{name} output (last 40 lines), after a failure:" : $"{name} output (last 40 lines):");
            foreach (var line in output.TakeLast(40))
            {
                CheckRunner.Info($"  {name}| " + line);
            }
        }
    }

    private static string Configuration(Guest guest, string state) => JsonSerializer.Serialize(new
    {
        Gateway = new
        {
            DeviceId = "kil-guest",
            StateDirectory = state,
            Hardware = new { Backend = "Linux" },
            Sampling = new { Interval = "500ms" },
            Logging = new { Format = "Simple" },
            Listener = new { Tcp = $"127.0.0.1:{ListenerPort}" },
            Commands = new { Keys = new { kil = new { Secret = Convert.ToBase64String(CommandSecret), Allow = "output.set" } } },
            Sensors = new
            {
                env = new { Type = "Bme280", Bus = guest.RegsimBus, Address = "0x76" },
                door = new { Type = "DigitalInput", Chip = guest.GpioChipNumber, Pin = "GPIO17", Pull = "Up", Debounce = "20ms", Edges = "Both", ReportEdges = true },
            },
            Outputs = new { relay = new { Chip = guest.GpioChipNumber, Pin = "GPIO22", ActiveLow = true, SafeState = "off" } },
        },
    });

    private static Process Start(string program, string config, string folder, ConcurrentQueue<string> output)
    {
        var start = program.EndsWith(".dll", StringComparison.Ordinal)
            ? new ProcessStartInfo(Environment.ProcessPath ?? "dotnet", [program, "--config", config])
            : new ProcessStartInfo(program, ["--config", config]);
        start.WorkingDirectory = folder;
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.UseShellExecute = false;
        var process = Process.Start(start) ?? throw new CheckFailedException("the gateway process did not start");
        process.OutputDataReceived += (_, e) => Keep(output, e.Data);
        process.ErrorDataReceived += (_, e) => Keep(output, e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static void Keep(ConcurrentQueue<string> output, string? line)
    {
        if (line is null)
        {
            return;
        }

        output.Enqueue(line);
        while (output.Count > 200 && output.TryDequeue(out _))
        {
        }
    }

    private static async Task ConnectAsync(TcpClient console, Process gateway)
    {
        var watch = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                await console.ConnectAsync("127.0.0.1", ListenerPort).ConfigureAwait(false);
                return;
            }
            catch (SocketException) when (watch.Elapsed < StartLimit && !gateway.HasExited)
            {
                await Task.Delay(200).ConfigureAwait(false);
            }
            catch (SocketException ex)
            {
                throw new CheckFailedException(gateway.HasExited
                    ? $"the gateway exited with {ExitCode(gateway)} before its listener accepted a connection"
                    : $"no listener on 127.0.0.1:{ListenerPort} after {StartLimit.TotalSeconds} s: {ex.Message}");
            }
        }
    }

    /// <summary>Sends a command signed with the guest's key (or a forged signature) and returns its result line.</summary>
    private static async Task<string> CommandAsync(TcpClient console, StreamReader lines, string id, string args, bool forge = false)
    {
        var command = Gateway.Protocol.Commands.CommandSigning.Create(
            "kil", CommandSecret, "kil-guest", id, "output.set", args, DateTimeOffset.UtcNow, Gateway.Protocol.Commands.CommandSigning.NewNonce());
        if (forge)
        {
            command = command with { Signature = new string('0', 64) };
        }

        var bytes = System.Text.Encoding.UTF8.GetBytes(Gateway.Protocol.MessageWriter.ToJson(command) + "\n");
        await console.GetStream().WriteAsync(bytes).ConfigureAwait(false);
        var watch = Stopwatch.StartNew();
        while (true)
        {
            var left = ReadingsLimit - watch.Elapsed;
            if (left <= TimeSpan.Zero)
            {
                throw new CheckFailedException($"no result for command {id} within {ReadingsLimit.TotalSeconds} s");
            }

            var line = await ReadLineAsync(lines, left).ConfigureAwait(false);
            if (line.Contains("\"type\":\"result\"", StringComparison.Ordinal) && line.Contains($"\"id\":\"{id}\"", StringComparison.Ordinal))
            {
                return line;
            }
        }
    }

    /// <summary>Reads messages until the latest values of <paramref name="sensor"/>'s quantities satisfy <paramref name="done"/>.</summary>
    private static async Task<Dictionary<string, double>> ReadingsAsync(StreamReader lines, string sensor, Func<Dictionary<string, double>, bool> done)
    {
        var seen = new Dictionary<string, double>(StringComparer.Ordinal);
        var watch = Stopwatch.StartNew();
        while (!done(seen))
        {
            var left = ReadingsLimit - watch.Elapsed;
            if (left <= TimeSpan.Zero)
            {
                throw new CheckFailedException($"no readings of {sensor} as expected within {ReadingsLimit.TotalSeconds} s; latest: {string.Join(", ", seen.Select(q => $"{q.Key} {q.Value}"))}");
            }

            using var message = JsonDocument.Parse(await ReadLineAsync(lines, left).ConfigureAwait(false));
            var root = message.RootElement;
            if (root.GetProperty("type").GetString() == "event" && root.GetProperty("sensor").GetString() == sensor
                && root.GetProperty("message").GetString() is { } health && !health.StartsWith("ok", StringComparison.Ordinal))
            {
                throw new CheckFailedException($"the gateway reported a sensor event: {root}");
            }

            if (root.GetProperty("type").GetString() == "reading" && root.GetProperty("sensor").GetString() == sensor)
            {
                seen[root.GetProperty("quantity").GetString()!] = root.GetProperty("value").GetDouble();
            }
        }

        return seen;
    }

    private static async Task<string> ReadLineAsync(StreamReader lines, TimeSpan limit)
    {
        using var timeout = new CancellationTokenSource(limit);
        try
        {
            return await lines.ReadLineAsync(timeout.Token).ConfigureAwait(false)
                ?? throw new CheckFailedException("the gateway closed the console connection");
        }
        catch (OperationCanceledException)
        {
            throw new CheckFailedException($"no message from the gateway within {limit.TotalSeconds:0} s");
        }
    }

    private static string ExitCode(Process process) => process.HasExited ? process.ExitCode.ToString(CultureInfo.InvariantCulture) : "(running)";

    [LibraryImport("libc", SetLastError = true)]
    private static partial int kill(int pid, int sig);
}
