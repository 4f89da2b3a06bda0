using System.Net;
using Gateway.Configuration;
using Gateway.Hosting;
using Gateway.Links;
using Gateway.Protocol.Transport;
using Gateway.Status;
using Microsoft.AspNetCore.Builder;
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
/// <c>Gateway:Listener:Metrics</c>: a listener of its own for <c>/metrics</c> and <c>/healthz</c> only
/// (<see cref="MetricsEndpoint"/>), for scraping a gateway that runs without the web console (which serves both too).
/// Everything else is 404 (another method on those paths 405); HTTP/1.1 only, with the console's connection and header
/// limits, including its per-address limit (<c>Gateway:Listener:HttpMaxConnectionsPerAddress</c>: one LAN host cannot
/// hold every slot and keep the scraper out). A busy port is logged with the key to change and the gateway goes on
/// without it.
/// </summary>
internal sealed partial class MetricsListenerService : IHostedService, IAsyncDisposable
{
    /// <summary>How long refused connections are counted per address before their summary is logged.</summary>
    public static readonly TimeSpan SummaryInterval = TimeSpan.FromSeconds(10);

    private readonly PeerEventSummary _refused = new();
    private readonly PerAddressConnections _perAddress;
    private readonly ITimer _summary; // armed by a first refusal only: an idle listener sets no timer
    private readonly HostEndpoint _endpoint;
    private readonly GatewayOptions _options;
    private readonly MetricsEndpoint _metrics;
    private readonly StatusBoard _board;
    private readonly ILogger<MetricsListenerService> _logger;
    private WebApplication? _app;

    /// <summary>Creates the listener.</summary>
    public MetricsListenerService(ListenerOptions listener, GatewayOptions options, MetricsEndpoint metrics, StatusBoard board, TimeProvider time, ILogger<MetricsListenerService> logger)
    {
        ArgumentNullException.ThrowIfNull(listener);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        _perAddress = new PerAddressConnections(options.Web.MaxConnections, options.Web.MaxConnectionsPerAddress, OnRefused);
        _summary = time.CreateTimer(_ => LogRefusedSummary(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _endpoint = listener.Metrics ?? throw new ArgumentException("Gateway:Listener:Metrics is not set", nameof(listener));
        _options = options;
        _metrics = metrics;
        _board = board;
        _logger = logger;
    }

    /// <summary>The metrics' address once listening (e.g. <c>http://127.0.0.1:9100/metrics</c>).</summary>
    public string? Url { get; private set; }

    /// <inheritdoc/>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var builder = EmbeddedWebApp.CreateBuilder();
        var web = _options.Web;
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Listen(_endpoint.BindAddress(), _endpoint.Port, listen =>
            {
                listen.Protocols = HttpProtocols.Http1;
                listen.Use(_perAddress.Use);
            });
            k.Limits.MaxConcurrentConnections = web.MaxConnections;
            k.Limits.MaxConcurrentUpgradedConnections = 0;
            k.Limits.KeepAliveTimeout = web.KeepAliveTimeout;
            k.Limits.RequestHeadersTimeout = web.RequestHeadersTimeout;
            k.Limits.MinResponseDataRate = new MinDataRate(bytesPerSecond: 240, gracePeriod: TimeSpan.FromSeconds(5));
            k.Limits.MaxRequestBodySize = 0;
            k.Limits.MaxRequestHeadersTotalSize = 16 * 1024;
            k.Limits.MaxRequestHeaderCount = 50;
            k.Limits.MaxRequestLineSize = 4 * 1024;
            k.AddServerHeader = false;
        });
        var app = builder.Build();
        app.Run(Handle);
        try
        {
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (IOException ex)
        {
            LogBindFailed(_logger, _endpoint, ex.Message);
            _board.SetFact("metrics", "metrics listener down");
            await app.DisposeAsync().ConfigureAwait(false);
            return;
        }

        _app = app;
        var bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault() ?? $"http://{_endpoint}";
        Url = bound.TrimEnd('/') + MetricsEndpoint.MetricsPath;
        LogListening(_logger, Url);
    }

    private async Task Handle(HttpContext context)
    {
        var response = context.Response;
        response.Headers.CacheControl = "no-store";
        response.Headers.XContentTypeOptions = "nosniff";
        await RequestErrorBoundary.RunAsync(context, async () =>
        {
            if (MetricsEndpoint.Serves(context.Request))
            {
                await _metrics.HandleAsync(context).ConfigureAwait(false);
                return;
            }

            var path = context.Request.Path.Value;
            response.StatusCode = path is MetricsEndpoint.MetricsPath or MetricsEndpoint.HealthzPath
                ? StatusCodes.Status405MethodNotAllowed
                : StatusCodes.Status404NotFound;
            response.ContentType = "text/plain; charset=utf-8";
            await response.WriteAsync(response.StatusCode == StatusCodes.Status404NotFound
                ? "not found: this listener serves /metrics and /healthz only\n"
                : "method not allowed: use GET or HEAD\n", context.RequestAborted).ConfigureAwait(false);
        }, ex => LogRequestFailed(_logger, ex, context.Request.Method, PeerText.Printable(context.Request.Path.Value), context.Connection.RemoteIpAddress?.ToString() ?? "?")).ConfigureAwait(false);
    }

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
        await _summary.DisposeAsync().ConfigureAwait(false);
        if (_app is not null)
        {
            await _app.DisposeAsync().ConfigureAwait(false);
        }
    }

    // A connection closed for its address: the first per address is logged at once and starts the summary interval;
    // the rest are counted and summarised when it ends.
    private void OnRefused(IPAddress? remote)
    {
        if (_refused.Record(remote))
        {
            LogConnectionRefused(_logger, PeerEventSummary.Name(remote), _options.Web.MaxConnectionsPerAddress);
            _summary.Change(SummaryInterval, Timeout.InfiniteTimeSpan);
        }
    }

    private void LogRefusedSummary()
    {
        foreach (var (address, count) in _refused.Flush())
        {
            LogRefusedCount(_logger, count, address, (long)SummaryInterval.TotalSeconds);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Metrics listener: connections refused from {Address}: it already holds {Limit}, the most one address may (Gateway:Listener:HttpMaxConnectionsPerAddress)")]
    private static partial void LogConnectionRefused(ILogger logger, string address, int limit);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Metrics listener: {Count} more connections refused from {Address} in the last {Seconds}s (too many from one address)")]
    private static partial void LogRefusedCount(ILogger logger, int count, string address, long seconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "Metrics on {Url} (and /healthz; Prometheus text, no session)")]
    private static partial void LogListening(ILogger logger, string url);

    [LoggerMessage(Level = LogLevel.Error, Message = "Metrics listener cannot listen on {Endpoint}: {Error}; choose a free address or port in Gateway:Listener:Metrics (or stop what holds it); the gateway goes on without it")]
    private static partial void LogBindFailed(ILogger logger, HostEndpoint endpoint, string error);

    [LoggerMessage(Level = LogLevel.Error, Message = "Metrics listener: {Method} {Path} from {Peer} failed; answered 500")]
    private static partial void LogRequestFailed(ILogger logger, Exception exception, string method, string path, string peer);
}
