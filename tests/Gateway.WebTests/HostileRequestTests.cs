using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Gateway.IntegrationTests.Infrastructure;

namespace Gateway.WebTests;

/// <summary>
/// What an attacker on the LAN tries against a real gateway's web console (issue 14): bodies no parser should
/// choke on, a rebound host name, token guessing, idle connections holding every slot. Each time the console
/// answers with a clear error, and the operator can still log in and act afterwards.
/// </summary>
public sealed class HostileRequestTests : IAsyncLifetime
{
    private const string OperatorToken = "operator-token-5d1c0e9b7a33";
    private const string ViewerToken = "viewer-token-8e2f4a6c1b09";
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private readonly TempDirectory _dir = new();
    private GatewayProcess? _gateway;
    private Uri _base = null!;

    public async ValueTask InitializeAsync()
    {
        _gateway = GatewayProcess.Start(_dir.Path,
        [
            "--Gateway:DeviceId=web-03",
            $"--Gateway:StateDirectory={_dir.File("state")}",
            "--Gateway:Listener:Http=127.0.0.1:0",
            $"--Gateway:Commands:Keys:operator:Secret={Convert.ToBase64String([.. Enumerable.Range(1, 32).Select(i => (byte)i)])}",
            "--Gateway:Commands:Keys:operator:Allow=status,output.set",
            $"--Gateway:Commands:Keys:operator:Token={OperatorToken}",
            $"--Gateway:Commands:Keys:viewer:Secret={Convert.ToBase64String([.. Enumerable.Range(101, 32).Select(i => (byte)i)])}",
            "--Gateway:Commands:Keys:viewer:Allow=ping,status",
            $"--Gateway:Commands:Keys:viewer:Token={ViewerToken}",
        ]);
        var line = await _gateway.WaitForLineAsync("Web console on http://", Timeout);
        _base = new Uri(line[line.IndexOf("http://", StringComparison.Ordinal)..].Split(' ')[0]);
    }

    public static TheoryData<string, string, string> BadBodies => new()
    {
        { "api/session", "{\"token\":\"\\ud800\"}", "surrogate" },
        { "api/session", "{\"token\":\"\\udfff-operator-token\"}", "surrogate" },
        { "api/session", "{\"token\":\"a-token-0123456789\",\"token\":\"b-token-0123456789\"}", "duplicate" },
        { "api/session", "{\"\\ud800\":1,\"token\":\"x\"}", "surrogate" },
        { "api/session", "[\"token\"]", "object" },
        { "api/session", "{\"token\":", "JSON" },
        { "api/session", new string('[', 3000) + new string(']', 3000), "deep" },
        { "api/command", "{\"name\":\"\\ud800\"}", "surrogate" },
        { "api/command", "{\"name\":\"output.set\",\"args\":{\"output\":\"led\",\"output\":\"relay\",\"on\":true}}", "duplicate" },
        { "api/command", "{\"name\":\"output.set\",\"args\":{\"output\":\"relay\",\"on\":true,\"note\":[\"\\udfff\"]}}", "surrogate" },
        { "api/command", "{\"name\":\"output.set\",\"name\":\"status\"}", "duplicate" },
        { "api/command", "{\"name\":\"ping\",\"args\":{\"n\":1e999999}}", "infinity" },
    };

