using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Gateway.Protocol;

namespace Gateway.IntegrationTests.Siege;

/// <summary>
/// The operator, working through the siege from 127.0.0.1: signed commands over the TCP listener (switching the
/// relay and reading it back, ping, status) and the UDP port (the same with the led), and the web console (logging in
/// afresh every few cycles, reading the relay, ping, the status page). Every command must be answered ok; a read-back
/// that does not match what the operator set means something else switched the output (a replay that ran). Each
/// signed command is "captured" for the replayers once it has been answered.
/// </summary>
internal sealed class SiegeOperator(SiegeGateway gateway, SiegeLedger ledger, SiegeSettings settings)
{
    public static readonly TimeSpan ResultTimeout = TimeSpan.FromSeconds(30);
    private int _ids;
    private int _webLogins;

    /// <summary>Logins of the operator on the web console that succeeded.</summary>
    public int WebLogins => Volatile.Read(ref _webLogins);

    private string NextId(string channel) => $"op-{channel}-{Interlocked.Increment(ref _ids):000000}";

    /// <summary>Commands over one TCP listener connection, opened before the siege begins.</summary>
    public async Task RunTcpAsync(Task<OperatorLine> connecting, CancellationToken token)
    {
        OperatorLine? line = await connecting;
        try
        {
            var on = false;
            for (var i = 0; i < settings.MaxIterations && !token.IsCancellationRequested; i++)
            {
                var (name, args, expectOn) = (i % 4) switch
                {
                    0 => ("output.set", SetArgs("relay", on = !on), (bool?)on),
                    1 => ("output.get", """{"output":"relay"}""", on),
                    2 => ("ping", null, null),
                    _ => ("status", null, (bool?)null),
                };
                var command = SiegeGateway.Sign(NextId("tcp"), name, args);
                ledger.CommandSent();
                if (i % 4 == 2)
                {
                    // As gwctl does: a new connection for one command. Slots held by others must not keep it out.
                    await SendOnFreshConnectionAsync(command, token);
                    await Pause(TimeSpan.FromMilliseconds(400), token);
                    continue;
                }

                if (line is null || line.Closed)
                {
                    line?.Dispose();
                    line = null;
                    try
                    {
                        line = await OperatorLine.ConnectAsync(gateway.TcpPort, token);
                        ledger.Outcome("operator tcp", "connection lost, connected again");
                    }
                    catch (Exception ex) when (LoopbackSources.IsHangUp(ex))
                    {
                        ledger.CommandFailed($"tcp {name} {command.Id}: the operator's connection was lost and a new one failed: {ex.Message}");
                        await Pause(TimeSpan.FromSeconds(1), token);
                        continue;
                    }
                }

                Check("tcp", command, await line.SendAsync(command, ResultTimeout), expectOn, "relay");
                await Pause(TimeSpan.FromMilliseconds(400), token);
            }
        }
        finally
        {
            line?.Dispose();
        }
    }

    private async Task SendOnFreshConnectionAsync(CommandMessage command, CancellationToken token)
    {
        try
        {
            using var fresh = await OperatorLine.ConnectAsync(gateway.TcpPort, token);
            var result = await fresh.SendAsync(command, ResultTimeout);
            if (result is null && fresh.Closed)
            {
                ledger.CommandFailed($"tcp {command.Name} {command.Id} on a new connection: closed before the result{(fresh.LastError is { } error ? $"; the gateway said {error}" : string.Empty)}");
                return;
            }

            Check("tcp (new connection)", command, result, null, "relay");
        }
        catch (Exception ex) when (LoopbackSources.IsHangUp(ex))
        {
            ledger.CommandFailed($"tcp {command.Name} {command.Id}: a new connection failed: {ex.Message}");
        }
    }

    /// <summary>Commands over the UDP command port, one datagram each; waiting for a result ends early on <paramref name="abort"/> (the gateway is gone).</summary>
    public async Task RunUdpAsync(CancellationToken token, CancellationToken abort)
    {
        using var udp = new UdpClient(new IPEndPoint(LoopbackSources.Operator, 0));
        var target = new IPEndPoint(IPAddress.Loopback, gateway.UdpPort);
        var on = false;
        for (var i = 0; i < settings.MaxIterations && !token.IsCancellationRequested; i++)
        {
            var (name, args, expectOn) = (i % 3) switch
            {
                0 => ("output.set", SetArgs("led", on = !on), (bool?)on),
                1 => ("output.get", """{"output":"led"}""", on),
                _ => ("ping", null, (bool?)null),
            };
            var command = SiegeGateway.Sign(NextId("udp"), name, args);
            ledger.CommandSent();
            await udp.SendAsync(Encoding.UTF8.GetBytes(MessageWriter.ToJson(command)), target, token);
            Check("udp", command, await ReceiveResultAsync(udp, command.Id, abort), expectOn, "led");
            await Pause(TimeSpan.FromMilliseconds(600), token);
        }
    }

