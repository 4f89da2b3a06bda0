using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Systemd;

namespace Gateway.Systemd;

/// <summary>
/// Registers the gateway's sd_notify integration: the <see cref="SystemdEnvironment"/> read at start, the
/// <see cref="ISystemdNotifier"/>, and — whenever <c>NOTIFY_SOCKET</c> names a socket — the package's
/// <see cref="SystemdLifetime"/> as the host's lifetime (READY=1 after start, STOPPING=1 when stopping, graceful stop
/// on SIGTERM).
/// </summary>
/// <remarks>
/// Not the package's <c>AddSystemd</c>/<c>UseSystemd</c>: in 10.0.14 they activate only when the process is PID 1 with
/// <c>NOTIFY_SOCKET</c> or <c>LISTEN_PID</c> set, or when <c>/proc/&lt;parent&gt;/comm</c> reads <c>systemd</c>
/// (<c>SystemdHelpers.IsSystemdService</c>). A unit whose <c>ExecStart</c> goes through a wrapper (a shell, a
/// supervisor, <c>systemd-run</c>'s helpers, a test harness) has another parent and would never send READY=1, so a
/// <c>Type=notify</c> unit would time out starting. <c>NOTIFY_SOCKET</c> is what sd_notify(3) itself tests. They also
/// force the console logger's systemd format; the gateway chooses its log format itself (<c>Gateway:Logging:Format</c>,
/// <see cref="Logging.GatewayLogging"/>).
/// </remarks>
internal static class SystemdRegistration
{
    /// <summary>Adds the notifier for <paramref name="systemd"/>, and <see cref="SystemdLifetime"/> when it has a notify socket.</summary>
    public static IServiceCollection AddSystemdNotify(this IServiceCollection services, SystemdEnvironment systemd)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(systemd);
        services.AddSingleton(systemd);
        services.AddSingleton<ISystemdNotifier, SystemdNotifySocket>();
        if (systemd.NotifySocketAddress is not null)
        {
            // Replaces the ConsoleLifetime that the host builder registered (the last registration wins). SIGINT and
            // SIGQUIT, which SystemdLifetime leaves alone, still stop the gateway gracefully through GatewayHost's own
            // signal registrations.
            services.AddSingleton<IHostLifetime, SystemdLifetime>();
        }

        return services;
    }
}
