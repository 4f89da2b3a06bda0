using Microsoft.Extensions.Hosting;

namespace Gateway.Status;

/// <summary>
/// Moves the status board's phase from Starting to Running once every service has started, and to Stopping when the
/// gateway begins to stop — under systemd or not, so <c>gwctl status</c>, <c>gwctl watch -k</c> and the web console say
/// Running for a gateway started by hand as well as for one that systemd runs (issue 18: they said Starting for the whole
/// run outside systemd, where only the systemd path moved the phase).
/// </summary>
/// <remarks>
/// <see cref="IHostApplicationLifetime.ApplicationStarted"/> fires after every <see cref="IHostedService.StartAsync"/>
/// has completed, and its callbacks run last registered first. This one is registered while the hosted services start,
/// after the host lifetime's own (SystemdLifetime's READY=1, ConsoleLifetime's "Application started"), so the board says
/// Running before READY=1 is sent and before "Application started" is logged; and Stopping before STOPPING=1.
/// </remarks>
internal sealed class StatusPhaseService : IHostedService, IDisposable
{
    /// <summary>The phase once every service has started.</summary>
    public const string Running = "Running";

    /// <summary>The phase once the gateway has begun to stop.</summary>
    public const string Stopping = "Stopping";

    private readonly IHostApplicationLifetime _lifetime;
    private readonly StatusBoard _status;
    private readonly List<CancellationTokenRegistration> _registrations = [];

    /// <summary>Creates the service.</summary>
    public StatusPhaseService(IHostApplicationLifetime lifetime, StatusBoard status)
    {
        _lifetime = lifetime;
        _status = status;
    }

    /// <inheritdoc/>
    public Task StartAsync(CancellationToken cancellationToken)
    {
        _registrations.Add(_lifetime.ApplicationStarted.Register(() => _status.SetPhase(Running)));
        _registrations.Add(_lifetime.ApplicationStopping.Register(() => _status.SetPhase(Stopping)));
        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc/>
    public void Dispose()
    {
        foreach (var registration in _registrations)
        {
            registration.Dispose();
        }
    }
}
