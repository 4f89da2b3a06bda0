using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Gateway.IntegrationTests.Siege;

/// <summary>
/// Hostile use of the web console's HTTP API: wrong access tokens; bad JSON bodies on the login (lone surrogates,
/// duplicate names, deep nesting, huge numbers, invalid UTF-8, not an object, wrong content type, too large, a
/// foreign Host); a viewer, logged in, posting bad command bodies; and idle or slow keep-alive connections. Each
/// from its own loopback address, paced. Every HTTP status is counted per kind: a 500 is a failure the test reports.
/// </summary>
internal sealed class WebConsoleAttacker(int port, SiegeLedger ledger, SiegeSettings settings)
{
    private const string Channel = "web console";
    private static readonly TimeSpan Hold = TimeSpan.FromSeconds(30);

    /// <summary>Logins with wrong tokens, as fast as the answers come (each loop at most 10 a second).</summary>
    public async Task WrongTokensAsync(int loop, CancellationToken token)
    {
        using var client = Client(LoopbackSources.WebSender);
        for (var i = 0; i < settings.MaxIterations && !token.IsCancellationRequested; i++)
        {
            await Post(client, "/api/session", "application/json", Encoding.UTF8.GetBytes($$"""{"token":"wrong-token-{{loop}}-{{i:000000}}-guess"}"""), "wrong token", token);
            if (!await Paced.WaitAsync(TimeSpan.FromMilliseconds(100), token))
            {
                break;
            }
        }
    }

    /// <summary>Bad bodies and headers on the login, in turn.</summary>
    public async Task BadBodiesAsync(CancellationToken token)
    {
        (string Kind, string ContentType, byte[] Body, string? Host)[] cases =
        [
            (HostilePayloads.LoneSurrogate, "application/json", """{"token":"\ud800"}"""u8.ToArray(), null),
            (HostilePayloads.LoneSurrogate, "application/json", """{"\udfff":"x"}"""u8.ToArray(), null),
            (HostilePayloads.DuplicateNames, "application/json", Encoding.UTF8.GetBytes($$"""{"token":"wrong-token-duplicate","token":"{{SiegeGateway.ViewerToken}}"}"""), null),
            (HostilePayloads.DeepNesting, "application/json", Encoding.UTF8.GetBytes(new string('[', 8000)), null),
            (HostilePayloads.DeepNesting, "application/json", Encoding.UTF8.GetBytes("{\"token\":" + new string('[', 7000)), null),
            (HostilePayloads.HugeNumber, "application/json", """{"token":1e999999}"""u8.ToArray(), null),
            (HostilePayloads.HugeNumber, "application/json", Encoding.UTF8.GetBytes("{\"token\":" + new string('9', 7000) + "}"), null),
            (HostilePayloads.InvalidUtf8, "application/json", [.. "{\"token\":\""u8, 0xC0, 0xAF, 0xED, 0xA0, 0x80, .. "\"}"u8], null),
            (HostilePayloads.Garbage, "application/json", "[]"u8.ToArray(), null),
            (HostilePayloads.Garbage, "application/json", "null"u8.ToArray(), null),
            (HostilePayloads.Garbage, "application/json", [], null),
            (HostilePayloads.Garbage, "text/plain", """{"token":"wrong-token-plain-text"}"""u8.ToArray(), null),
            (HostilePayloads.Oversized, "application/json", Encoding.UTF8.GetBytes($$"""{"token":"{{new string('x', 20_000)}}"}"""), null),
            ("foreign Host (DNS rebinding)", "application/json", """{"token":"wrong-token-rebinding"}"""u8.ToArray(), "attacker.example"),
        ];
        var included = cases.Where(c => settings.Includes(c.Kind)).ToArray();
        using var client = Client(LoopbackSources.WebSender);
        for (var i = 0; i < settings.MaxIterations && !token.IsCancellationRequested && included.Length > 0; i++)
        {
            var (kind, type, body, host) = included[i % included.Length];
            await Post(client, "/api/session", type, body, kind, token, host);
            if (!await Paced.WaitAsync(TimeSpan.FromMilliseconds(150), token))
            {
                break;
            }
        }
    }

