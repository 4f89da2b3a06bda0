using Gateway.Configuration;
using Gateway.Systemd;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

namespace Gateway.Logging;

/// <summary>
/// Console logging as the situation needs it: journald's <c>&lt;N&gt;</c> priority prefixes under systemd
/// (the console logger's systemd formatter), one human-readable line per event otherwise, or JSON lines.
/// </summary>
internal static class GatewayLogging
{
    /// <summary>Replaces the logging providers with the console logger in the chosen format.</summary>
    public static ILoggingBuilder AddGatewayConsole(
        this ILoggingBuilder logging, IConfiguration configuration, LogFormat format, SystemdEnvironment systemd)
    {
        ArgumentNullException.ThrowIfNull(logging);
        ArgumentNullException.ThrowIfNull(systemd);
        logging.ClearProviders();
        logging.SetMinimumLevel(LogLevel.Information);
        logging.AddConfiguration(configuration.GetSection($"{GatewayOptions.SectionName}:Logging"));

        switch (Resolve(format, systemd))
        {
            case LogFormat.Systemd:
                // journald adds its own timestamps; the formatter writes "<6>Category[0] message" per line.
                logging.AddSystemdConsole(o => o.IncludeScopes = false);
                break;
            case LogFormat.Json:
                logging.AddJsonConsole(o =>
                {
                    o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
                    o.UseUtcTimestamp = true;
                });
                break;
            default:
                logging.AddSimpleConsole(o =>
                {
                    o.SingleLine = true;
                    o.TimestampFormat = "HH:mm:ss.fff ";
                    o.ColorBehavior = LoggerColorBehavior.Default;
                });
                break;
        }

        // Everything goes to one stream so that the journal keeps the order of events.
        logging.Services.Configure<ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.None);
        return logging;
    }

    /// <summary>The concrete format for <see cref="LogFormat.Auto"/>: journald's under systemd, simple otherwise.</summary>
    public static LogFormat Resolve(LogFormat format, SystemdEnvironment systemd)
    {
        ArgumentNullException.ThrowIfNull(systemd);
        return format == LogFormat.Auto ? (systemd.UnderSystemd ? LogFormat.Systemd : LogFormat.Simple) : format;
    }
}
