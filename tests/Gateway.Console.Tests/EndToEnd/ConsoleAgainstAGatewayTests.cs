using System.Text.Json;
using System.Text.RegularExpressions;
using Gateway.Console.Tests.Infrastructure;

namespace Gateway.Console.Tests.EndToEnd;

/// <summary>gwctl as a real process against a real gateway on a firmware-sim process: send, status, watch, discover.</summary>
public sealed partial class ConsoleAgainstAGatewayTests(SimulatedGateway gw) : IClassFixture<SimulatedGateway>
{
    [Fact]
    public async Task Output_set_switches_the_simulated_relay_over_every_transport_and_through_listen()
    {
        var tcp = $"tcp://127.0.0.1:{gw.TcpPort}";
        var ws = $"ws://127.0.0.1:{gw.WebSocketPort}/ws";
        var udp = $"udp://127.0.0.1:{gw.UdpPort}";
        var listen = $"listen://127.0.0.1:{gw.ListenControlPort}/{SimulatedGateway.Device}";
        var steps = new (string Address, bool On, string[] Extra)[]
        {
            (tcp, true, []),
            (ws, false, []),
            (udp, true, ["--device", SimulatedGateway.Device]),
            (listen, false, []),
            ($"127.0.0.1:{gw.TcpPort}", true, []), // bare host:port is TCP
        };

        foreach (var (address, on, extra) in steps)
        {
            var result = await Gwctl.RunAsync(gw.Dir, ["send", address, "output.set", "--arg", "output=relay", "--arg", $"on={(on ? "true" : "false")}", "--key-file", gw.OperatorKey, .. extra]);

            Assert.True(result.ExitCode == 0, $"{address}: {result}");
            Assert.Contains("\"output\": \"relay\"", result.Out, StringComparison.Ordinal);
            Assert.True(await gw.RelayLevelAsync() == (on ? 1 : 0), $"{address}: the simulated relay line is not {(on ? 1 : 0)}");
        }
    }

    [Fact]
    public async Task A_refused_command_exits_1_with_its_code_and_changes_nothing()
    {
        var before = await gw.RelayLevelAsync();
        var address = $"tcp://127.0.0.1:{gw.TcpPort}";

        var notAllowed = await Gwctl.RunAsync(gw.Dir, "send", address, "output.set", "--arg", "output=relay", "--arg", $"on={(before == 0 ? "true" : "false")}", "--key-file", gw.ViewerKey);
        var badArgs = await Gwctl.RunAsync(gw.Dir, "send", address, "output.set", "--arg", "output=relay", "--arg", "on=maybe", "--key-file", gw.OperatorKey, "--json");

        Assert.True(notAllowed.ExitCode == 1, notAllowed.ToString());
        Assert.Contains($"{SimulatedGateway.Device} refused output.set: not_allowed: key 'viewer' may not run 'output.set'", notAllowed.Err, StringComparison.Ordinal);
        Assert.Contains("Gateway:Commands:Keys:viewer:Allow", notAllowed.Err, StringComparison.Ordinal);
        Assert.True(badArgs.ExitCode == 1, badArgs.ToString());
        using (var json = JsonDocument.Parse(badArgs.Stdout.Single()))
        {
            Assert.False(json.RootElement.GetProperty("ok").GetBoolean());
            Assert.Equal("bad_arguments", json.RootElement.GetProperty("code").GetString());
        }

        Assert.Equal(before, await gw.RelayLevelAsync());
    }

