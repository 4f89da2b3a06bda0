using Gateway.Status;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Systemd;

namespace Gateway.Systemd;

/// <summary>
/// Keeps systemd's <c>STATUS=</c> line (shown by <c>systemctl status</c>; man sd_notify) in step with the status board,
/// and moves the board's phase to Running and Stopping. READY=1 and STOPPING=1 themselves are sent by the package's
/// <see cref="SystemdLifetime"/>, registered by <see cref="SystemdRegistration.AddSystemdNotify"/>.
/// </summary>
internal sealed class SystemdStatusService : IHostedService, IDisposable
{
    private readonly ISystemdNotifier _notifier;
    private readonly IHostApplicationLifetime _lifetime;
    private readonly StatusBoard _status;
    private readonly List<CancellationTokenRegistration> _registrations = [];

    /// <summary>Creates the service.</summary>
    public SystemdStatusService(ISystemdNotifier notifier, IHostApplicationLifetime lifetime, StatusBoard status)
    {
        _notifier = notifier;
        _lifetime = lifetime;
        _status = status;
    }

    /// <inheritdoc/>
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (!_notifier.IsEnabled)
        {
            return Task.CompletedTask;
        }

        _status.Changed += OnStatusChanged;
        _notifier.Notify(ServiceStates.Status(_status.Line));

        // ApplicationStarted fires after every IHostedService.StartAsync has completed. Its callbacks run last
        // registered first, so this one (registered after SystemdLifetime.WaitForStartAsync) says "Running" before the
        // lifetime's READY=1, and "Stopping" before its STOPPING=1.
        _registrations.Add(_lifetime.ApplicationStarted.Register(() => _status.SetPhase("Running")));
        _registrations.Add(_lifetime.ApplicationStopping.Register(() => _status.SetPhase("Stopping")));
        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc/>
    public void Dispose()
    {
        _status.Changed -= OnStatusChanged;
        foreach (var registration in _registrations)
        {
            registration.Dispose();
        }
    }

    private void OnStatusChanged(string line) => _notifier.Notify(ServiceStates.Status(line));
}
