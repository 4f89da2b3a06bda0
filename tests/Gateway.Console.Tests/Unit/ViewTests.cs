using Gateway.Console.Cli;
using Gateway.Console.Upstream;
using Gateway.Console.Views;
using Gateway.Console.Watching;
using Gateway.Protocol;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Gateway.Console.Tests.Unit;

public sealed class ViewTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 23, 9, 0, 10, TimeSpan.Zero);

    private const string StatusJson = """
        {"device":"pi-01","version":"0.1.0","uptime":3725,"status":"Running: pi-01, Simulated hardware",
         "sensors":[{"id":"env","health":"ok","lastError":null,"reads":120,"skipped":0,"interval":"5s"},
                    {"id":"water","health":"failed","lastError":"no answer from 28-000005e2fdc3","reads":3,"skipped":0,"interval":"5s"}],
         "outputs":[{"name":"relay","on":true,"available":true},{"name":"led","on":null,"available":false}],
         "links":[{"name":"tcp","kind":"tcp","target":"127.0.0.1:7000","state":"up","lastError":null}],
         "outbox":{"stored":500,"pending":2,"lastSeq":500,"dropped":0,"gaps":0,"bytes":65536,"diskTrouble":false},
         "futureField":{"ignored":true}}
        """;

    [Fact]
    public void The_status_result_is_read_tolerantly_and_shown_in_sections()
    {
        var status = GatewayStatus.Parse(StatusJson);
        Assert.Equal("pi-01", status.Device);
        Assert.Equal([true, null], status.Outputs.Select(o => o.On));
        Assert.Equal(2, status.Outbox!.Pending);

        var text = RenderText(StatusView.Render(status));

        Assert.Contains("pi-01  version 0.1.0  up 1h 2m", text, StringComparison.Ordinal);
        Assert.Contains("no answer from 28-000005e2fdc3", text, StringComparison.Ordinal);
        Assert.Contains("unavailable", text, StringComparison.Ordinal);
        Assert.Contains("outbox: 500 stored, 2 pending, last seq 500", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Each_link_shows_what_it_owes_how_old_the_oldest_is_and_when_its_peer_last_acknowledged()
    {
        var status = GatewayStatus.Parse("""
            {"device":"pi-01","links":[
              {"name":"tcp","kind":"tcp","target":"127.0.0.1:7000","state":"backing off","lastError":"refused",
               "acknowledged":407,"backlog":513,"oldestUnacknowledged":"2026-11-23T08:58:40.000Z","oldestUnacknowledgedSeconds":90,"lastAck":null,"lastAckSeconds":null},
              {"name":"mqtt","kind":"mqtt","target":"broker:1883","state":"up","lastError":null,
               "acknowledged":920,"backlog":0,"oldestUnacknowledged":null,"oldestUnacknowledgedSeconds":null,"lastAck":"2026-11-23T09:00:08.000Z","lastAckSeconds":2},
              {"name":"udp","kind":"udp","target":"255.255.255.255:7001","state":"up","lastError":null}]}
            """);
        Assert.Equal([513L, 0L, null], status.Links.Select(l => l.Backlog));

        var text = RenderText(StatusView.Render(status));

        Assert.Contains("owed", text, StringComparison.Ordinal);
        Assert.Matches(@"tcp .*backing off.* 513 .* 1m .* none yet", text);
        Assert.Matches(@"mqtt .* up .* 0 .* - .* 2s ago", text);
    }

    [Fact]
    public void A_status_from_an_older_gateway_with_fields_missing_still_shows()
    {
        var text = RenderText(StatusView.Render(GatewayStatus.Parse("""{"device":"old-1"}""")));

        Assert.Contains("old-1", text, StringComparison.Ordinal);
        Assert.Contains("(none)", text, StringComparison.Ordinal);
    }

    [Fact]
    public void The_listen_view_shows_each_device_with_its_counts_latest_values_and_bad_health()
    {
        var device = new DeviceSnapshot(
            "pi-01", "0.1.0", ["tcp 127.0.0.1:5000"], 42, 3, 2.5, 42, 1, 0,
            [new LatestValue("env", "temperature", 21.53, "Cel", Now.AddSeconds(-3), 41)],
            new Dictionary<string, string> { ["water"] = "failed: no answer", ["env"] = "ok: recovered" },
            Now.AddSeconds(-3));
        var snapshot = new ListenSnapshot(["tcp://127.0.0.1:7000"], "out.ndjson (42 lines)", [device], [(NoticeLevel.Info, Now, "pi-01 connected")], Now);

        var text = RenderText(ListenView.Render(snapshot));

        Assert.Contains("gwctl listen on tcp://127.0.0.1:7000", text, StringComparison.Ordinal);
        Assert.Contains("pi-01", text, StringComparison.Ordinal);
        Assert.Contains("env.temperature 21.53 Cel (3s)", text, StringComparison.Ordinal);
        Assert.Contains("water: failed: no answer", text, StringComparison.Ordinal);
        Assert.DoesNotContain("env: ok", text, StringComparison.Ordinal); // healthy sensors are not listed
        Assert.Contains("pi-01 connected", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Markup_and_escapes_in_what_a_peer_sent_are_shown_as_text()
    {
        var device = new DeviceSnapshot(
            "pi-01", "[bold]x", ["tcp [red]"], 1, 0, 0, 1, 0, 0,
            [new LatestValue("[blink]", "q]", 1, "[/]", Now, 1)],
            new Dictionary<string, string> { ["[x"] = "failed: [red]boom\u001b[2J" },
            Now);
        var snapshot = new ListenSnapshot(["tcp://127.0.0.1:7000"], null, [device], [(NoticeLevel.Warning, Now, "[/] \u001b]0;title\u0007")], Now);

        var text = RenderText(ListenView.Render(snapshot)); // Spectre throws on malformed markup: this must not

        Assert.Contains("[blink].q] 1 [/]", text, StringComparison.Ordinal);
        Assert.Contains("[x: failed: [red]boom", text, StringComparison.Ordinal);
        Assert.DoesNotContain('\u001b', text);
        Assert.DoesNotContain('\u0007', text);
    }

    [Fact]
    public void Many_devices_share_the_height_and_the_rest_of_the_values_is_counted()
    {
        Assert.Equal(ListenView.MaxValuesShown, ListenView.ValuesPerDevice(1, 60));
        Assert.Equal(1, ListenView.ValuesPerDevice(100, 40));
        var values = Enumerable.Range(0, 10).Select(i => new LatestValue("s", $"q{i}", i, "", Now, i)).ToList();
        var device = new DeviceSnapshot("d", "", [], 0, 0, 0, null, 0, 0, values, new Dictionary<string, string>(), null);

        var lines = ListenView.Latest(device, Now, 4).Split('\n');

        Assert.Equal(["s.q0 0 (0s)", "s.q1 1 (0s)", "s.q2 2 (0s)", "… 7 more"], lines);
    }

    [Fact]
    public void The_watch_view_lists_every_sensor_even_before_its_first_reading()
    {
        var state = new WatchState("tcp://127.0.0.1:7010", new HelloMessage("pi-01", "0.1.0", 1, ["env", "door", "water"], 100), "pi-01", Now.AddSeconds(-5));
        state.Take(new ReadingMessage("pi-01", 100, Now, "env", "temperature", 21.5, "Cel"), 1000);
        state.Take(new EventMessage("pi-01", 101, Now, "env", "health", "failing: nack"), 1000);
        state.TakeStatus(GatewayStatus.Parse(StatusJson), null);

        var text = RenderText(WatchView.Render(state.Snapshot(1001, Now)));

        Assert.Contains("pi-01", text, StringComparison.Ordinal);
        Assert.Contains("21.5", text, StringComparison.Ordinal);
        Assert.Contains("failing: nack", text, StringComparison.Ordinal);
        Assert.Contains("(no reading yet)", text, StringComparison.Ordinal); // door
        Assert.Contains("outputs: relay on  led unavailable", text, StringComparison.Ordinal);
        Assert.Contains("failed: no answer from 28-000005e2fdc3", text, StringComparison.Ordinal); // water: health from status
    }

    [Theory]
    [InlineData("Auto", true, false, true)]
    [InlineData("Auto", false, false, false)]
    [InlineData("Auto", true, true, false)] // NO_COLOR
    [InlineData("Always", false, true, true)]
    [InlineData("Never", true, false, false)]
    public void Colours_follow_the_mode_the_terminal_and_no_color(string mode, bool terminal, bool noColor, bool expected)
    {
        Assert.Equal(expected, Terminal.Colours(Enum.Parse<ColorMode>(mode), terminal, noColor));
    }

    [Fact]
    public void Output_to_a_pipe_has_no_escape_sequences_even_with_term_set()
    {
        var stdout = new StringWriter();
        var terminal = new Terminal(stdout, new StringWriter(), stdoutIsTerminal: false, stderrIsTerminal: false, ColorMode.Auto, noColorEnvironment: false);

        terminal.Out.Write(StatusView.Render(GatewayStatus.Parse(StatusJson)));

        Assert.Contains("relay", stdout.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain('\u001b', stdout.ToString());
    }

    [Fact]
    public void Always_colours_even_into_a_pipe()
    {
        var stdout = new StringWriter();
        var terminal = new Terminal(stdout, new StringWriter(), stdoutIsTerminal: false, stderrIsTerminal: false, ColorMode.Always, noColorEnvironment: false);

        terminal.Out.Write(StatusView.Render(GatewayStatus.Parse(StatusJson)));

        Assert.Contains('\u001b', stdout.ToString());
    }

    private static string RenderText(IRenderable renderable)
    {
        var writer = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
            Out = new AnsiConsoleOutput(writer),
        });
        console.Profile.Width = 220;
        console.Write(renderable);
        return writer.ToString();
    }
}
