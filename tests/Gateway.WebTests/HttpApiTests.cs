using System.Net;
using System.Net.WebSockets;
using System.Text;
using Gateway.IntegrationTests.Infrastructure;

namespace Gateway.WebTests;

/// <summary>The console's HTTP API without a browser: what a hostile page or a careless client would try.</summary>
public sealed class HttpApiTests : IAsyncLifetime
{
    private const string Token = "operator-token-5d1c0e9b7a33";
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private readonly TempDirectory _dir = new();
    private GatewayProcess? _gateway;
    private Uri _base = null!;

    public async ValueTask InitializeAsync()
    {
        _gateway = GatewayProcess.Start(_dir.Path,
        [
            "--Gateway:DeviceId=web-02",
            $"--Gateway:StateDirectory={_dir.File("state")}",
            "--Gateway:Listener:Http=127.0.0.1:0",
            "--Gateway:Sampling:Interval=200ms",
            $"--Gateway:Commands:Keys:operator:Secret={Convert.ToBase64String([.. Enumerable.Range(1, 32).Select(i => (byte)i)])}",
            "--Gateway:Commands:Keys:operator:Allow=status,output.set",
            $"--Gateway:Commands:Keys:operator:Token={Token}",
        ]);
        var line = await _gateway.WaitForLineAsync("Web console on http://", Timeout);
        _base = new Uri(line[line.IndexOf("http://", StringComparison.Ordinal)..].Split(' ')[0]);
    }

