using System.Buffers;
using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Gateway.Commands;
using Gateway.Configuration;
using Gateway.Hosting;
using Gateway.Links;
using Gateway.Protocol;
using Gateway.Protocol.Commands;
using Gateway.Protocol.Transport;
using Gateway.Status;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Gateway.Web;

/// <summary>
/// The web console (<c>Gateway:Listener:Http</c>) on its own Kestrel listener: the embedded page and assets, a login
/// that trades an access token for an HttpOnly session cookie, <c>/api/status</c> (the <c>status</c> command's data),
/// <c>/api/recent</c> (the charts' last 10 minutes from the outbox), <c>/metrics</c> and <c>/healthz</c> (no session:
/// <see cref="MetricsEndpoint"/>),
/// <c>/api/command</c> (a command signed here with the session key's secret and run through the same
/// <see cref="CommandPipeline"/> as every link, so the key's allow-list, limits and audit apply) and <c>/ws</c>, the
/// listener protocol's live readings (<see cref="ListenerSession"/>, subprotocol <c>gateway.v1</c>) for a logged-in page.
/// </summary>
internal sealed partial class WebConsoleService : IHostedService, IAsyncDisposable
{
    /// <summary>The session cookie: HttpOnly (no script reads it), SameSite=Strict (no other site sends it).</summary>
    public const string CookieName = "gw_session";

    /// <summary>The link name commands from the page carry in the audit log.</summary>
    public const string LinkName = "web console";

    // Responses may only use this gateway: scripts, styles, images and connections from the page's own origin.
    private const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    private const int MaxBodyBytes = 8 * 1024;

    // Events from peers (wrong tokens, bad requests …) are logged once per address per interval, then summarised.
    private static readonly TimeSpan SummaryInterval = TimeSpan.FromSeconds(10);

    // How often an open live feed checks that its session still exists.
    private static readonly TimeSpan SessionCheck = TimeSpan.FromSeconds(2);

    private readonly ListenerOptions _listener;
    private readonly ListenerDirectory _directory;
    private readonly GatewayOptions _options;
    private readonly ConsoleSessions _sessions;
    private readonly ConsoleAssets _assets = new();
    private readonly CommandPipeline _commands;
    private readonly ICommandHandler _status;
    private readonly ListenerHost _live;
    private readonly StatusBoard _board;
    private readonly ILogger<WebConsoleService> _logger;
    private readonly Outbox.Outbox _outbox;
    private readonly MetricsEndpoint _metrics;

    // The charts' window (app.js WINDOW_MS), and the most rows looked through for it: 10 minutes of 7 quantities every
    // second is 4,200; a board sampling faster gets its latest 20,000.
    private static readonly TimeSpan RecentWindow = TimeSpan.FromMinutes(10);
    private const int RecentMax = 20_000;
    private readonly TimeProvider _time;
    private readonly LoginThrottle _throttle;
    private readonly PerAddressConnections _perAddress;
    private readonly PeerEventSummary _wrongTokens = new();
    private readonly PeerEventSummary _throttled = new();
    private readonly PeerEventSummary _lockouts = new();
    private readonly PeerEventSummary _badRequests = new();
    private readonly PeerEventSummary _misdirected = new();
    private readonly PeerEventSummary _refusedConnections = new();
    private readonly PeerEventSummary _failures = new();
    private AllowedHosts? _hosts;
    private ITimer? _summaryTimer;
    private readonly Dictionary<string, CommandSource> _sources = new(StringComparer.Ordinal);
    private readonly Lock _sourcesLock = new();
    private WebApplication? _app;

    /// <summary>Creates the console.</summary>
    public WebConsoleService(ListenerOptions listener, GatewayOptions options, CommandPipeline commands, IEnumerable<ICommandHandler> handlers, LiveFeed feed, StatusBoard board, ListenerDirectory directory, Outbox.Outbox outbox, MetricsEndpoint metrics, TimeProvider time, ILogger<WebConsoleService> logger)
    {
        _outbox = outbox;
        _metrics = metrics;
        _listener = listener;
        _directory = directory;
        _options = options;
        _sessions = new ConsoleSessions(options.Web, time);
        _commands = commands;
        _status = handlers.Single(h => h.Name == CommandNames.Status);
        // The same host as the TCP and WebSocket listeners. Only the total is limited here, as before: the page's
        // HTTP connections already have their per-address limit (Gateway:Listener:HttpMaxConnectionsPerAddress).
        _live = new ListenerHost(LinkName, listener with { MaxConnectionsPerAddress = listener.MaxConnections }, options, feed, commands, time, logger);
        _board = board;
        _logger = logger;
        _time = time;
        _throttle = new LoginThrottle(time);
        _perAddress = new PerAddressConnections(options.Web.MaxConnections, options.Web.MaxConnectionsPerAddress, OnConnectionRefused);
    }