    /// <summary>A viewer (a real, low-privilege token) logs in and posts bad command bodies and commands it may not run.</summary>
    public async Task ViewerBadCommandsAsync(CancellationToken token)
    {
        (string Kind, byte[] Body)[] cases =
        [
            (HostilePayloads.LoneSurrogate, """{"name":"ping","args":{"note":"\ud800"}}"""u8.ToArray()),
            (HostilePayloads.LoneSurrogate, """{"name":"\udbff"}"""u8.ToArray()),
            (HostilePayloads.DuplicateNames, """{"name":"ping","name":"output.set","args":{"output":"relay","on":true}}"""u8.ToArray()),
            (HostilePayloads.DuplicateNames, """{"name":"ping","args":{"a":1,"a":2}}"""u8.ToArray()),
            (HostilePayloads.DeepNesting, Encoding.UTF8.GetBytes("{\"name\":\"ping\",\"args\":" + new StringBuilder().Insert(0, "{\"a\":", 1500) + "1" + new string('}', 1501))),
            (HostilePayloads.HugeNumber, """{"name":"ping","args":{"n":1e999999}}"""u8.ToArray()),
            (HostilePayloads.InvalidUtf8, [.. "{\"name\":\"ping\",\"args\":{\"n\":\""u8, 0xFF, .. "\"}}"u8]),
            ("not allowed for the viewer", """{"name":"output.set","args":{"output":"relay","on":true}}"""u8.ToArray()),
            (HostilePayloads.Garbage, """{"name":"ping","args":[1,2,3]}"""u8.ToArray()),
        ];
        var included = cases.Where(c => settings.Includes(c.Kind)).ToArray();
        using var client = Client(LoopbackSources.Viewer, new CookieContainer());
        var loggedIn = false;
        for (var i = 0; i < settings.MaxIterations && !token.IsCancellationRequested && included.Length > 0; i++)
        {
            if (!loggedIn)
            {
                loggedIn = await Post(client, "/api/session", "application/json", Encoding.UTF8.GetBytes($$"""{"token":"{{SiegeGateway.ViewerToken}}"}"""), "viewer login", token) == HttpStatusCode.OK;
            }
            else
            {
                var (kind, body) = included[i % included.Length];
                loggedIn = await Post(client, "/api/command", "application/json", body, $"viewer command: {kind}", token) != HttpStatusCode.Unauthorized;
            }

            if (!await Paced.WaitAsync(TimeSpan.FromMilliseconds(200), token))
            {
                break;
            }
        }
    }

    /// <summary>
    /// Up to <paramref name="count"/> connections held <see cref="Hold"/> and replaced: half make one whole request and
    /// then sit idle (keep-alive), half send half a request and then a header line every 10 s (slow headers).
    /// </summary>
    public async Task HoldIdleAsync(int count, CancellationToken token)
    {
        var held = new Queue<(Socket Socket, DateTime Opened)>();
        try
        {
            for (var i = 0; i < settings.MaxIterations && !token.IsCancellationRequested; i++)
            {
                while (held.Count > 0 && DateTime.UtcNow - held.Peek().Opened > Hold)
                {
                    held.Dequeue().Socket.Dispose();
                }

                if (held.Count < count)
                {
                    try
                    {
                        var socket = await LoopbackSources.ConnectAsync(LoopbackSources.WebIdleHolder, port, token);
                        held.Enqueue((socket, DateTime.UtcNow));
                        var keepAlive = i % 2 == 0;
                        var request = $"GET /api/session HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n{(keepAlive ? "\r\n" : string.Empty)}";
                        await socket.SendAsync(Encoding.ASCII.GetBytes(request), SocketFlags.None, token);
                        ledger.Hostile(Channel, keepAlive ? "idle keep-alive connection" : "slow-headers connection");
                    }
                    catch (Exception ex) when (LoopbackSources.IsHangUp(ex))
                    {
                        ledger.Outcome(Channel, "idle connection refused");
                    }
                }

                if (i % 20 == 0)
                {
                    foreach (var (socket, _) in held)
                    {
                        try
                        {
                            await socket.SendAsync("X-Slow: 1\r\n"u8.ToArray(), SocketFlags.None, token);
                        }
                        catch (Exception ex) when (LoopbackSources.IsHangUp(ex))
                        {
                            ledger.Outcome(Channel, "slow connection dropped");
                        }
                    }
                }

                if (!await Paced.WaitAsync(TimeSpan.FromMilliseconds(500), token))
                {
                    break;
                }
            }
        }
        finally
        {
            while (held.Count > 0)
            {
                held.Dequeue().Socket.Dispose();
            }
        }
    }

    private HttpClient Client(IPAddress source, CookieContainer? cookies = null) => new(LoopbackSources.HttpHandler(source, cookies))
    {
        BaseAddress = new Uri($"http://127.0.0.1:{port}"),
        Timeout = TimeSpan.FromSeconds(30),
    };

    private async Task<HttpStatusCode?> Post(HttpClient client, string path, string contentType, byte[] body, string kind, CancellationToken token, string? host = null)
    {
        ledger.Hostile(Channel, kind);
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new ByteArrayContent(body) };
            request.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);
            if (host is not null)
            {
                request.Headers.Host = host;
            }

            using var response = await client.SendAsync(request, token);
            ledger.Outcome(Channel, $"{kind}: HTTP {(int)response.StatusCode}");
            return response.StatusCode;
        }
        catch (Exception ex) when (LoopbackSources.IsHangUp(ex))
        {
            ledger.Outcome(Channel, $"{kind}: {(token.IsCancellationRequested ? "siege over" : "no answer")}");
            return null;
        }
    }
}
