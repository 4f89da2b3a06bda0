using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Gateway.FuzzTests.Engine;
using Gateway.IntegrationTests.Infrastructure;

namespace Gateway.FuzzTests.Targets;

/// <summary>
/// The web console's JSON API as a black box over HTTP, against a real gateway process with the console on and a
/// logged-in session: each input is the body of <c>POST /api/command</c>, <c>POST /api/session</c> (in turn).
/// Property: every answer is 2xx or 4xx with a JSON body (never 5xx), and the process stays up.
/// </summary>
internal sealed class WebConsoleTarget : IFuzzTarget, IDisposable
{
    private const string Token = "operator-token-fuzz-7c1d22";
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private readonly TempDirectory _dir = new();
    private readonly GatewayProcess _gateway;
    private readonly HttpClientHandler _handler = new() { UseCookies = true, CookieContainer = new CookieContainer() };
    private readonly HttpClient _client;
    private long _count;
    private string _previous = "(none)";

    public WebConsoleTarget()
    {
        _gateway = GatewayProcess.Start(_dir.Path,
        [
            "--Gateway:DeviceId=gw-01",
            $"--Gateway:StateDirectory={_dir.File("state")}",
            "--Gateway:Listener:Http=127.0.0.1:0",
            $"--Gateway:Commands:Keys:operator:Secret={Convert.ToBase64String(Engine.Corpus.Secret)}",
            "--Gateway:Commands:Keys:operator:Allow=status,output.set,output.get,ping",
            $"--Gateway:Commands:Keys:operator:Token={Token}",
            "--Gateway:Commands:RatePerLink=100000",
            "--Gateway:Commands:RatePerKey=100000",
        ]);
        var line = _gateway.WaitForLineAsync("Web console on http://", Timeout).GetAwaiter().GetResult();
        _client = new HttpClient(_handler) { BaseAddress = new Uri(line[line.IndexOf("http://", StringComparison.Ordinal)..].Split(' ')[0]), Timeout = Timeout };
        using var login = _client.PostAsync("api/session", Body(Encoding.UTF8.GetBytes($"{{\"token\":\"{Token}\"}}"))).GetAwaiter().GetResult();
        if (login.StatusCode != HttpStatusCode.OK)
        {
            throw new InvalidOperationException($"login failed: {(int)login.StatusCode}");
        }
    }

    public string Name => "web-console";

    public IReadOnlyList<byte[]> Corpus { get; } =
    [
        .. new[]
        {
            """{"name":"output.set","args":{"output":"relay","on":true}}""",
            """{"name":"status"}""",
            """{"name":"output.get","args":{"output":"relay"}}""",
            """{"name":"ping","args":{}}""",
            """{"token":"operator-token-fuzz-7c1d22"}""",
        }.Select(Encoding.UTF8.GetBytes),
    ];

    // The console's body limit is 8 KB; somewhat more, to see it refused.
    public int MaxInputBytes => 12 * 1024;

    public bool Synchronous => false;

    // The gateway is another process; this side only builds requests and reads answers.
    public long AllocationLimit(int length) => (4L * 1024 * 1024) + (64L * length);

    public string Run(byte[] input)
    {
        var path = _count++ % 4 == 3 ? "api/session" : "api/command";
        HttpResponseMessage sent;
        try
        {
            sent = _client.PostAsync(path, Body(input)).GetAwaiter().GetResult();
        }
        catch (HttpRequestException ex)
        {
            // The request got no answer at all: say why (the socket error) and what the answer before it was.
            throw new FuzzPropertyException($"{path}: no answer ({ex.HttpRequestError}: {ex.InnerException?.GetType().Name}: {ex.InnerException?.Message}); the answer before was {_previous}");
        }

        using var response = sent;
        var text = response.Content.ReadAsStringAsync().GetAwaiter().GetResult();
        var status = (int)response.StatusCode;
        if (status >= 500)
        {
            throw new FuzzPropertyException($"{path} answered {status}: {text}");
        }

        if (status >= 400)
        {
            try
            {
                using var json = JsonDocument.Parse(text);
            }
            catch (JsonException)
            {
                throw new FuzzPropertyException($"{path} answered {status} without a JSON body: {text}");
            }
        }

        if (!Running(_gateway.Id))
        {
            throw new FuzzPropertyException($"the gateway exited: {_gateway.Output}");
        }

        _previous = $"{path} {status}";
        return _previous;
    }

    public void Dispose()
    {
        _client.Dispose();
        _handler.Dispose();
        _gateway.Dispose();
        _dir.Dispose();
    }

    private static bool Running(int id)
    {
        try
        {
            using var process = System.Diagnostics.Process.GetProcessById(id);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false; // no such process any more
        }
    }

    private static ByteArrayContent Body(byte[] bytes)
    {
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return content;
    }
}