    /// <summary>The web console: log in with the operator's token (a new connection and session every 10 cycles), read the relay, ping, poll the status.</summary>
    public async Task RunWebAsync(CancellationToken token)
    {
        HttpClient? client = null;
        try
        {
            for (var i = 0; i < settings.MaxIterations && !token.IsCancellationRequested; i++)
            {
                if (i % 10 == 0)
                {
                    if (client is not null)
                    {
                        await WebRequest(client, HttpMethod.Delete, "/api/session", null, "log out");
                        client.Dispose();
                    }

                    client = new HttpClient(LoopbackSources.HttpHandler(LoopbackSources.Operator, new CookieContainer()))
                    {
                        BaseAddress = new Uri($"http://127.0.0.1:{gateway.HttpPort}"),
                        Timeout = ResultTimeout,
                    };
                    if (await WebRequest(client, HttpMethod.Post, "/api/session", new JsonObject { ["token"] = SiegeGateway.OperatorToken }, "log in") is not null)
                    {
                        Interlocked.Increment(ref _webLogins);
                    }
                }

                var (name, args) = (i % 2) switch
                {
                    0 => ("output.get", new JsonObject { ["output"] = "relay" }),
                    _ => ("ping", (JsonObject?)null),
                };
                ledger.CommandSent();
                if (await WebCall(client!, HttpMethod.Post, "/api/command", new JsonObject { ["name"] = name, ["args"] = args }, name) is { } result)
                {
                    var ok = result["ok"]?.GetValue<bool>() ?? false;
                    var id = result["id"]?.GetValue<string>() ?? "?";
                    if (ok)
                    {
                        ledger.CommandOk(id, "web console");
                    }
                    else
                    {
                        ledger.CommandFailed($"web {name} {id}: {result["code"]}: {result["message"]}");
                    }
                }

                await WebRequest(client!, HttpMethod.Get, "/api/status", null, "status page");

                await Pause(TimeSpan.FromMilliseconds(700), token);
            }
        }
        finally
        {
            client?.Dispose();
        }
    }

    // A request that is not a command (log in, log out, the status page): counted apart from commands.
    private async Task<JsonObject?> WebRequest(HttpClient client, HttpMethod method, string path, JsonObject? body, string what)
    {
        ledger.RequestSent();
        var answer = await WebCall(client, method, path, body, what);
        if (answer is not null)
        {
            ledger.RequestOk();
        }

        return answer;
    }

    // One web exchange; anything but 200 with a JSON object is recorded as the operator's failure.
    private async Task<JsonObject?> WebCall(HttpClient client, HttpMethod method, string path, JsonObject? body, string what)
    {
        try
        {
            using var request = new HttpRequestMessage(method, path);
            if (body is not null)
            {
                request.Content = JsonContent.Create(body);
            }

            using var response = await client.SendAsync(request);
            var text = await response.Content.ReadAsStringAsync();
            if (response.StatusCode != HttpStatusCode.OK)
            {
                ledger.CommandFailed($"web {what}: HTTP {(int)response.StatusCode} {Shorten(text)}");
                return null;
            }

            return JsonNode.Parse(text) as JsonObject ?? new JsonObject();
        }
        catch (Exception ex) when (LoopbackSources.IsHangUp(ex) || ex is JsonException)
        {
            ledger.CommandFailed($"web {what}: {ex.GetType().Name}: {ex.Message}");
            return null;
        }
    }

    private void Check(string channel, CommandMessage command, ResultMessage? result, bool? expectOn, string output)
    {
        if (result is null)
        {
            ledger.CommandFailed($"{channel} {command.Name} {command.Id}: no result within {ResultTimeout.TotalSeconds:0}s");
            return;
        }

        if (!result.Ok || result.Duplicate)
        {
            ledger.CommandFailed($"{channel} {command.Name} {command.Id}: {(result.Ok ? "answered as a duplicate" : $"{result.Code}: {result.Message}")}");
            return;
        }

        if (expectOn is { } expected)
        {
            using var data = JsonDocument.Parse(result.Data ?? "{}");
            if (!data.RootElement.TryGetProperty("on", out var on) || on.ValueKind is not (JsonValueKind.True or JsonValueKind.False) || on.GetBoolean() != expected)
            {
                ledger.CommandFailed($"{channel} {command.Name} {command.Id}: the operator last set {output} {(expected ? "on" : "off")}, the gateway says {result.Data} (did a replay run?)");
                return;
            }
        }

        ledger.CommandOk(command.Id, channel);
        ledger.Capture(MessageWriter.ToJson(command));
    }

