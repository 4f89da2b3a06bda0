using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text;
using Gateway.Configuration;
using Gateway.Health;
using Gateway.Metrics;
using Microsoft.AspNetCore.Http;

namespace Gateway.Web;

/// <summary>
/// <c>GET /metrics</c> (Prometheus text, version 0.0.4) and <c>GET /healthz</c>, for the web console's listener and
/// <c>Gateway:Listener:Metrics</c>. Neither needs a session: a scraper or a probe has none, and neither says more than
/// the figures and the status line (no readings, no keys, no link addresses). The series are the gateway's own
/// (<see cref="GatewayMetrics"/>, <see cref="GatewayMeter"/>) and the runtime's (<c>System.Runtime</c>: process memory,
/// CPU, GC, thread pool), collected by <see cref="MetricsCollector"/> and written by <see cref="PrometheusText"/>.
/// </summary>
internal sealed class MetricsEndpoint : IDisposable
{
    /// <summary>The path of the metrics.</summary>
    public const string MetricsPath = "/metrics";

    /// <summary>The path of the health check.</summary>
    public const string HealthzPath = "/healthz";

    // The runtime's built-in meter (.NET 9 and later; "Runtime metrics" in the .NET documentation).
    private const string RuntimeMeter = "System.Runtime";

    private readonly MetricsCollector _collector;
    private readonly HeartbeatRegistry _heartbeats;
    private readonly TimeSpan _heartbeatTimeout;
    private readonly Lock _scrape = new();
    private int _lastLength = 4096;

    /// <summary>Starts collecting (push instruments count from now on) from the host's meters and the runtime's.</summary>
    public MetricsEndpoint(IMeterFactory meters, GatewayMetrics gateway, HeartbeatRegistry heartbeats, GatewayOptions options)
    {
        ArgumentNullException.ThrowIfNull(gateway); // made first, so its instruments exist when the listener starts
        ArgumentNullException.ThrowIfNull(options);
        _heartbeats = heartbeats;
        _heartbeatTimeout = options.Watchdog.HeartbeatTimeout;
        _collector = new MetricsCollector(meter =>
            (meter.Name == GatewayMeter.Name && (meter.Scope is null || ReferenceEquals(meter.Scope, meters))) || meter.Name == RuntimeMeter);
    }

    /// <summary>True for the requests this endpoint answers (GET or HEAD of its two paths).</summary>
    public static bool Serves(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return request.Path.Value is MetricsPath or HealthzPath && (HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method));
    }

    /// <summary>The metrics as Prometheus text (pure but for the figures read).</summary>
    public string Text()
    {
        lock (_scrape)
        {
            var text = new StringBuilder(_lastLength + 1024);
            PrometheusText.Write(_collector.Collect(), text);
            _lastLength = text.Length;
            return text.ToString();
        }
    }

    /// <summary>Answers a request <see cref="Serves"/> accepted.</summary>
    public async Task HandleAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var response = context.Response;
        string body;
        if (context.Request.Path.Value == MetricsPath)
        {
            response.ContentType = PrometheusText.ContentType;
            body = Text();
        }
        else
        {
            // For a load balancer, a container's health check or a monitoring probe: 200 "ok" only while every
            // component's heartbeat is younger than Gateway:Watchdog:HeartbeatTimeout (the rule the systemd watchdog
            // follows), else 503 naming the silent one.
            response.ContentType = "text/plain; charset=utf-8";
            if (_heartbeats.TryFindStale(_heartbeatTimeout, out var name, out var silent))
            {
                response.StatusCode = StatusCodes.Status503ServiceUnavailable;
                body = string.Create(CultureInfo.InvariantCulture, $"unhealthy: heartbeat '{name}' silent for {silent.TotalSeconds:0.0}s (Gateway:Watchdog:HeartbeatTimeout {_heartbeatTimeout.TotalSeconds:0.#}s)\n");
            }
            else
            {
                body = "ok\n";
            }
        }

        if (!HttpMethods.IsHead(context.Request.Method))
        {
            await response.WriteAsync(body, context.RequestAborted).ConfigureAwait(false);
        }
    }

    /// <inheritdoc/>
    public void Dispose() => _collector.Dispose();
}
