using Gateway.Status;
using Microsoft.Extensions.Hosting;

namespace Gateway.Systemd;

/// <summary>
/// Tells systemd where the gateway's life is: <c>READY=1</c> once every hosted service has started,
/// <c>STOPPING=1</c> when shutdown begins, and a <c>STATUS=</c> line whenever the status board changes.
/// </summary>
internal sealed class SystemdLifecycleService : IHostedService, IDisposable
{
    private readonly ISystemdNotifier _notifier;
    private readonly IHostApplicationLifetime _lifetime;
    private readonly StatusBoard _status;
    private readonly List<CancellationTokenRegistration> _registrations = [];

    /// <summary>Creates the service.</summary>
    public SystemdLifecycleService(ISystemdNotifier notifier, IHostApplicationLifetime lifetime, StatusBoard status)
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
        _notifier.Notify(ServiceState.Status(_status.Line));

        // ApplicationStarted fires after every IHostedService.StartAsync has completed.
        _registrations.Add(_lifetime.ApplicationStarted.Register(() =>
        {
            _status.SetPhase("Running");
            _notifier.Notify(ServiceState.Ready);
        }));
        _registrations.Add(_lifetime.ApplicationStopping.Register(() =>
        {
            _notifier.Notify(ServiceState.Stopping);
            _status.SetPhase("Stopping");
        }));
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

    private void OnStatusChanged(string line) => _notifier.Notify(ServiceState.Status(line));
}
