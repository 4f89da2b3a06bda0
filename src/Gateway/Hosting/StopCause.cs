using Gateway.Links;
using Microsoft.Extensions.Hosting;

namespace Gateway.Hosting;

/// <summary>One part of the gateway that ended with an exception while the host ran.</summary>
/// <param name="Component">What failed, as an operator knows it, e.g. <c>mqtt link 'mqtt'</c> or <c>SamplerService</c>.</param>
/// <param name="Cause">The exception that ended it.</param>
internal sealed record ComponentFailure(string Component, Exception Cause);

/// <summary>
/// Why the host stopped, decided after it has: a requested stop (SIGTERM, SIGINT, SIGQUIT) exits 0; anything else —
/// a background service that threw (<see cref="BackgroundServiceExceptionBehavior.StopHost"/>), or any code that
/// stopped the application without a signal — is a failure and exits <see cref="ExitCodes.Failure"/>, so that
/// systemd's <c>Restart=on-failure</c> starts the gateway again (systemd.service(5), "Restart=").
/// </summary>
internal static class StopCause
{
    /// <summary>The exit code for a host that has stopped.</summary>
    /// <param name="requested">A stop signal arrived.</param>
    public static int ExitCode(bool requested) => requested ? ExitCodes.Ok : ExitCodes.Failure;

    /// <summary>Every background service whose task ended with an exception, named for the log.</summary>
    public static IReadOnlyList<ComponentFailure> Failures(IEnumerable<IHostedService> services)
    {
        ArgumentNullException.ThrowIfNull(services);
        var failures = new List<ComponentFailure>();
        foreach (var service in services)
        {
            if (service is BackgroundService { ExecuteTask: { IsFaulted: true } task })
            {
                var cause = task.Exception!.InnerExceptions is [var single] ? single : task.Exception;
                failures.Add(new ComponentFailure(Name(service), cause));
            }
        }

        return failures;
    }

    /// <summary>A hosted service's name as the operator knows it: a link by kind and name, anything else by type.</summary>
    public static string Name(IHostedService service) => service switch
    {
        ILinkControl link => $"{link.Kind} link '{link.Name}'",
        _ => service.GetType().Name,
    };
}