    [Fact]
    public async Task Logging_in_sets_an_HttpOnly_SameSite_Strict_cookie_and_never_echoes_the_token()
    {
        using var client = new HttpClient { BaseAddress = _base };
        using var response = await client.PostAsync("api/session", Json($"{{\"token\":\"{Token}\"}}"), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var cookie = Assert.Single(response.Headers.GetValues("Set-Cookie"));
        Assert.StartsWith("gw_session=", cookie, StringComparison.Ordinal);
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(Token, await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
        Assert.DoesNotContain(Token, _gateway!.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_token_in_the_URL_or_a_form_is_not_a_login()
    {
        using var client = new HttpClient { BaseAddress = _base };
        using var query = await client.PostAsync($"api/session?token={Token}", Json("{}"), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.BadRequest, query.StatusCode);
        using var form = await client.PostAsync("api/session", new FormUrlEncodedContent([new("token", Token)]), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, form.StatusCode);
        using var status = await client.GetAsync("api/status", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Unauthorized, status.StatusCode);
    }

    [Fact]
    public async Task Recent_gives_a_logged_in_page_the_last_ten_minutes_of_readings_from_the_outbox_oldest_first()
    {
        using var handler = new HttpClientHandler { UseCookies = true, CookieContainer = new CookieContainer() };
        using var client = new HttpClient(handler) { BaseAddress = _base };
        using (var anonymous = await client.GetAsync("api/recent", TestContext.Current.CancellationToken))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        }

        using var login = await client.PostAsync("api/session", Json($"{{\"token\":\"{Token}\"}}"), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        System.Text.Json.JsonElement readings;
        var deadline = DateTime.UtcNow + Timeout;
        do
        {
            await Task.Delay(300, TestContext.Current.CancellationToken);
            using var recent = await client.GetAsync("api/recent", TestContext.Current.CancellationToken);
            Assert.Equal(HttpStatusCode.OK, recent.StatusCode);
            using var body = System.Text.Json.JsonDocument.Parse(await recent.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
            Assert.Equal(600, body.RootElement.GetProperty("windowSeconds").GetInt32());
            readings = body.RootElement.GetProperty("readings").Clone();
        }
        while (readings.GetArrayLength() < 20 && DateTime.UtcNow < deadline);

        var seqs = readings.EnumerateArray().Select(r => r.GetProperty("seq").GetInt64()).ToList();
        Assert.True(seqs.Count >= 20, $"{seqs.Count} readings");
        Assert.Equal(seqs.Order(), seqs); // oldest first
        Assert.Equal(seqs.Count, seqs.Distinct().Count());
        foreach (var r in readings.EnumerateArray())
        {
            Assert.InRange(DateTimeOffset.Parse(r.GetProperty("ts").GetString()!, System.Globalization.CultureInfo.InvariantCulture), DateTimeOffset.UtcNow.AddMinutes(-10), DateTimeOffset.UtcNow.AddSeconds(5));
            Assert.False(string.IsNullOrEmpty(r.GetProperty("sensor").GetString()));
            Assert.NotEqual("health", r.GetProperty("quantity").GetString()); // readings only, not health changes
            Assert.Equal(System.Text.Json.JsonValueKind.Number, r.GetProperty("value").ValueKind);
        }
    }

    [Fact]
    public async Task Another_sites_page_cannot_command_even_with_a_session()
    {
        using var handler = new HttpClientHandler { UseCookies = true, CookieContainer = new CookieContainer() };
        using var client = new HttpClient(handler) { BaseAddress = _base };
        using var login = await client.PostAsync("api/session", Json($"{{\"token\":\"{Token}\"}}"), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);

        using var request = new HttpRequestMessage(HttpMethod.Post, "api/command") { Content = Json("{\"name\":\"output.set\",\"args\":{\"output\":\"relay\",\"on\":true}}") };
        request.Headers.Add("Origin", "http://evil.example");
        using var forged = await client.SendAsync(request, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Forbidden, forged.StatusCode);
        Assert.Contains("cross_origin", await forged.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);

        using var own = await client.PostAsync("api/command", Json("{\"name\":\"output.set\",\"args\":{\"output\":\"relay\",\"on\":true}}"), TestContext.Current.CancellationToken);
        var body = await own.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.Contains("\"ok\":true", body, StringComparison.Ordinal);
        Assert.Contains("\"was\":false", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Logging_out_ends_the_session()
    {
        using var handler = new HttpClientHandler { UseCookies = true, CookieContainer = new CookieContainer() };
        using var client = new HttpClient(handler) { BaseAddress = _base };
        using var login = await client.PostAsync("api/session", Json($"{{\"token\":\"{Token}\"}}"), TestContext.Current.CancellationToken);
        var session = handler.CookieContainer.GetCookies(_base)["gw_session"]!.Value;
        using var before = await client.GetAsync("api/status", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        using var logout = await client.DeleteAsync("api/session", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, logout.StatusCode);

        // The old cookie, replayed, is no longer a session.
        using var replay = new HttpClient { BaseAddress = _base };
        using var request = new HttpRequestMessage(HttpMethod.Get, "api/status");
        request.Headers.Add("Cookie", $"gw_session={session}");
        using var after = await replay.SendAsync(request, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Unauthorized, after.StatusCode);
    }

    [Fact]
    public async Task The_live_feed_needs_a_session_and_closes_when_it_ends()
    {
        var ws = new Uri(_base, "ws").ToString().Replace("http://", "ws://", StringComparison.Ordinal);
        using (var anonymous = new ClientWebSocket())
        {
            anonymous.Options.AddSubProtocol("gateway.v1");
            await Assert.ThrowsAsync<WebSocketException>(() => anonymous.ConnectAsync(new Uri(ws), TestContext.Current.CancellationToken));
        }

        using var handler = new HttpClientHandler { UseCookies = true, CookieContainer = new CookieContainer() };
        using var client = new HttpClient(handler) { BaseAddress = _base };
        using var login = await client.PostAsync("api/session", Json($"{{\"token\":\"{Token}\"}}"), TestContext.Current.CancellationToken);
        var session = handler.CookieContainer.GetCookies(_base)["gw_session"]!.Value;

        using var socket = new ClientWebSocket();
        socket.Options.AddSubProtocol("gateway.v1");
        socket.Options.SetRequestHeader("Cookie", $"gw_session={session}");
        await socket.ConnectAsync(new Uri(ws), TestContext.Current.CancellationToken);
        var buffer = new byte[64 * 1024];
        var hello = await socket.ReceiveAsync(buffer, TestContext.Current.CancellationToken);
        Assert.Contains("\"type\":\"hello\"", Encoding.UTF8.GetString(buffer, 0, hello.Count), StringComparison.Ordinal);

        using var logout = await client.DeleteAsync("api/session", TestContext.Current.CancellationToken);
        // Readings until the gateway cuts the feed off (it aborts the connection; the page then finds no session).
        using var limit = new CancellationTokenSource(Timeout);
        var cutOff = false;
        try
        {
            while (!cutOff)
            {
                cutOff = (await socket.ReceiveAsync(buffer, limit.Token)).MessageType == WebSocketMessageType.Close;
            }
        }
        catch (WebSocketException)
        {
            cutOff = true;
        }

        Assert.True(cutOff);
        Assert.False(limit.IsCancellationRequested);
    }

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");

    public async ValueTask DisposeAsync()
    {
        if (_gateway is not null)
        {
            _gateway.Signal(Signals.SIGTERM);
            await _gateway.WaitForExitAsync(Timeout);
            _gateway.Dispose();
        }

        _dir.Dispose();
    }
}