    [Fact]
    public async Task The_key_file_can_come_from_the_environment()
    {
        var result = await Gwctl.RunAsync(gw.Dir, new Dictionary<string, string?> { ["GWCTL_KEY_FILE"] = gw.ViewerKey }, "send", $"ws://127.0.0.1:{gw.WebSocketPort}", "ping");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("\"pong\": true", result.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Status_is_printed_as_tables_or_as_the_json_result()
    {
        var table = await Gwctl.RunAsync(gw.Dir, "status", $"127.0.0.1:{gw.TcpPort}", "--key-file", gw.ViewerKey);
        var json = await Gwctl.RunAsync(gw.Dir, "status", $"ws://127.0.0.1:{gw.WebSocketPort}", "--key-file", gw.ViewerKey, "--json");

        Assert.True(table.ExitCode == 0, table.ToString());
        Assert.Contains($"{SimulatedGateway.Device}  version", table.Out, StringComparison.Ordinal);
        Assert.Contains($"Running: {SimulatedGateway.Device}, ", table.Out, StringComparison.Ordinal); // not under systemd, and started
        Assert.Contains("│ env ", table.Out, StringComparison.Ordinal);
        Assert.Contains("│ relay ", table.Out, StringComparison.Ordinal);
        Assert.Contains("│ tcp:terminal ", table.Out, StringComparison.Ordinal);
        Assert.Contains("outbox:", table.Out, StringComparison.Ordinal);
        Assert.DoesNotContain('\u001b', table.Out); // not a terminal: no colours

        Assert.True(json.ExitCode == 0, json.ToString());
        using var doc = JsonDocument.Parse(json.Stdout.Single());
        Assert.True(doc.RootElement.GetProperty("ok").GetBoolean());
        Assert.Equal(SimulatedGateway.Device, doc.RootElement.GetProperty("data").GetProperty("device").GetString());
    }

    [Fact]
    public async Task A_result_too_large_for_a_datagram_is_reported_as_run_but_not_shown()
    {
        var result = await Gwctl.RunAsync(gw.Dir, "send", $"udp://127.0.0.1:{gw.UdpPort}", "config.get", "--device", SimulatedGateway.Device, "--key-file", gw.OperatorKey, "--json");

        Assert.True(result.ExitCode == 0, result.ToString()); // it ran
        Assert.Contains("note: too_large:", result.Err, StringComparison.Ordinal);
        using var doc = JsonDocument.Parse(result.Stdout.Single());
        Assert.Equal("too_large", doc.RootElement.GetProperty("code").GetString());
    }

    [Fact]
    public async Task Watch_prints_live_readings_one_per_line_or_as_json()
    {
        var text = await Gwctl.RunAsync(gw.Dir, "watch", $"tcp://127.0.0.1:{gw.TcpPort}", "--count", "3");
        var json = await Gwctl.RunAsync(gw.Dir, "watch", $"ws://127.0.0.1:{gw.WebSocketPort}", "--count", "2", "--json");

        Assert.True(text.ExitCode == 0, text.ToString());
        Assert.Equal(3, text.Stdout.Count);
        Assert.All(text.Stdout, line => Assert.Matches(ReadingLine(), line));
        Assert.Contains($"watching {SimulatedGateway.Device}", text.Err, StringComparison.Ordinal);
        Assert.True(json.ExitCode == 0, json.ToString());
        Assert.Equal(2, json.Stdout.Count);
        WatchLines.AssertJsonFrom(SimulatedGateway.Device, json.Stdout);
    }

    [Fact]
    public async Task Discover_finds_the_gateway_on_loopback_with_its_listeners()
    {
        var result = await Gwctl.RunAsync(gw.Dir, "discover", "--port", gw.BeaconPort.ToString(System.Globalization.CultureInfo.InvariantCulture), "--timeout", "3s", "--json");

        Assert.True(result.ExitCode == 0, result.ToString());
        using var doc = JsonDocument.Parse(result.Stdout.Single());
        var found = Assert.Single(doc.RootElement.EnumerateArray(), g => g.GetProperty("device").GetString() == SimulatedGateway.Device);
        Assert.Equal("127.0.0.1", found.GetProperty("address").GetString());
        var listeners = found.GetProperty("listeners").EnumerateArray().Select(l => l.GetString()).ToList();
        Assert.Contains($"tcp://127.0.0.1:{gw.TcpPort}", listeners);
        Assert.Contains($"ws://127.0.0.1:{gw.WebSocketPort}/ws", listeners);
        Assert.Contains($"udp://127.0.0.1:{gw.UdpPort}", listeners);
        Assert.Contains($"http://127.0.0.1:{gw.WebConsolePort}/", listeners); // the web console's address
    }

    [Fact]
    public async Task Mistakes_get_one_line_saying_what_to_do_and_a_distinct_exit_code()
    {
        var closed = Paths.FreeTcpPort();
        var refused = await Gwctl.RunAsync(gw.Dir, "send", $"127.0.0.1:{closed}", "ping", "--key-file", gw.OperatorKey);
        var noKey = await Gwctl.RunAsync(gw.Dir, "send", $"127.0.0.1:{gw.TcpPort}", "ping");
        var badAddress = await Gwctl.RunAsync(gw.Dir, "watch", "http://127.0.0.1:1");
        var notConnected = await Gwctl.RunAsync(gw.Dir, "send", $"listen://127.0.0.1:{gw.ListenControlPort}/nobody", "ping", "--key-file", gw.OperatorKey);

        Assert.Equal(69, refused.ExitCode);
        Assert.Equal($"gwctl: connection refused at 127.0.0.1:{closed}: is the gateway running and its listener enabled? see Gateway:Listener:Tcp", refused.Err);
        Assert.Equal(64, noKey.ExitCode);
        Assert.Contains("--key-file FILE or $GWCTL_KEY_FILE", noKey.Err, StringComparison.Ordinal);
        Assert.Equal(64, badAddress.ExitCode);
        Assert.Contains("unknown scheme 'http://'", badAddress.Err, StringComparison.Ordinal);
        Assert.Equal(69, notConnected.ExitCode);
        Assert.Contains($"not_connected: no gateway 'nobody' is connected to this listen (connected: {SimulatedGateway.Device})", notConnected.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_live_view_of_listen_renders_in_a_terminal_and_updates()
    {
        if (!Tmux.Available)
        {
            Assert.Skip("tmux is not installed (tests/run.sh installs it)");
        }

        // The gateway's second link ("terminal") has been knocking on this port since it started.
        await using var tmux = await Tmux.StartAsync(gw.Dir, 170, 45, $"{ProgramUnderTest.Gwctl.ShellCommand} listen --tcp 127.0.0.1:{gw.TerminalListenPort}");
        var timeout = TimeSpan.FromSeconds(60);

        var first = await tmux.WaitForScreenAsync(s => Readings(s) > 0, timeout, "a row for the gateway with readings");
        var second = await tmux.WaitForScreenAsync(s => Readings(s) > Readings(first), timeout, "the readings count going up");

        Assert.Contains($"gwctl listen on tcp://127.0.0.1:{gw.TerminalListenPort}", second, StringComparison.Ordinal);
        Assert.Contains("╭", second, StringComparison.Ordinal); // a table drawn with box characters, not one line per reading
        Assert.Contains("env.temperature", second, StringComparison.Ordinal);
        Assert.Contains($"{SimulatedGateway.Device} connected", second, StringComparison.Ordinal);
        Assert.DoesNotContain($"{SimulatedGateway.Device} #", second, StringComparison.Ordinal);

        await tmux.SendKeysAsync("C-c");
        await tmux.WaitForScreenAsync(s => s.Contains("readings and events from 1 device(s)", StringComparison.Ordinal), timeout, "the closing summary after Ctrl-C");
    }

    // The readings column of the gateway's row in the live view (device │ link │ rate/s │ readings │ …); -1 when absent.
    private static long Readings(string screen)
    {
        foreach (var line in screen.Split('\n'))
        {
            var cells = line.Split('│');
            if (cells.Length > 5 && cells[1].Trim() == SimulatedGateway.Device && long.TryParse(cells[4].Trim(), System.Globalization.CultureInfo.InvariantCulture, out var n))
            {
                return n;
            }
        }

        return -1;
    }

    [GeneratedRegex(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z e2e-01 #\d+ \S+ \S+ \S+")]
    private static partial Regex ReadingLine();
}