    [Theory]
    [MemberData(nameof(BadBodies))]
    public async Task A_bad_json_body_gets_400_with_the_reason_and_the_console_keeps_working(string path, string body, string reason)
    {
        var ct = TestContext.Current.CancellationToken;
        using var handler = new HttpClientHandler { UseCookies = true, CookieContainer = new CookieContainer() };
        using var client = new HttpClient(handler) { BaseAddress = _base };
        if (path == "api/command")
        {
            using var login = await client.PostAsync("api/session", Json($"{{\"token\":\"{OperatorToken}\"}}"), ct);
            Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        }

        using var bad = await client.PostAsync(path, Json(body), ct);
        var text = await bad.Content.ReadAsStringAsync(ct);
        Assert.True(bad.StatusCode == HttpStatusCode.BadRequest, $"{(int)bad.StatusCode} for {body[..Math.Min(body.Length, 80)]}: {text}");
        using var error = JsonDocument.Parse(text);
        Assert.False(error.RootElement.GetProperty("ok").GetBoolean());
        Assert.Contains(reason, error.RootElement.GetProperty("message").GetString(), StringComparison.OrdinalIgnoreCase);

        // The console still works: the operator logs in and reads the status.
        using var again = await client.PostAsync("api/session", Json($"{{\"token\":\"{OperatorToken}\"}}"), ct);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        using var status = await client.GetAsync("api/status", ct);
        Assert.Equal(HttpStatusCode.OK, status.StatusCode);
        await _gateway!.WaitForLineAsync("Web console: bad request from 127.0.0.1", Timeout);
    }

    [Fact]
    public async Task A_page_served_for_another_host_name_cannot_log_in_or_command()
    {
        var ct = TestContext.Current.CancellationToken;
        using var handler = new HttpClientHandler { UseCookies = true, CookieContainer = new CookieContainer() };
        using var client = new HttpClient(handler) { BaseAddress = _base };
        var rebound = $"attacker.example:{_base.Port}";

        using var login = new HttpRequestMessage(HttpMethod.Post, "api/session") { Content = Json($"{{\"token\":\"{OperatorToken}\"}}") };
        login.Headers.Host = rebound;
        using var refused = await client.SendAsync(login, ct);
        Assert.Equal(HttpStatusCode.MisdirectedRequest, refused.StatusCode);
        Assert.Contains("attacker.example", await refused.Content.ReadAsStringAsync(ct), StringComparison.Ordinal);

        // Even with a session obtained properly, a request under the rebound name does nothing.
        using var ok = await client.PostAsync("api/session", Json($"{{\"token\":\"{OperatorToken}\"}}"), ct);
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        using var command = new HttpRequestMessage(HttpMethod.Post, "api/command") { Content = Json("{\"name\":\"output.set\",\"args\":{\"output\":\"relay\",\"on\":true}}") };
        command.Headers.Host = rebound;
        using var forged = await client.SendAsync(command, ct);
        Assert.Equal(HttpStatusCode.MisdirectedRequest, forged.StatusCode);

        // The names the console is bound under still work: the address literal and localhost.
        foreach (var host in new[] { $"127.0.0.1:{_base.Port}", $"localhost:{_base.Port}" })
        {
            using var own = new HttpRequestMessage(HttpMethod.Get, "api/status");
            own.Headers.Host = host;
            using var answer = await client.SendAsync(own, ct);
            Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        }
    }

    [Fact]
    public async Task Wrong_tokens_from_one_address_are_throttled_and_summarised_while_another_address_logs_in()
    {
        var ct = TestContext.Current.CancellationToken;
        using var attacker = new HttpClient { BaseAddress = _base };
        var codes = new List<HttpStatusCode>();
        RetryConditionHeaderValue? retryAfter = null;
        for (var i = 0; i < 30; i++)
        {
            using var guess = await attacker.PostAsync("api/session", Json($"{{\"token\":\"guess-{i:D4}-0123456789\"}}"), ct);
            codes.Add(guess.StatusCode);
            retryAfter ??= guess.Headers.RetryAfter;
        }

        Assert.Equal(HttpStatusCode.Unauthorized, codes[0]);
        Assert.True(codes.Count(c => c == HttpStatusCode.TooManyRequests) >= 15, $"answers: {string.Join(',', codes.Select(c => (int)c))}");
        Assert.NotNull(retryAfter?.Delta);

        // Throttled, even the right token waits: the lock-out is per address, not per guess. One more wrong token as
        // soon as the address may try again starts a lock-out of at least 2 s, and the right token right after it waits.
        for (var i = 0; i < 40; i++)
        {
            using var guess = await attacker.PostAsync("api/session", Json("{\"token\":\"one-more-guess-0123456789\"}"), ct);
            if (guess.StatusCode == HttpStatusCode.Unauthorized)
            {
                break;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(250), ct);
        }

        using var locked = await attacker.PostAsync("api/session", Json($"{{\"token\":\"{OperatorToken}\"}}"), ct);
        Assert.Equal(HttpStatusCode.TooManyRequests, locked.StatusCode);

        // The operator at another address is not affected.
        using var operatorClient = ClientFrom("127.0.0.2", new CookieContainer());
        using var login = await operatorClient.PostAsync("api/session", Json($"{{\"token\":\"{OperatorToken}\"}}"), ct);
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        await _gateway!.WaitForLineAsync("logged in with key operator", Timeout);

        // The log has a line for the first wrong token and a summary, not one line per guess.
        await _gateway.WaitForLineAsync("wrong access tokens from 127.0.0.1", Timeout);
        var lines = _gateway.Stdout.Count(l => l.Contains("wrong access token", StringComparison.Ordinal));
        Assert.True(lines <= 3, $"{lines} log lines about wrong tokens for 31 attempts:\n{_gateway.Output}");
    }

