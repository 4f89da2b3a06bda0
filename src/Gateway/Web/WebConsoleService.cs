using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Gateway.Commands;
using Gateway.Configuration;
using Gateway.Links;
using Gateway.Protocol;
using Gateway.Protocol.Commands;
using Gateway.Status;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Gateway.Web;

/// <summary>
/// The web console (<c>Gateway:Listener:Http</c>) on its own Kestrel listener: the embedded page and assets, a login
/// that trades an access token for an HttpOnly session cookie, <c>/api/status</c> (the <c>status</c> command's data),
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

    // How often an open live feed checks that its session still exists.
    private static readonly TimeSpan SessionCheck = TimeSpan.FromSeconds(2);

    private readonly ListenerOptions _listener;
    private readonly GatewayOptions _options;
    private readonly ConsoleSessions _sessions;
    private readonly ConsoleAssets _assets = new();
    private readonly CommandPipeline _commands;
    private readonly ICommandHandler _status;
    private readonly LiveFeed _feed;
    private readonly Outbox.Outbox _outbox;
    private readonly StatusBoard _board;
    private readonly ILogger<WebConsoleService> _logger;
    private readonly Dictionary<string, CommandSource> _sources = new(StringComparer.Ordinal);
    private readonly Lock _sourcesLock = new();
    private WebApplication? _app;
    private int _sockets;

    /// <summary>Creates the console.</summary>
    public WebConsoleService(ListenerOptions listener, GatewayOptions options, CommandPipeline commands, IEnumerable<ICommandHandler> handlers, LiveFeed feed, Outbox.Outbox outbox, StatusBoard board, TimeProvider time, ILogger<WebConsoleService> logger)
    {
        _listener = listener;
        _options = options;
        _sessions = new ConsoleSessions(options.Web, time);
        _commands = commands;
        _status = handlers.Single(h => h.Name == CommandNames.Status);
        _feed = feed;
        _outbox = outbox;
        _board = board;
        _logger = logger;
    }

    /// <summary>The page's address once listening (e.g. <c>http://127.0.0.1:8080/</c>).</summary>
    public string? Url { get; private set; }

    /// <inheritdoc/>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var endpoint = _listener.Http!;
        var address = endpoint.BindAddress();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Listen(address, endpoint.Port);
            k.Limits.MaxConcurrentConnections = _listener.MaxConnections * 4;
            k.Limits.MaxRequestBodySize = MaxBodyBytes;
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
        LogListening(_logger, Url, _assets.TotalBytes / 1024.0);
        if (!_sessions.AnyTokens)
        {
            LogNoTokens(_logger);
        }

        _board.SetFact("web console", $"web console on {Url}");
    }

    private async Task Handle(HttpContext context)
    {
        var request = context.Request;
        var response = context.Response;
        response.Headers.ContentSecurityPolicy = ContentSecurityPolicy;
        response.Headers.XContentTypeOptions = "nosniff";
        response.Headers["Referrer-Policy"] = "no-referrer";
        response.Headers.CacheControl = "no-store";
        try
        {
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
        catch (BadHttpRequestException ex)
        {
            await Json(context, ex.StatusCode, Error("bad_request", ex.Message)).ConfigureAwait(false);
        }
    }

    // POST /api/session {"token": "..."}: the token travels only in a body, never in a URL.
    private async Task Login(HttpContext context)
    {
        if (await ReadBody(context).ConfigureAwait(false) is not { } body)
        {
            return;
        }

        if (body["token"] is not JsonValue value || !value.TryGetValue<string>(out var token) || token.Length is 0 or > 1024)
        {
            await Json(context, StatusCodes.Status400BadRequest, Error("bad_field", "send {\"token\": \"…\"}: the access token configured as Gateway:Commands:Keys:<id>:Token")).ConfigureAwait(false);
            return;
        }

        var keyId = _sessions.KeyForToken(token.Trim());
        if (keyId is null || !_options.Commands.Keys.TryGetValue(keyId, out var key))
        {
            var refused = Peer(context);
            LogLoginRefused(_logger, refused);
            // A pause on every wrong token makes guessing slow without keeping any state per peer.
            await Task.Delay(TimeSpan.FromMilliseconds(300), context.RequestAborted).ConfigureAwait(false);
            await Json(context, StatusCodes.Status401Unauthorized, Error("wrong_token", "this access token is not configured on this gateway")).ConfigureAwait(false);
            return;
        }

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

        if (body["name"] is not JsonValue nameValue || !nameValue.TryGetValue<string>(out var name) || !CommandFields.IsToken(name))
        {
            await Json(context, StatusCodes.Status400BadRequest, Error(ResultCodes.BadField, $"'name' is required: {CommandFields.TokenAllowed}")).ConfigureAwait(false);
            return;
        }

        if (body["args"] is not (null or JsonObject))
        {
            await Json(context, StatusCodes.Status400BadRequest, Error(ResultCodes.BadField, "'args' must be a JSON object when present")).ConfigureAwait(false);
            return;
        }

        var command = CommandSigning.Create(key.Id, key.Secret, _options.DeviceId, $"web-{Guid.NewGuid():N}", name, body["args"]?.ToJsonString(), DateTimeOffset.UtcNow, CommandSigning.NewNonce());
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
        if (!context.WebSockets.IsWebSocketRequest || !context.WebSockets.WebSocketRequestedProtocols.Contains(WebSocketUpstreamLink.SubProtocol))
        {
            await Json(context, StatusCodes.Status400BadRequest, Error("bad_request", $"a WebSocket endpoint: connect with subprotocol {WebSocketUpstreamLink.SubProtocol}")).ConfigureAwait(false);
            return;
        }

        if (await Authorize(context).ConfigureAwait(false) is null)
        {
            return;
        }

        if (Interlocked.Increment(ref _sockets) > _listener.MaxConnections)
        {
            Interlocked.Decrement(ref _sockets);
            context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            return;
        }

        try
        {
            using var socket = await context.WebSockets.AcceptWebSocketAsync(WebSocketUpstreamLink.SubProtocol).ConfigureAwait(false);
            await using var stream = new WebSocketLineStream(socket, _listener.MaxLineLength);
            using var session = new ListenerSession(stream, _feed, _commands, LinkName, _options, _listener, _logger, Peer(context));
            using var ended = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
            var watch = WatchSession(context.Request.Cookies[CookieName], ended);
            await session.RunAsync(_outbox.LastCommitted + 1, ended.Token).ConfigureAwait(false);
            await ended.CancelAsync().ConfigureAwait(false);
            await watch.ConfigureAwait(false);
        }
        finally
        {
            Interlocked.Decrement(ref _sockets);
        }
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
    // MaxBodyBytes. Null after answering 400/403/415 itself.
    private static async Task<JsonObject?> ReadBody(HttpContext context)
    {
        if (!SameOrigin(context))
        {
            await Json(context, StatusCodes.Status403Forbidden, Error("cross_origin", "requests must come from this gateway's own page")).ConfigureAwait(false);
            return null;
        }

        if (!(context.Request.ContentType ?? string.Empty).StartsWith("application/json", StringComparison.OrdinalIgnoreCase))
        {
            await Json(context, StatusCodes.Status415UnsupportedMediaType, Error("bad_request", "send Content-Type: application/json")).ConfigureAwait(false);
            return null;
        }

        try
        {
            return await JsonNode.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted).ConfigureAwait(false) as JsonObject
                ?? throw new JsonException("the body is not a JSON object");
        }
        catch (JsonException ex)
        {
            await Json(context, StatusCodes.Status400BadRequest, Error(ErrorCodes.MalformedJson, $"the body is not a JSON object: {ex.Message}")).ConfigureAwait(false);
            return null;
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
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json; charset=utf-8";
        await context.Response.WriteAsync(body.ToJsonString(), context.RequestAborted).ConfigureAwait(false);
    }

    private static string Peer(HttpContext context) => string.Create(CultureInfo.InvariantCulture, $"{context.Connection.RemoteIpAddress}:{context.Connection.RemotePort}");

    /// <inheritdoc/>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_app is not null)
        {
            await _app.StopAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync().ConfigureAwait(false);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Web console on {Url} (open it in a browser; page and assets {KiloBytes:0.0} KB, embedded)")]
    private static partial void LogListening(ILogger logger, string url, double kiloBytes);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Web console: no access token is configured, so nobody can log in; set Gateway:Commands:Keys:<id>:Token (README.md, Web console)")]
    private static partial void LogNoTokens(ILogger logger);

    [LoggerMessage(Level = LogLevel.Error, Message = "Web console cannot listen on {Endpoint}: {Error}")]
    private static partial void LogBindFailed(ILogger logger, HostEndpoint endpoint, string error);

    [LoggerMessage(Level = LogLevel.Information, Message = "Web console: {Peer} logged in with key {Key}")]
    private static partial void LogLogin(ILogger logger, string key, string peer);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Web console: {Peer} sent a wrong access token")]
    private static partial void LogLoginRefused(ILogger logger, string peer);
}
