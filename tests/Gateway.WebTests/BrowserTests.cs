using System.Text.Json;
using Gateway.Hardware.Remote;
using Gateway.IntegrationTests.Infrastructure;

namespace Gateway.WebTests;

/// <summary>
/// The web console in a real browser (headless Chromium) against a real gateway on a firmware-sim process: the page
/// loads, charts fill with live readings (and start filled from the outbox after a reload), a wrong token is refused, a viewer cannot switch the relay, the operator can
/// (the simulated line follows), and the page talks to nobody but the gateway. Screenshots go to artifacts/web-console.
/// </summary>
public sealed class BrowserTests : IDisposable
{
    private const string Device = "web-01";
    private const string OperatorToken = "operator-token-7f3a9c21d4e8";
    private const string ViewerToken = "viewer-token-2b6e1f0c9a57";
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private readonly TempDirectory _dir = new();

    [Fact]
    public async Task The_console_shows_live_charts_refuses_wrong_and_viewer_tokens_and_switches_the_relay_for_the_operator()
    {
        BrowserCheck.RequireTools();
        var artifacts = Path.Combine(RepositoryPaths.Root, "artifacts", "web-console");
        Directory.CreateDirectory(artifacts);
        var socket = _dir.File("sim.sock");
        using var sim = GatewayProcess.StartCommand("dotnet", [RepositoryPaths.FirmwareSimDll, "serve", "--socket", socket], _dir.Path);
        await sim.WaitForLineAsync("listening on", Timeout);
        using var gateway = GatewayProcess.Start(_dir.Path,
        [
            $"--Gateway:DeviceId={Device}",
            $"--Gateway:StateDirectory={_dir.File("state")}",
            "--Gateway:Hardware:Backend=RemoteSimulator",
            $"--Gateway:Hardware:SimulatorSocket={socket}",
            "--Gateway:Sampling:Interval=300ms",
            "--Gateway:Listener:Http=127.0.0.1:0",
            $"--Gateway:Commands:Keys:operator:Secret={Convert.ToBase64String([.. Enumerable.Range(1, 32).Select(i => (byte)i)])}",
            "--Gateway:Commands:Keys:operator:Allow=status,output.set,output.get",
            $"--Gateway:Commands:Keys:operator:Token={OperatorToken}",
            $"--Gateway:Commands:Keys:viewer:Secret={Convert.ToBase64String([.. Enumerable.Range(101, 32).Select(i => (byte)i)])}",
            "--Gateway:Commands:Keys:viewer:Allow=ping,status",
            $"--Gateway:Commands:Keys:viewer:Token={ViewerToken}",
        ]);
        var listening = await gateway.WaitForLineAsync("Web console on http://", Timeout);
        var url = listening[listening.IndexOf("http://", StringComparison.Ordinal)..].Split(' ')[0];
        var origin = new Uri(url).GetLeftPart(UriPartial.Authority);
        Assert.Equal(0, RelayLevel(socket));

        using var browser = BrowserCheck.Start(new Dictionary<string, string>
        {
            ["GATEWAY_URL"] = url,
            ["VIEWER_TOKEN"] = ViewerToken,
            ["OPERATOR_TOKEN"] = OperatorToken,
            ["ARTIFACTS"] = artifacts,
        });

        var loaded = await browser.NextAsync("loaded", Timeout);
        Assert.Equal("Gateway console", loaded.GetProperty("title").GetString());
        Assert.True(loaded.GetProperty("consoleHidden").GetBoolean());

        var wrong = await browser.NextAsync("wrong-token", Timeout);
        Assert.Contains("not configured on this gateway", wrong.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.True(wrong.GetProperty("consoleHidden").GetBoolean());

        var live = await browser.NextAsync("viewer-live", Timeout);
        var charts = live.GetProperty("charts").EnumerateArray().ToList();
        Assert.Contains(charts, c => c.GetProperty("series").GetString() == "env/temperature" && c.GetProperty("points").GetInt32() >= 3);
        Assert.Contains(live.GetProperty("values").EnumerateArray(), v => v.GetString()!.Contains("°C", StringComparison.Ordinal));
        Assert.Contains(live.GetProperty("health").EnumerateArray(), h => h.GetString()!.StartsWith("envok", StringComparison.Ordinal));
        Assert.Contains("Pending", live.GetProperty("outbox").GetString(), StringComparison.Ordinal);
        Assert.Equal(string.Empty, live.GetProperty("cookieVisible").GetString()); // HttpOnly: no script sees the session
        Assert.Contains("“viewer”", live.GetProperty("session").GetString(), StringComparison.Ordinal);

        var reloaded = await browser.NextAsync("reloaded", Timeout);
        Assert.True(
            reloaded.GetProperty("pointsAfter").GetInt32() >= reloaded.GetProperty("pointsBefore").GetInt32(),
            $"after a reload the chart started with {reloaded.GetProperty("pointsAfter")} points, before it had {reloaded.GetProperty("pointsBefore")}");

        var refused = await browser.NextAsync("viewer-toggle", Timeout);
        Assert.Equal("not_allowed", refused.GetProperty("code").GetString());
        Assert.Contains("may not run 'output.set'", refused.GetProperty("text").GetString(), StringComparison.Ordinal);
        Assert.False(refused.GetProperty("checked").GetBoolean());
        Assert.Equal(0, RelayLevel(socket));
        await browser.ContinueAsync();

        var on = await browser.NextAsync("operator-on", Timeout);
        Assert.Equal("ok", on.GetProperty("code").GetString());
        Assert.Equal("relay is on (ok)", on.GetProperty("text").GetString());
        Assert.True(on.GetProperty("checked").GetBoolean());
        Assert.Equal(1, RelayLevel(socket));
        await browser.ContinueAsync();

        var off = await browser.NextAsync("operator-off", Timeout);
        Assert.Equal("ok", off.GetProperty("code").GetString());
        Assert.False(off.GetProperty("checked").GetBoolean());
        Assert.Equal(0, RelayLevel(socket));
        await browser.ContinueAsync();

        var done = await browser.NextAsync("done", Timeout);
        var requests = done.GetProperty("requests").EnumerateArray().Select(r => r.GetString()!).ToList();
        Assert.Contains(requests, r => r.StartsWith(origin.Replace("http://", "ws://", StringComparison.Ordinal) + "/ws", StringComparison.Ordinal));
        Assert.All(requests, r => Assert.True(new Uri(r).Authority == new Uri(origin).Authority, $"the page requested {r}, not on the gateway {origin}"));
        Assert.All(requests, r => Assert.DoesNotContain("token", r, StringComparison.OrdinalIgnoreCase));
        Assert.Empty(done.GetProperty("scriptErrors").EnumerateArray());
        // The browser logs the expected refusals (401 before login and for the wrong token) as failed loads; nothing else.
        Assert.All(done.GetProperty("consoleErrors").EnumerateArray(), e => Assert.Contains("status of 401", e.GetString(), StringComparison.Ordinal));
        var phone = done.GetProperty("phone");
        Assert.True(phone.GetProperty("scrollWidth").GetInt32() <= phone.GetProperty("width").GetInt32(), $"the page scrolls sideways on a phone: {phone}");
        Assert.Equal(0, await browser.WaitForExitAsync(Timeout));

        // Tokens are secrets: never in the gateway's log. The audit names the web console and the key.
        Assert.DoesNotContain(OperatorToken, gateway.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(ViewerToken, gateway.Output, StringComparison.Ordinal);
        var audit = await File.ReadAllTextAsync(Path.Combine(_dir.File("state"), "audit.log"), TestContext.Current.CancellationToken);
        Assert.Contains("web console", audit, StringComparison.Ordinal);
        foreach (var shot in new[] { "01-login", "02-wrong-token", "03-viewer-live", "03b-reloaded", "04-viewer-refused", "05-operator-on", "06-operator-off", "07-phone" })
        {
            Assert.True(new FileInfo(Path.Combine(artifacts, shot + ".png")).Length > 1000, $"screenshot {shot}.png missing");
        }

        gateway.Signal(Signals.SIGTERM);
        await gateway.WaitForExitAsync(Timeout);
        sim.Signal(Signals.SIGTERM);
        await sim.WaitForExitAsync(Timeout);
    }

    // The relay's line as the simulated board sees it (firmware-sim's sim.line, what `firmware-sim line 0 22` asks).
    private static int RelayLevel(string socket)
    {
        using var connection = new RemoteConnection(socket, TimeSpan.FromSeconds(5));
        return connection.Call(new RemoteRequest { Op = RemoteOps.SimLine, Chip = 0, Pin = 22 }, "web test").Value!.Value;
    }

    public void Dispose() => _dir.Dispose();
}