    private static async Task<ResultMessage?> ReceiveResultAsync(UdpClient udp, string id, CancellationToken abort)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(abort);
        limit.CancelAfter(ResultTimeout);
        try
        {
            while (true)
            {
                var datagram = await udp.ReceiveAsync(limit.Token);
                if (OperatorLine.TryParseResult(datagram.Buffer) is { } result && result.Id == id)
                {
                    return result;
                }
            }
        }
        catch (OperationCanceledException)
        {
            return null;
        }
    }

    private static string SetArgs(string output, bool on) => $$"""{"output":"{{output}}","on":{{(on ? "true" : "false")}}}""";

    private static string Shorten(string text) => text.Length > 300 ? text[..300] + "…" : text;

    private static async Task Pause(TimeSpan delay, CancellationToken token)
    {
        try
        {
            await Task.Delay(delay, token);
        }
        catch (OperationCanceledException)
        {
            // the siege is over
        }
    }
}

/// <summary>
/// The operator's console connection to the TCP listener: sends signed commands and picks their results out of the
/// stream of live readings, which it reads as fast as they come (a console that does not read is disconnected).
/// </summary>
internal sealed class OperatorLine : IDisposable
{
    private readonly Socket _socket;
    private readonly NetworkStream _stream;
    private readonly ConcurrentDictionary<string, TaskCompletionSource<ResultMessage>> _waiting = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stop = new();
    private readonly SemaphoreSlim _write = new(1, 1);
    private readonly Task _reading;

    private OperatorLine(Socket socket)
    {
        _socket = socket;
        _stream = new NetworkStream(socket, ownsSocket: true);
        _reading = Task.Run(ReadAsync);
    }

    /// <summary>True once the gateway closed the connection.</summary>
    public bool Closed { get; private set; }

    /// <summary>The last <c>error</c> line the gateway sent on this connection, if any.</summary>
    public string? LastError { get; private set; }

    /// <summary>Lines received that were not valid protocol messages (the gateway wrote something unparseable).</summary>
    public int Unparseable { get; private set; }

    public static async Task<OperatorLine> ConnectAsync(int port, CancellationToken token) =>
        new(await LoopbackSources.ConnectAsync(LoopbackSources.Operator, port, token));

    /// <summary>Sends <paramref name="command"/> and waits for its result; null after <paramref name="timeout"/> or if the connection closed.</summary>
    public async Task<ResultMessage?> SendAsync(CommandMessage command, TimeSpan timeout)
    {
        var waiter = new TaskCompletionSource<ResultMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
        _waiting[command.Id] = waiter;
        try
        {
            await _write.WaitAsync(timeout);
            try
            {
                await _stream.WriteAsync(Encoding.UTF8.GetBytes(MessageWriter.ToJson(command) + "\n"));
            }
            finally
            {
                _write.Release();
            }

            return await waiter.Task.WaitAsync(timeout);
        }
        catch (Exception ex) when (ex is TimeoutException or IOException or SocketException or ObjectDisposedException or OperationCanceledException)
        {
            return null;
        }
        finally
        {
            _waiting.TryRemove(command.Id, out _);
        }
    }

    /// <summary>A result message in <paramref name="bytes"/>, or null for anything else.</summary>
    public static ResultMessage? TryParseResult(ReadOnlySpan<byte> bytes)
    {
        if (bytes.IndexOf("\"type\":\"result\""u8) < 0)
        {
            return null;
        }

        return MessageParser.Parse(bytes) as ResultMessage;
    }

    private async Task ReadAsync()
    {
        try
        {
            using var reader = new StreamReader(_stream, Encoding.UTF8, false, 64 * 1024, leaveOpen: true);
            while (await reader.ReadLineAsync(_stop.Token) is { } line)
            {
                if (line.Contains("\"type\":\"error\"", StringComparison.Ordinal))
                {
                    LastError = line.Length > 300 ? line[..300] : line;
                }

                ResultMessage? result;
                try
                {
                    result = TryParseResult(Encoding.UTF8.GetBytes(line));
                }
                catch (Exception ex) when (ex is InvalidOperationException or FormatException or ArgumentException)
                {
                    Unparseable++;
                    continue;
                }

                if (result is not null && _waiting.TryGetValue(result.Id, out var waiter))
                {
                    waiter.TrySetResult(result);
                }
            }
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException or OperationCanceledException)
        {
            // closed by the gateway, or by us
        }

        Closed = true;
        foreach (var waiter in _waiting.Values)
        {
            waiter.TrySetException(new IOException("the gateway closed the operator's connection"));
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _socket.Dispose();
        _reading.Wait(TimeSpan.FromSeconds(5));
        _stop.Dispose();
        _write.Dispose();
    }
}
