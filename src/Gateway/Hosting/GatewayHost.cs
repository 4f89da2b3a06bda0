using System.Reflection;
using System.Runtime.InteropServices;
using Gateway.Configuration;
using Gateway.Hardware;
using Gateway.Health;
using Gateway.Logging;
using Gateway.Sampling;
using Gateway.Status;
using Gateway.Systemd;
using Gateway.Timing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Gateway.Hosting;

/// <summary>
/// Start-up: parses the command line, assembles and validates the configuration (exit 78 naming every bad key),
/// builds the Generic Host with the gateway's services and runs it until SIGTERM or Ctrl-C.
/// </summary>
internal static partial class GatewayHost
{
    /// <summary>The gateway's version as shown by --version and in the start-up log.</summary>
    public static string Version { get; } =
        typeof(GatewayHost).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]
        ?? "0.0.0";

    /// <summary>Runs the gateway; returns the process exit code.</summary>
    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr)
    {
        var commandLine = CommandLine.Parse(args);
        if (commandLine.Error is { } usageError)
        {
            await stderr.WriteLineAsync($"gateway: {usageError}").ConfigureAwait(false);
            return ExitCodes.Usage;
        }

        if (commandLine.ShowHelp)
        {
            await stdout.WriteLineAsync(CommandLine.Usage).ConfigureAwait(false);
            return ExitCodes.Ok;
        }

        if (commandLine.ShowVersion)
        {
            await stdout.WriteLineAsync($"gateway {Version}").ConfigureAwait(false);
            return ExitCodes.Ok;
        }

        var workingDirectory = Environment.CurrentDirectory;
        var configuration = new ConfigurationManager();
        IReadOnlyList<string> files;
        try
        {
            files = configuration.AddGatewaySources(commandLine, AppContext.BaseDirectory, workingDirectory);
        }
        catch (Exception ex) when (ex is FileNotFoundException or InvalidDataException or FormatException or IOException)
        {
            // A missing --config file, a file that is not valid JSON, or one that cannot be read.
            await stderr.WriteLineAsync($"gateway: invalid configuration: {Describe(ex)}").ConfigureAwait(false);
            return ExitCodes.Config;
        }

        var read = GatewayOptionsReader.Read(configuration, workingDirectory);
        if (read.Problems.Count > 0)
        {
            foreach (var problem in read.Problems)
            {
                await stderr.WriteLineAsync($"gateway: invalid configuration: {problem}").ConfigureAwait(false);
            }

            await stderr.WriteLineAsync($"gateway: {read.Problems.Count} configuration problem(s); not starting (exit {ExitCodes.Config})").ConfigureAwait(false);
            return ExitCodes.Config;
        }

        var options = read.Options;
        if (!TryCreateStateDirectory(options.StateDirectory, out var stateError))
        {
            await stderr.WriteLineAsync($"gateway: invalid configuration: {GatewayOptions.SectionName}:StateDirectory: '{options.StateDirectory}' cannot be created: {stateError}").ConfigureAwait(false);
            return ExitCodes.Config;
        }

        if (UnwritableState(options) is { } unwritable)
        {
            await stderr.WriteLineAsync($"gateway: {unwritable}; not starting (exit {ExitCodes.CantCreate})").ConfigureAwait(false);
            return ExitCodes.CantCreate;
        }

        // SIGTERM or Ctrl-C before the host's own handlers are in place (while starting) still means a graceful
        // stop, not death by signal: the host is started with this token and stops as soon as it is cancelled.
        using var earlyStop = new CancellationTokenSource();
        using var onTerm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, StopEarly);
        using var onInt = PosixSignalRegistration.Create(PosixSignal.SIGINT, StopEarly);
        using var onQuit = PosixSignalRegistration.Create(PosixSignal.SIGQUIT, StopEarly);

        IHardwareBoard board;
        try
        {
            // The simulated board's edge pump runs on the sampler's thread (SchedulerTimeProvider.Sampling).
            board = BoardFactory.Create(options.Hardware, SchedulerTimeProvider.Sampling);
        }
        catch (Exception ex) when (ex is FormatException or IOException or UnauthorizedAccessException)
        {
            await stderr.WriteLineAsync($"gateway: invalid configuration: {GatewayOptions.SectionName}:Hardware:Scenario: {ex.Message}").ConfigureAwait(false);
            return ExitCodes.Config;
        }

        using var ownedBoard = board;
        var systemd = SystemdEnvironment.FromProcess();
        using var host = Build(configuration, options, systemd, board);

        // Identity first on the status line; components add their figures after it.
        var status = host.Services.GetRequiredService<StatusBoard>();
        status.SetFact("device", options.DeviceId);
        status.SetFact("hardware", $"{options.Hardware.Backend} hardware");
        var logger = host.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Gateway");
        LogStarting(logger, Version, options.DeviceId, board.Description, options.StateDirectory, options.Sampling.Interval.TotalSeconds,
            files.Count == 0 ? "built-in defaults only" : string.Join(", ", files),
            systemd.NotifySocketAddress is null ? "off" : "on", systemd.WatchdogInterval is null ? "off" : "on");
        foreach (var key in read.UnknownKeys)
        {
            LogUnknownKey(logger, key);
        }

        // Taken now: RunAsync disposes the service provider when it returns, and the failures are read after it.
        var hostedServices = host.Services.GetServices<IHostedService>().ToList();
        try
        {
            await host.RunAsync(earlyStop.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (earlyStop.IsCancellationRequested)
        {
            // Stopped by a signal while starting: the host has stopped what it had started.
        }
        catch (Outbox.OutboxUnavailableException ex)
        {
            // Not damage to the file (that is moved aside): the disk or folder refuses writes. The file is left alone.
            LogCannotWriteState(logger, ex.Message, ExitCodes.CantCreate);
            await stderr.WriteLineAsync($"gateway: {ex.Message}; not starting (exit {ExitCodes.CantCreate})").ConfigureAwait(false);
            return ExitCodes.CantCreate;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogCrashed(logger, ex);
            return ExitCodes.Failure;
        }

        // Only a stop signal is a requested stop (exit 0); the host stopping by itself means something failed, and a
        // non-zero exit lets systemd's Restart=on-failure bring the gateway back.
        var requested = earlyStop.IsCancellationRequested;
        var failures = StopCause.Failures(hostedServices);
        foreach (var failure in failures)
        {
            if (requested)
            {
                LogFailedWhileStopping(logger, failure.Component, failure.Cause.Message, failure.Cause);
            }
            else
            {
                LogComponentFailed(logger, failure.Component, failure.Cause.Message, ExitCodes.Failure, failure.Cause);
            }
        }

        if (!requested && failures.Count == 0)
        {
            LogStoppedUnasked(logger, ExitCodes.Failure);
        }

        var code = StopCause.ExitCode(requested);
        LogStopped(logger, code);
        return code;

        void StopEarly(PosixSignalContext context)
        {
            context.Cancel = true;
            earlyStop.Cancel();
        }
    }

    private static IHost Build(ConfigurationManager configuration, GatewayOptions options, SystemdEnvironment systemd, IHardwareBoard board)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings
        {
            Configuration = configuration,
            ContentRootPath = AppContext.BaseDirectory,
            ApplicationName = "Gateway",
        });

        builder.Logging.AddGatewayConsole(configuration, options.Logging.Format, systemd);
        var services = builder.Services;
        services.Configure<HostOptions>(o =>
        {
            o.ShutdownTimeout = options.ShutdownTimeout;
            o.BackgroundServiceExceptionBehavior = BackgroundServiceExceptionBehavior.StopHost;
        });

        // Without a notify socket the host's console lifetime turns SIGTERM, SIGINT and SIGQUIT into a graceful stop (with
        // one, AddSystemdNotify puts SystemdLifetime in its place). Under systemd the journal already records start and
        // stop; the console lifetime's "Press Ctrl+C" lines are for people running it by hand.
        services.Configure<ConsoleLifetimeOptions>(o => o.SuppressStatusMessages = systemd.UnderSystemd);

        services.AddSingleton(options);
        services.AddSystemdNotify(systemd);
        services.AddSingleton<TimeProvider>(SchedulerTimeProvider.Shared);
        services.AddSingleton(sp => new HeartbeatRegistry(sp.GetRequiredService<TimeProvider>(), options.Watchdog.HeartbeatTimeout));
        services.AddSingleton<StatusBoard>();

        services.AddSingleton(options.Outbox);
        services.AddSingleton<Outbox.Outbox>();
        services.AddSingleton(board);
        // The bindings' conversion waits and the sensor loops' slots run on the sampler's own thread (issue 15: a
        // sampling round then wakes one thread, not the pool's workers); its heartbeat stays on the process's timers, so
        // a read stuck on that thread is still seen (SamplerService.FindStuck).
        services.AddSingleton(sp => new SensorFactory(sp.GetRequiredService<IHardwareBoard>(), SchedulerTimeProvider.Sampling, sp.GetRequiredService<ILogger<SensorFactory>>()));
        services.AddSingleton<ISensorFactory>(sp => sp.GetRequiredService<SensorFactory>());
        services.AddSingleton<LatestReadings>();
        services.AddSingleton<IReadingSink>(sp => new ReadingFanout(sp.GetRequiredService<Outbox.Outbox>(), sp.GetRequiredService<LatestReadings>()));
        services.AddSingleton(sp => new SamplerService(
            options, sp.GetRequiredService<ISensorFactory>(), sp.GetRequiredService<IReadingSink>(), sp.GetRequiredService<HeartbeatRegistry>(),
            sp.GetRequiredService<StatusBoard>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILoggerFactory>(), SchedulerTimeProvider.Sampling));
        services.AddSingleton<OutputService>();

        // Commands: one pipeline for every link, with the built-in commands.
        services.AddSingleton(options.Commands);
        services.AddSingleton(options.Listener);
        services.AddSingleton<Links.LinkRegistry>();
        services.AddSingleton<Links.ListenerDirectory>();
        services.AddSingleton(sp => new Commands.AuditLog(options.StateDirectory, options.Commands.AuditMaxBytes, options.Commands.AuditFiles, sp.GetRequiredService<ILogger<Commands.AuditLog>>()));
        services.AddSingleton<Commands.ICommandHandler, Commands.BuiltIn.PingCommand>();
        services.AddSingleton<Commands.ICommandHandler, Commands.BuiltIn.StatusCommand>();
        services.AddSingleton<Commands.ICommandHandler, Commands.BuiltIn.OutputSetCommand>();
        services.AddSingleton<Commands.ICommandHandler, Commands.BuiltIn.OutputGetCommand>();
        services.AddSingleton<Commands.ICommandHandler, Commands.BuiltIn.SensorReadCommand>();
        services.AddSingleton<Commands.ICommandHandler, Commands.BuiltIn.SamplingSetCommand>();
        services.AddSingleton<Commands.ICommandHandler, Commands.BuiltIn.LinkReconnectCommand>();
        services.AddSingleton<Commands.ICommandHandler, Commands.BuiltIn.ConfigGetCommand>();
        services.AddSingleton<Commands.CommandPipeline>();

        // Order matters: the status service subscribes to the status board before anything sets facts; the
        // outbox starts before and stops after everything that feeds it (stop runs in reverse order); outputs are
        // put in their safe state before sampling starts and after it stops.
        services.AddHostedService<SystemdStatusService>();
        services.AddHostedService<StatusPhaseService>();
        services.AddHostedService<Outbox.OutboxService>();
        services.AddHostedService(sp => sp.GetRequiredService<OutputService>());
        services.AddHostedService<WatchdogService>();
        services.AddHostedService(sp => sp.GetRequiredService<SamplerService>());
        // AddSingleton, not AddHostedService: the latter skips a second registration of the same type, and every
        // link of a kind is its own hosted service.
        foreach (var tcp in options.Upstream.Tcp)
        {
            services.AddSingleton<IHostedService>(sp => Link(sp, ActivatorUtilities.CreateInstance<Links.TcpUpstreamLink>(sp, tcp)));
        }

        foreach (var ws in options.Upstream.WebSocket)
        {
            services.AddSingleton<IHostedService>(sp => Link(sp, ActivatorUtilities.CreateInstance<Links.WebSocketUpstreamLink>(sp, ws)));
        }

        if (options.Listener.Tcp is not null || options.Listener.WebSocket is not null || options.Listener.Http is not null)
        {
            services.AddSingleton<Links.LiveFeed>();
            services.AddHostedService(sp => sp.GetRequiredService<Links.LiveFeed>());
        }

        if (options.Listener.Tcp is not null)
        {
            services.AddHostedService<Links.TcpListenerService>();
        }

        if (options.Listener.Udp is not null)
        {
            services.AddHostedService<Links.UdpCommandService>();
        }

        if (options.Listener.WebSocket is not null)
        {
            services.AddHostedService<Links.WebSocketListenerService>();
        }

        if (options.Listener.Http is not null || options.Listener.Metrics is not null)
        {
            // The figures /metrics reads (on the web console's listener and on Gateway:Listener:Metrics); made only when
            // something serves them.
            services.AddMetrics();
            services.AddSingleton<Metrics.GatewayMetrics>();
            services.AddSingleton<Web.MetricsEndpoint>();
        }

        if (options.Listener.Metrics is not null)
        {
            services.AddHostedService<Web.MetricsListenerService>();
        }

        if (options.Listener.Http is not null)
        {
            services.AddHostedService<Web.WebConsoleService>();
        }

        foreach (var mqtt in options.Upstream.Mqtt)
        {
            services.AddSingleton<IHostedService>(sp => sp.GetRequiredService<Links.LinkRegistry>().Add(ActivatorUtilities.CreateInstance<Links.Mqtt.MqttUpstreamLink>(sp, mqtt)));
        }

        foreach (var http in options.Upstream.Http)
        {
            services.AddSingleton<IHostedService>(sp => sp.GetRequiredService<Links.LinkRegistry>().Add(ActivatorUtilities.CreateInstance<Links.Http.HttpLineProtocolLink>(sp, http)));
        }

        foreach (var udp in options.Upstream.Udp)
        {
            services.AddSingleton<IHostedService>(sp => sp.GetRequiredService<Links.LinkRegistry>().Add(ActivatorUtilities.CreateInstance<Links.UdpBroadcastLink>(sp, udp)));
        }

        if (options.Logging.Summary is { } summary)
        {
            services.AddHostedService(sp => new ActivitySummaryService(summary, ActivitySnapshots.Reader(sp), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<ActivitySummaryService>>()));
        }

        if (options.Diagnostics.FailAfter is not null)
        {
            services.AddHostedService<InjectedFailureService>();
        }

        return builder.Build();

        // An upstream link runs the upstream's commands and shows in status.
        static Links.UpstreamLink Link(IServiceProvider sp, Links.UpstreamLink link)
        {
            link.Commands = sp.GetRequiredService<Commands.CommandPipeline>();
            return sp.GetRequiredService<Links.LinkRegistry>().Add(link);
        }
    }

    // The state directory and the outbox's folder (Gateway:Outbox:Path may point elsewhere) must take new files.
    private static string? UnwritableState(GatewayOptions options)
    {
        if (StateDirectoryCheck.WhyNotWritable(options.StateDirectory) is { } reason)
        {
            return $"{GatewayOptions.SectionName}:StateDirectory '{options.StateDirectory}' is read-only ({reason}): the outbox, its seq reservation and the audit log are written there; mount it read-write, make it writable for this user, or choose another folder";
        }

        var outboxFolder = Path.GetDirectoryName(options.Outbox.Path);
        if (outboxFolder is not null && !string.Equals(Path.TrimEndingDirectorySeparator(outboxFolder), Path.TrimEndingDirectorySeparator(options.StateDirectory), StringComparison.Ordinal)
            && Directory.Exists(outboxFolder) && StateDirectoryCheck.WhyNotWritable(outboxFolder) is { } outboxReason)
        {
            return $"{GatewayOptions.SectionName}:Outbox:Path '{options.Outbox.Path}' is in a read-only folder ({outboxReason}); mount it read-write, make it writable for this user, or choose another path";
        }

        return null;
    }

    private static bool TryCreateStateDirectory(string path, out string error)
    {
        try
        {
            Directory.CreateDirectory(path);
            error = string.Empty;
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            error = ex.Message;
            return false;
        }
    }

    private static string Describe(Exception ex) => ex.InnerException is { } inner ? $"{ex.Message} {inner.Message}" : ex.Message;

    [LoggerMessage(Level = LogLevel.Information, Message = "Gateway {Version} starting: device {DeviceId}, hardware backend {Backend}, state directory {StateDirectory}, sampling every {IntervalSeconds}s; configuration from {Files}; systemd notify {Notify}, watchdog {Watchdog}")]
    private static partial void LogStarting(ILogger logger, string version, string deviceId, string backend, string stateDirectory, double intervalSeconds, string files, string notify, string watchdog);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Unknown configuration key {Key} is ignored (a typo?); see README.md for the keys the gateway reads")]
    private static partial void LogUnknownKey(ILogger logger, string key);

    [LoggerMessage(Level = LogLevel.Critical, Message = "Gateway cannot write its state: {Reason}; exit {ExitCode}")]
    private static partial void LogCannotWriteState(ILogger logger, string reason, int exitCode);

    [LoggerMessage(Level = LogLevel.Critical, Message = "Gateway failed")]
    private static partial void LogCrashed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Critical, Message = "Gateway stopping because {Component} failed: {Cause}; exit {ExitCode} (systemd restarts it)")]
    private static partial void LogComponentFailed(ILogger logger, string component, string cause, int exitCode, Exception exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "{Component} failed while the gateway was stopping: {Cause}")]
    private static partial void LogFailedWhileStopping(ILogger logger, string component, string cause, Exception exception);

    [LoggerMessage(Level = LogLevel.Critical, Message = "Gateway stopped without a stop signal (something stopped the host); exit {ExitCode} (systemd restarts it)")]
    private static partial void LogStoppedUnasked(ILogger logger, int exitCode);

    [LoggerMessage(Level = LogLevel.Information, Message = "Gateway stopped (exit {ExitCode})")]
    private static partial void LogStopped(ILogger logger, int exitCode);
}
