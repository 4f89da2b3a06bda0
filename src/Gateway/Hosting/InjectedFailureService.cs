using Gateway.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Gateway.Hosting;

/// <summary>
/// Fault injection (<c>Gateway:Diagnostics:FailAfter</c>): a background service that throws after the configured
/// time, exactly as a component meeting an unexpected exception would, so tests can prove that such a stop exits
/// non-zero and names the component. Registered only when the key is set; never in production.
/// </summary>
internal sealed partial class InjectedFailureService : BackgroundService
{
    private readonly TimeSpan _after;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    /// <summary>Creates the service from <see cref="DiagnosticsOptions.FailAfter"/>.</summary>
    public InjectedFailureService(GatewayOptions options, TimeProvider time, ILogger<InjectedFailureService> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _after = options.Diagnostics.FailAfter ?? throw new ArgumentException("Gateway:Diagnostics:FailAfter is not set", nameof(options));
        _time = time;
        _logger = logger;
    }

    /// <inheritdoc/>
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        LogArmed(_logger, _after.TotalSeconds);
        await Task.Delay(_after, _time, stoppingToken).ConfigureAwait(false);
        throw new InjectedFailureException($"fault injection: Gateway:Diagnostics:FailAfter={_after.TotalSeconds}s has run out");
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Fault injection (Gateway:Diagnostics:FailAfter): a service will fail {Seconds}s after start; never use this in production")]
    private static partial void LogArmed(ILogger logger, double seconds);
}

/// <summary>The failure <c>Gateway:Diagnostics:FailAfter</c> injects.</summary>
internal sealed class InjectedFailureException : Exception
{
    /// <summary>Creates the exception.</summary>
    public InjectedFailureException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public InjectedFailureException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    public InjectedFailureException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