    /// <summary>The page's address once listening (e.g. <c>http://127.0.0.1:8080/</c>).</summary>
    public string? Url { get; private set; }

    /// <inheritdoc/>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var endpoint = _listener.Http!;
        var address = endpoint.BindAddress();
        var builder = EmbeddedWebApp.CreateBuilder();
        var web = _options.Web;
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Listen(address, endpoint.Port, listen =>
            {
                listen.Protocols = HttpProtocols.Http1; // all the page needs; no h2c surface
                listen.Use(_perAddress.Use);
            });

            // Every slot has a time limit, so connections that never complete a request cannot hold the console
            // (issue 14, finding 8); one address can hold at most MaxConnectionsPerAddress of them (PerAddressConnections).
            k.Limits.MaxConcurrentConnections = web.MaxConnections;
            k.Limits.MaxConcurrentUpgradedConnections = _listener.MaxConnections;
            k.Limits.KeepAliveTimeout = web.KeepAliveTimeout;
            k.Limits.RequestHeadersTimeout = web.RequestHeadersTimeout;
            k.Limits.MinRequestBodyDataRate = new MinDataRate(bytesPerSecond: 240, gracePeriod: TimeSpan.FromSeconds(5));
            k.Limits.MinResponseDataRate = new MinDataRate(bytesPerSecond: 240, gracePeriod: TimeSpan.FromSeconds(5));
            k.Limits.MaxRequestBodySize = MaxBodyBytes;
            k.Limits.MaxRequestHeadersTotalSize = 16 * 1024;
            k.Limits.MaxRequestHeaderCount = 50;
            k.Limits.MaxRequestLineSize = 4 * 1024;
            k.AddServerHeader = false;
        });
        var app = builder.Build();
        app.UseWebSockets();
        app.Run(Handle);
        try
        {
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (IOException ex)
        {
            LogBindFailed(_logger, endpoint, ex.Message);
            _board.SetFact("web console", "web console down");
            await app.DisposeAsync().ConfigureAwait(false);
            return;
        }

        _app = app;
        var bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault() ?? $"http://{endpoint}";
        Url = bound.TrimEnd('/') + "/";
        _hosts = new AllowedHosts(address, new Uri(Url).Port, web.Hosts);
        _summaryTimer = _time.CreateTimer(_ => LogSummaries(), null, SummaryInterval, SummaryInterval);
        LogListening(_logger, Url, _assets.TotalBytes / 1024.0);
        if (!_sessions.AnyTokens)
        {
            LogNoTokens(_logger);
        }

        _board.SetFact("web console", $"web console on {Url}");
        _directory.Add(Url); // in the beacon's listeners, so 'gwctl discover' shows where the console is
    }

    // A connection closed by the per-address limit: the first per address per summary interval is logged, the rest counted.
    private void OnConnectionRefused(IPAddress? remote)
    {
        if (_refusedConnections.Record(remote))
        {
            LogConnectionRefused(_logger, PeerEventSummary.Name(remote), _options.Web.MaxConnectionsPerAddress);
        }
    }

    // Every request: the Host check, then the route; whatever goes wrong, a JSON answer and a log line, never a crash.
    private async Task Handle(HttpContext context)
    {
        var response = context.Response;
        response.Headers.ContentSecurityPolicy = ContentSecurityPolicy;
        response.Headers.XContentTypeOptions = "nosniff";
        response.Headers["Referrer-Policy"] = "no-referrer";
        response.Headers.CacheControl = "no-store";
        await RequestErrorBoundary.RunAsync(context, () => HandleChecked(context), ex =>
        {
            if (_failures.Record(context.Connection.RemoteIpAddress))
            {
                var path = PeerText.Printable(context.Request.Path.Value);
                LogRequestFailed(_logger, ex, context.Request.Method, path, Peer(context));
            }
        }).ConfigureAwait(false);
    }

    private async Task HandleChecked(HttpContext context)
    {
        try
        {
            if (_hosts is not { } hosts || !hosts.Allows(context.Request.Host.Host, context.Request.Host.Port))
            {
                await Misdirected(context).ConfigureAwait(false);
                return;
            }

            await Route(context).ConfigureAwait(false);
        }
        catch (Microsoft.AspNetCore.Http.BadHttpRequestException ex)
        {
            await BadRequest(context, ex.StatusCode, "bad_request", ex.Message).ConfigureAwait(false);
        }
    }

    private async Task Misdirected(HttpContext context)
    {
        var remote = context.Connection.RemoteIpAddress;
        var host = PeerText.Printable(context.Request.Host.Value);
        if (_misdirected.Record(remote))
        {
            LogMisdirected(_logger, Peer(context), host);
        }

        await Json(context, StatusCodes.Status421MisdirectedRequest, Error("wrong_host", $"this gateway's console does not answer to the name '{host}': open it by its address, or add the name to Gateway:Listener:HttpHosts")).ConfigureAwait(false);
    }

    private async Task Route(HttpContext context)
    {
        var request = context.Request;
        var response = context.Response;
        switch (request.Path.Value ?? "/")
        {
            case "/api/session" when HttpMethods.IsPost(request.Method):
                await Login(context).ConfigureAwait(false);
                return;
            case "/api/session" when HttpMethods.IsGet(request.Method):
                await WhoAmI(context).ConfigureAwait(false);
                return;
            case "/api/session" when HttpMethods.IsDelete(request.Method):
                await Logout(context).ConfigureAwait(false);
                return;
            case "/api/status" when HttpMethods.IsGet(request.Method):
                await Status(context).ConfigureAwait(false);
                return;
            case MetricsEndpoint.MetricsPath or MetricsEndpoint.HealthzPath when MetricsEndpoint.Serves(request):
                await _metrics.HandleAsync(context).ConfigureAwait(false);
                return;
            case "/api/recent" when HttpMethods.IsGet(request.Method):
                await Recent(context).ConfigureAwait(false);
                return;
            case "/api/command" when HttpMethods.IsPost(request.Method):
                await Command(context).ConfigureAwait(false);
                return;
            case WebSocketListenerService.Path:
                await Live(context).ConfigureAwait(false);
                return;
            case var path when path.StartsWith("/api/", StringComparison.Ordinal):
                await Json(context, StatusCodes.Status404NotFound, Error("not_found", $"no {request.Method} {path}")).ConfigureAwait(false);
                return;
            case var path when HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method):
                if (_assets.Find(path) is not { } asset)
                {
                    response.StatusCode = StatusCodes.Status404NotFound;
                    return;
                }

                response.ContentType = asset.ContentType;
                response.ContentLength = asset.Bytes.Length;
                if (HttpMethods.IsGet(request.Method))
                {
                    await response.Body.WriteAsync(asset.Bytes, context.RequestAborted).ConfigureAwait(false);
                }

                return;
            default:
                response.StatusCode = StatusCodes.Status405MethodNotAllowed;
                return;
        }
    }

    // POST /api/session {"token": "..."}: the token travels only in a body, never in a URL.
    // Wrong tokens are throttled per address (LoginThrottle): a locked-out address gets 429 and Retry-After before its
    // token is even read, and the log has the first wrong token per address per interval plus a summary.
    private async Task Login(HttpContext context)
    {
        var remote = context.Connection.RemoteIpAddress;
        if (_throttle.RetryAfter(remote) is { } wait)
        {
            _throttled.Record(remote);
            var seconds = (long)Math.Ceiling(wait.TotalSeconds);
            context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
            await Json(context, StatusCodes.Status429TooManyRequests, Error("too_many_attempts", string.Create(CultureInfo.InvariantCulture, $"too many wrong access tokens from this address: try again in {seconds} s"))).ConfigureAwait(false);
            return;
        }

        if (await ReadBody(context).ConfigureAwait(false) is not { } body)
        {
            return;
        }

        if (body["token"] is not JsonValue value || value.GetValueKind() != JsonValueKind.String || value.GetValue<string>() is not { Length: > 0 and <= 1024 } token)
        {
            await BadRequest(context, StatusCodes.Status400BadRequest, "bad_field", "send {\"token\": \"…\"}: the access token configured as Gateway:Commands:Keys:<id>:Token").ConfigureAwait(false);
            return;
        }

        var keyId = _sessions.KeyForToken(token.Trim());
        if (keyId is null || !_options.Commands.Keys.TryGetValue(keyId, out var key))
        {
            var lockout = _throttle.Failed(remote);
            if (_wrongTokens.Record(remote))
            {
                LogLoginRefused(_logger, Peer(context), (long)SummaryInterval.TotalSeconds);
            }

            if (lockout > TimeSpan.Zero && _lockouts.Record(remote))
            {
                LogLockedOut(_logger, PeerEventSummary.Name(remote), (long)Math.Ceiling(lockout.TotalSeconds));
            }

            await Json(context, StatusCodes.Status401Unauthorized, Error("wrong_token", "this access token is not configured on this gateway")).ConfigureAwait(false);
            return;
        }

        _throttle.Succeeded(remote);

        var session = _sessions.Open(keyId);
        context.Response.Cookies.Append(CookieName, session, new CookieOptions
        {
            HttpOnly = true,
            SameSite = SameSiteMode.Strict,
            Secure = context.Request.IsHttps,
            Path = "/",
            IsEssential = true,
        });
        var peer = Peer(context);
        LogLogin(_logger, keyId, peer);
        await Json(context, StatusCodes.Status200OK, Describe(key)).ConfigureAwait(false);
    }

    private async Task WhoAmI(HttpContext context)
    {
        if (!_sessions.AnyTokens)
        {
            await Json(context, StatusCodes.Status401Unauthorized, Error("no_tokens", "no access token is configured on this gateway: add Gateway:Commands:Keys:<id>:Token (README.md, Web console)")).ConfigureAwait(false);
            return;
        }

        if (await Authorize(context).ConfigureAwait(false) is { } key)
        {
            await Json(context, StatusCodes.Status200OK, Describe(key)).ConfigureAwait(false);
        }
    }

    private async Task Logout(HttpContext context)
    {
        if (!SameOrigin(context))
        {
            await Json(context, StatusCodes.Status403Forbidden, Error("cross_origin", "requests must come from this gateway's own page")).ConfigureAwait(false);
            return;
        }

        _sessions.Close(context.Request.Cookies[CookieName]);
        context.Response.Cookies.Delete(CookieName, new CookieOptions { Path = "/", HttpOnly = true, SameSite = SameSiteMode.Strict });
        await Json(context, StatusCodes.Status200OK, new JsonObject { ["ok"] = true }).ConfigureAwait(false);
    }

    // The status command's data, read directly rather than through the pipeline: the page polls it every few seconds
    // and a read-only poll would otherwise fill the audit log. The key must still allow 'status'.
    private async Task Status(HttpContext context)
    {
        if (await Authorize(context).ConfigureAwait(false) is not { } key)
        {
            return;
        }

        if (!key.Allow.Contains(CommandNames.Status))
        {
            await Json(context, StatusCodes.Status403Forbidden, Error(ResultCodes.NotAllowed, $"key '{key.Id}' may not run 'status'")).ConfigureAwait(false);
            return;
        }

        using var empty = JsonDocument.Parse("{}");
        var data = await _status.Prepare(new CommandArguments(empty.RootElement.Clone()))(context.RequestAborted).ConfigureAwait(false);
        await Json(context, StatusCodes.Status200OK, data).ConfigureAwait(false);
    }

    // GET /api/recent: the readings of the charts' window (the last 10 minutes) from the outbox, so a page opened or
    // reloaded starts with its charts filled; the live feed carries on from the last seq given. A session is enough,
    // as for the live feed itself.
    private async Task Recent(HttpContext context)
    {
        if (await Authorize(context).ConfigureAwait(false) is null)
        {
            return;
        }

        // Each reading exactly as the live feed writes it (ReadingEncoder), so the page takes both the same way.
        var rows = _outbox.Recent(RecentWindow, RecentMax);
        var encoder = new ReadingEncoder(_options.DeviceId);
        var body = new ArrayBufferWriter<byte>(256 + (rows.Count * 192));
        body.Write(System.Text.Encoding.ASCII.GetBytes($"{{\"windowSeconds\":{(long)RecentWindow.TotalSeconds},\"readings\":["));
        for (var i = 0; i < rows.Count; i++)
        {
            if (i > 0)
            {
                body.Write(","u8);
            }

            var r = rows[i];
            encoder.Write(r.Seq, r.Timestamp, r.SensorId, r.Quantity, r.Value, r.Unit, body);
        }

        body.Write("]}"u8);
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = "application/json; charset=utf-8";
        await context.Response.Body.WriteAsync(body.WrittenMemory, context.RequestAborted).ConfigureAwait(false);
    }

    // POST /api/command {"name": "output.set", "args": {...}}: signed here with the session key's secret; the pipeline
    // decides (allow-list, arguments, limits) and audits, and its result goes back to the page as it is.
    private async Task Command(HttpContext context)
    {
        if (await Authorize(context).ConfigureAwait(false) is not { } key)
        {
            return;
        }

        if (await ReadBody(context).ConfigureAwait(false) is not { } body)
        {
            return;
        }

        if (body["name"] is not JsonValue nameValue || nameValue.GetValueKind() != JsonValueKind.String || nameValue.GetValue<string>() is not { } name || !CommandFields.IsToken(name))
        {
            await BadRequest(context, StatusCodes.Status400BadRequest, ResultCodes.BadField, $"'name' is required: {CommandFields.TokenAllowed}").ConfigureAwait(false);
            return;
        }

        if (body["args"] is not (null or JsonObject))
        {
            await BadRequest(context, StatusCodes.Status400BadRequest, ResultCodes.BadField, "'args' must be a JSON object when present").ConfigureAwait(false);
            return;
        }

        // The arguments must have an RFC 8785 form to be signed: a number beyond a double (1e999999) has none.
        var args = body["args"]?.ToJsonString();
        try
        {
            CommandSigning.CanonicalArgs(args);
        }
        catch (FormatException ex)
        {
            await BadRequest(context, StatusCodes.Status400BadRequest, ResultCodes.BadField, $"'args': {ex.Message}").ConfigureAwait(false);
            return;
        }

        var command = CommandSigning.Create(key.Id, key.Secret, _options.DeviceId, $"web-{Guid.NewGuid():N}", name, args, DateTimeOffset.UtcNow, CommandSigning.NewNonce());
        var result = await _commands.HandleAsync(command, Source(key.Id, context), context.RequestAborted).ConfigureAwait(false);
        var json = new JsonObject { ["id"] = result.Id, ["name"] = name, ["ok"] = result.Ok, ["code"] = result.Code, ["message"] = result.Message };
        if (result.Data is not null)
        {
            json["data"] = JsonNode.Parse(result.Data);
        }

        await Json(context, StatusCodes.Status200OK, json).ConfigureAwait(false);
    }

    // GET /ws: the listener protocol's live readings, for a logged-in page only.
    private async Task Live(HttpContext context)
    {
        if (!context.WebSockets.IsWebSocketRequest || !context.WebSockets.WebSocketRequestedProtocols.Contains(WebSocketChannel.SubProtocol))
        {
            await Json(context, StatusCodes.Status400BadRequest, Error("bad_request", $"a WebSocket endpoint: connect with subprotocol {WebSocketChannel.SubProtocol}")).ConfigureAwait(false);
            return;
        }

        if (await Authorize(context).ConfigureAwait(false) is null)
        {
            return;
        }

        using var ended = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
        var watch = WatchSession(context.Request.Cookies[CookieName], ended);
        await _live.ServeWebSocketAsync(context, ended.Token).ConfigureAwait(false);
        await ended.CancelAsync().ConfigureAwait(false);
        await watch.ConfigureAwait(false);
    }

    // The live feed lasts only as long as its session: logging out (in any tab) or idling out closes it.
    private async Task WatchSession(string? sessionId, CancellationTokenSource ended)
    {
        try
        {
            while (!ended.IsCancellationRequested)
            {
                await Task.Delay(SessionCheck, ended.Token).ConfigureAwait(false);
                if (!_sessions.IsAlive(sessionId))
                {
                    await ended.CancelAsync().ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // the feed ended first
        }
    }

    // A live session and a request from this gateway's own page. SameSite=Strict already keeps the cookie off other
    // sites' requests; the Origin check covers WebSockets and older browsers as well.
    private async Task<CommandKey?> Authorize(HttpContext context)
    {
        if (!SameOrigin(context))
        {
            await Json(context, StatusCodes.Status403Forbidden, Error("cross_origin", "requests must come from this gateway's own page")).ConfigureAwait(false);
            return null;
        }

        var keyId = _sessions.Use(context.Request.Cookies[CookieName]);
        if (keyId is null || !_options.Commands.Keys.TryGetValue(keyId, out var key))
        {
            await Json(context, StatusCodes.Status401Unauthorized, Error("no_session", "log in with an access token (the session is missing or has expired)")).ConfigureAwait(false);
            return null;
        }

        return key;
    }

    private static bool SameOrigin(HttpContext context)
    {
        var origin = context.Request.Headers.Origin.ToString();
        return origin.Length == 0
            || (Uri.TryCreate(origin, UriKind.Absolute, out var o) && string.Equals(o.Authority, context.Request.Host.Value, StringComparison.OrdinalIgnoreCase));
    }

    // A JSON body (Content-Type application/json, which a cross-site form cannot send without a preflight), at most
    // MaxBodyBytes, parsed as hostile (JsonBody: one object, no duplicate names, valid Unicode). Null after answering
    // 400/403/413/415 itself.
    private async Task<JsonObject?> ReadBody(HttpContext context)
    {
        if (!SameOrigin(context))
        {
            await Json(context, StatusCodes.Status403Forbidden, Error("cross_origin", "requests must come from this gateway's own page")).ConfigureAwait(false);
            return null;
        }

        if (!(context.Request.ContentType ?? string.Empty).StartsWith("application/json", StringComparison.OrdinalIgnoreCase))
        {
            await BadRequest(context, StatusCodes.Status415UnsupportedMediaType, "bad_request", "send Content-Type: application/json").ConfigureAwait(false);
            return null;
        }

        // Kestrel refuses a body longer than MaxRequestBodySize (BadHttpRequestException, 413) while it is read.
        using var buffer = new MemoryStream();
        await context.Request.Body.CopyToAsync(buffer, context.RequestAborted).ConfigureAwait(false);
        if (!JsonBody.TryParse(buffer.GetBuffer().AsMemory(0, (int)buffer.Length), out var body, out var error))
        {
            await BadRequest(context, StatusCodes.Status400BadRequest, ErrorCodes.MalformedJson, error!).ConfigureAwait(false);
            return null;
        }

        return body;
    }

    // A 4xx for input that was wrong: the sender is told what, and the log has a line with the peer (the first per
    // address per interval; the rest are summarised by LogSummaries).
    private async Task BadRequest(HttpContext context, int status, string code, string message)
    {
        if (_badRequests.Record(context.Connection.RemoteIpAddress))
        {
            var peer = Peer(context);
            var path = PeerText.Printable(context.Request.Path.Value);
            var reason = PeerText.Printable(message);
            LogBadRequest(_logger, peer, context.Request.Method, path, status, reason, (long)SummaryInterval.TotalSeconds);
        }

        await Json(context, status, Error(code, message)).ConfigureAwait(false);
    }

    // One summary line per address and kind of event for the interval that ended: nothing counted goes unreported.
    private void LogSummaries()
    {
        var seconds = (long)SummaryInterval.TotalSeconds;
        foreach (var (summary, what) in new[]
        {
            (_wrongTokens, "wrong access tokens"), (_throttled, "logins refused while locked out"), (_lockouts, "lock-outs"),
            (_badRequests, "bad requests"), (_misdirected, "requests for other host names"),
            (_refusedConnections, "connections refused (too many from one address)"), (_failures, "failed requests (500)"),
        })
        {
            foreach (var (address, count) in summary.Flush())
            {
                LogSummary(_logger, count, what, address, seconds);
            }
        }
    }

    // One command source (rate limit, audit peer) per key and browser address: each request is its own HTTP exchange,
    // so the connection cannot be the source as it is on the other links.
    private CommandSource Source(string keyId, HttpContext context)
    {
        var peer = $"{context.Connection.RemoteIpAddress} (key {keyId})";
        lock (_sourcesLock)
        {
            if (!_sources.TryGetValue(peer, out var source))
            {
                if (_sources.Count >= 1_000)
                {
                    _sources.Clear(); // bounded: forgetting rate-limit state is harmless, growing without end is not
                }

                source = _commands.OpenSource(LinkName, peer);
                _sources[peer] = source;
            }

            return source;
        }
    }

    private JsonObject Describe(CommandKey key) => new()
    {
        ["key"] = key.Id,
        ["device"] = _options.DeviceId,
        ["allow"] = new JsonArray([.. key.Allow.Order(StringComparer.Ordinal).Select(a => (JsonNode)JsonValue.Create(a))]),
        ["outputs"] = new JsonArray([.. _options.Outputs.Select(o => (JsonNode)JsonValue.Create(o.Id))]),
        ["idleSeconds"] = (long)_options.Web.SessionIdle.TotalSeconds,
    };

    private static JsonObject Error(string code, string message) => new() { ["ok"] = false, ["code"] = code, ["message"] = message };

    private static async Task Json(HttpContext context, int status, JsonNode body)
    {
        if (status >= StatusCodes.Status400BadRequest)
        {
            await DrainRequestBody(context).ConfigureAwait(false);
        }

        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json; charset=utf-8";
        await context.Response.WriteAsync(body.ToJsonString(), context.RequestAborted).ConfigureAwait(false);
    }

    // A refusal sent before the request's body was read (429 before the token is looked at, 401, 421) left that body
    // on the connection, and Kestrel then closed the connection after the answer: a client that had already sent its
    // next request on it got no answer at all (found by the web console fuzz target: "the response ended prematurely"
    // after a 429). The body is read and discarded first; it is bounded by the console's body limit (8 KB) and its
    // minimum data rate, so this costs at most that. A body over the limit ends the connection, as Kestrel decides.
    private static async Task DrainRequestBody(HttpContext context)
    {
        try
        {
            await context.Request.Body.CopyToAsync(Stream.Null, context.RequestAborted).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is Microsoft.AspNetCore.Http.BadHttpRequestException or IOException or OperationCanceledException)
        {
            // Too large, too slow, or the client went away: nothing more to read; the answer still goes out if it can.
        }
    }

    private static string Peer(HttpContext context) => string.Create(CultureInfo.InvariantCulture, $"{context.Connection.RemoteIpAddress}:{context.Connection.RemotePort}");

    /// <inheritdoc/>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_app is not null)
        {
            await _app.StopAsync(cancellationToken).ConfigureAwait(false);
        }

        if (_summaryTimer is not null)
        {
            await _summaryTimer.DisposeAsync().ConfigureAwait(false);
            _summaryTimer = null;
            LogSummaries();
        }
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        if (_summaryTimer is not null)
        {
            await _summaryTimer.DisposeAsync().ConfigureAwait(false);
        }

        if (_app is not null)
        {
            await _app.DisposeAsync().ConfigureAwait(false);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Web console on {Url} (open it in a browser; page and assets {KiloBytes:0.0} KB, embedded)")]
    private static partial void LogListening(ILogger logger, string url, double kiloBytes);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Web console: no access token is configured, so nobody can log in; set Gateway:Commands:Keys:<id>:Token (README.md, Web console)")]
    private static partial void LogNoTokens(ILogger logger);

    [LoggerMessage(Level = LogLevel.Error, Message = "Web console cannot listen on {Endpoint}: {Error}; choose a free address or port in Gateway:Listener:Http (or stop what holds it); the gateway goes on without the console")]
    private static partial void LogBindFailed(ILogger logger, HostEndpoint endpoint, string error);

    [LoggerMessage(Level = LogLevel.Information, Message = "Web console: {Peer} logged in with key {Key}")]
    private static partial void LogLogin(ILogger logger, string key, string peer);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Web console: wrong access token from {Peer} (more from this address are counted and summarised every {Seconds} s)")]
    private static partial void LogLoginRefused(ILogger logger, string peer, long seconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Web console: logins from {Address} refused for {Seconds} s (too many failed in a row)")]
    private static partial void LogLockedOut(ILogger logger, string address, long seconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "Web console: bad request from {Peer}: {Method} {Path} answered {Status}: {Reason} (more from this address are summarised every {Seconds} s)")]
    private static partial void LogBadRequest(ILogger logger, string peer, string method, string path, int status, string reason, long seconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Web console: request from {Peer} for host '{Host}' refused with 421: not a name of this gateway (Gateway:Listener:HttpHosts)")]
    private static partial void LogMisdirected(ILogger logger, string peer, string host);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Web console: connections refused from {Address}: it already holds {Limit}, the most one address may (Gateway:Listener:HttpMaxConnectionsPerAddress)")]
    private static partial void LogConnectionRefused(ILogger logger, string address, int limit);

    [LoggerMessage(Level = LogLevel.Error, Message = "Web console: {Method} {Path} from {Peer} failed; answered 500, the console goes on")]
    private static partial void LogRequestFailed(ILogger logger, Exception exception, string method, string path, string peer);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Web console: {Count} more {What} from {Address} in the last {Seconds} s")]
    private static partial void LogSummary(ILogger logger, int count, string what, string address, long seconds);
}