    [Fact]
    public async Task Idle_connections_from_one_address_do_not_lock_the_operator_out()
    {
        var ct = TestContext.Current.CancellationToken;
        var idle = new List<TcpClient>();
        try
        {
            for (var i = 0; i < 64; i++)
            {
                var tcp = new TcpClient(new IPEndPoint(IPAddress.Loopback, 0));
                idle.Add(tcp);
                try
                {
                    await tcp.ConnectAsync(IPAddress.Loopback, _base.Port, ct);
                }
                catch (SocketException)
                {
                    // refused: the address already holds all it may
                }
            }

            // Give the server time to accept them all, so they really hold what they can.
            await Task.Delay(TimeSpan.FromSeconds(1), ct);
            using var operatorClient = ClientFrom("127.0.0.2", new CookieContainer());
            operatorClient.Timeout = TimeSpan.FromSeconds(10);
            using var login = await operatorClient.PostAsync("api/session", Json($"{{\"token\":\"{OperatorToken}\"}}"), ct);
            Assert.Equal(HttpStatusCode.OK, login.StatusCode);
            using var status = await operatorClient.GetAsync("api/status", ct);
            Assert.Equal(HttpStatusCode.OK, status.StatusCode);
            await _gateway!.WaitForLineAsync("connections refused from 127.0.0.1", Timeout);
        }
        finally
        {
            foreach (var tcp in idle)
            {
                tcp.Dispose();
            }
        }
    }

    [Fact]
    public async Task Many_viewer_logins_do_not_log_the_operator_out()
    {
        var ct = TestContext.Current.CancellationToken;
        using var handler = new HttpClientHandler { UseCookies = true, CookieContainer = new CookieContainer() };
        using var operatorClient = new HttpClient(handler) { BaseAddress = _base };
        using var login = await operatorClient.PostAsync("api/session", Json($"{{\"token\":\"{OperatorToken}\"}}"), ct);
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);

        using var viewer = new HttpClient(new HttpClientHandler { UseCookies = false }) { BaseAddress = _base };
        for (var i = 0; i < 70; i++)
        {
            using var response = await viewer.PostAsync("api/session", Json($"{{\"token\":\"{ViewerToken}\"}}"), ct);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        using var status = await operatorClient.GetAsync("api/status", ct);
        Assert.Equal(HttpStatusCode.OK, status.StatusCode);
    }

    // A client whose connections come from another loopback address (all of 127.0.0.0/8 is this machine on Linux).
    private HttpClient ClientFrom(string local, CookieContainer cookies)
    {
        var handler = new SocketsHttpHandler
        {
            UseCookies = true,
            CookieContainer = cookies,
            ConnectCallback = async (context, token) =>
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                try
                {
                    socket.Bind(new IPEndPoint(IPAddress.Parse(local), 0));
                    await socket.ConnectAsync(context.DnsEndPoint, token);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        return new HttpClient(handler, disposeHandler: true) { BaseAddress = _base };
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
